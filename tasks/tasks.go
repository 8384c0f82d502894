// Package tasks provides the puzzle families HRM Lab trains on — Sudoku, mazes and ARC-AGI
// grids — as token sequences: generators, public-format loaders (CSV, ARC JSON), validity-
// preserving augmentation, rule checks, display descriptions, deterministic datasets with
// train/test splits, a batch sampler and an exporter to the reference on-disk format.
//
// # Tasks
//
// Every family implements [Task]. Constructors:
//
//	NewSudoku(size int) (*Sudoku, error)          // size 4 (2x2 boxes), 6 (2x3) or 9 (3x3)
//	NewMaze(side int) (*Maze, error)              // side 5..64
//	NewARC(canvas int) *ARC                       // canvas 1..30 (0 = 30); tasks are added by LoadARC
//
// Token vocabularies follow the reference (HRM.md §7): Sudoku 0 PAD, 1 blank, 2.. digits;
// maze 0 PAD, 1 '#', 2 ' ', 3 'S', 4 'G', 5 'o'; ARC 0 PAD, 1 EOS, 2..11 colours 0..9.
// Labels use [Ignore] for unscored positions (only ARC padding); exports write 0 there instead
// (the reference's ignore_label_id).
//
// # Datasets
//
// [New] builds a [Dataset] from [Options] (the lab.toml [task] table). Generated tasks (Sudoku,
// maze without a data path) get a fixed test split and either a fresh training stream
// (Options.TrainCount == 0: every batch holds newly generated puzzles at the sampler's current
// [Difficulty], changeable between batches with [Sampler.SetDifficulty]) or a fixed training
// set of TrainCount originals, each with NumAug augmented copies (the reference's "1k + 1000
// augmentations" recipe). File data (CSV or ARC JSON) always gives fixed splits, augmented as
// the options say. A [Sampler] draws training batches following the reference sampler (HRM.md
// §6.2): groups in random order per epoch, one puzzle per group, its examples until the batch
// is full. Everything is deterministic for Options.Seed and the sampler's seed.
//
// # Data layout
//
// Examples are grouped: a group is one original puzzle (or ARC task) and all its
// augmentations; a puzzle is one variant with its own identifier; an example is one
// input/label pair. Sudoku and maze puzzles hold one example each and all use puzzle id 0;
// ARC variants get ids 1..n (0 is the blank id). [Dataset.Export] writes this structure in
// the reference's .npy layout (HRM.md §6.1).
package tasks

import "slices"

// Ignore is the label of positions that are not scored (the same value as engine.IgnoreLabel).
const Ignore = -100

// Example is one input/label pair as token ids.
type Example struct {
	Input    []int32 // SeqLen tokens
	Label    []int32 // SeqLen tokens, Ignore where not scored
	PuzzleID int32
}

// Cell is what a front-end needs to draw one grid cell.
type Cell struct {
	Text      string // label to print ("5", "#", "S", "·" for blank, "" for ARC colours)
	Color     int    // ARC colour 0-9, -1 when not a colour cell
	Given     bool   // part of the question (a Sudoku given, a maze wall/S/G)
	Path      bool   // maze path cell
	Pad       bool   // padding / outside the grid (ARC canvas)
	Violation bool   // breaks a rule (duplicate in row/col/box, broken path)
}

// Grid describes a token sequence for display.
type Grid struct {
	Rows, Cols int
	Cells      []Cell // Rows*Cols row-major
	Box        [2]int // Sudoku box size (rows, cols) for drawing box borders; zero otherwise
}

// CheckResult is the verdict on a predicted token sequence.
type CheckResult struct {
	Exact      bool  // every scored cell equals the label
	Valid      bool  // a correct solution by the task's rules (may differ from the label)
	Violations []int // indices of cells that break a rule
}

// Task is one puzzle family at one size.
type Task interface {
	Name() string // "sudoku" | "maze" | "arc"
	Vocab() []string
	SeqLen() int
	GridShape() (rows, cols int)
	NumPuzzleIDs() int
	// Check applies the task's rules to a predicted token sequence for the example:
	// Exact (all scored cells equal the label) and Valid (a correct solution by the rules,
	// e.g. a maze path that is a shortest S-G path even if it differs from the label),
	// plus the cells that break a rule.
	Check(ex Example, pred []int32) CheckResult
	// Grid describes tokens for display: the question input plus tokens pred (nil to show the question only).
	Grid(input, pred []int32) Grid
	Format(tokens []int32) string       // the task's text format (the CSV string)
	Parse(text string) ([]int32, error) // text format -> input tokens
}

// exact reports whether pred equals label on every scored position.
func exact(label, pred []int32) bool {
	if len(pred) != len(label) {
		return false
	}
	for i, l := range label {
		if l != Ignore && pred[i] != l {
			return false
		}
	}
	return true
}

// sortedKeys returns the keys of a set of cell indices in ascending order (nil when empty).
func sortedKeys(set map[int]bool) []int {
	if len(set) == 0 {
		return nil
	}
	out := make([]int, 0, len(set))
	for i := range set {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}
