// Package tasks provides the puzzle families HRM Lab trains on — Sudoku, mazes and ARC-AGI
// grids — as token sequences: generators, public-format loaders (CSV, ARC JSON),
// validity-preserving augmentation, rule checks, display descriptions, deterministic datasets with
// train/test splits, a batch sampler and an exporter to the reference on-disk format.
//
// # Tasks
//
// Every family implements [Task]:
//
//	NewSudoku(size int) (*Sudoku, error)   // 4 (2x2 boxes), 6 (2x3) or 9 (3x3)
//	NewMaze(side int) (*Maze, error)       // side 5..64
//	NewARC(canvas int) (*ARC, error)       // canvas 1..30 (0 = 30); add tasks with (*ARC).LoadARC
//	NewTask(kind string, size int) (Task, error)
//
// Token vocabularies follow the reference (HRM.md §7): Sudoku 0 PAD, 1 blank, 2.. digits;
// maze 0 PAD, 1 '#', 2 ' ', 3 'S', 4 'G', 5 'o'; ARC 0 PAD, 1 EOS, 2..11 colours 0..9.
// Labels use [Ignore] for unscored positions (only ARC padding); exports write 0 there
// instead (the reference's ignore_label_id). Text formats (Format/Parse, CSV cells): Sudoku
// n*n characters with '.' or '0' blank; maze N*N characters over "# SGo" (or N lines); ARC a
// JSON grid or rows of digits. [Answer] solves a Sudoku or maze question exactly.
//
// Sudoku: [Sudoku.Solve] is an exact bitmask solver (naked and hidden singles, then branching
// on the fewest candidates) that counts solutions up to 2 and reports guesses and backtracks;
// [Sudoku.Generate] makes unique-solution puzzles within a givens range and a solver-guesses
// range; [Sudoku.Augment] relabels digits, shuffles bands/stacks and their rows/columns, and
// transposes when boxes are square (never for 6x6). Maze: [Maze.Generate] carves a perfect
// maze by one of [MazeCarvers] (randomized depth-first search, Kruskal, Prim, or Wilson's
// uniform spanning tree; "mix" draws one per maze), knocks down a fraction of the walls to
// make loops, and places S and G far apart or at a path length drawn from a range; [Maze.Solve] marks a BFS shortest
// path; [Maze.Augment] applies one of the 8 dihedral transforms. ARC: (*ARC).LoadARC reads task
// files or folders (tasks over the canvas are listed in ARC.Skipped), [ARC.Encode] and
// [ARC.Crop] convert grids, augmentation (dihedral, colour permutation fixing 0, translation
// in train only) happens when a [Dataset] is built, and [ARC.Deaugment], [ARC.Vote] and
// [ARC.PassAtK] are the evaluation helpers of HRM.md §8.2.
//
// # Difficulty presets
//
// [Difficulty] zero fields take the level's preset ("" = medium). Sudoku givens / solver
// guesses: 9x9 easy 40-48 / 0, medium 28-34 / 0-2, hard 17-26 / >= 3; 6x6 easy 20-24 / 0,
// medium 14-18, hard 8-13 / >= 1; 4x4 easy 8-10 / 0, medium 6-7, hard 4-5; "any" (any number
// of guesses) 9x9 28-45, 6x6 14-20, 4x4 6-9 ([SudokuGivens]). Maze with k x k
// corridor cells (k = (N-1)/2): minimum path hard 0.56k² steps (110 at N = 30, the Maze-Hard
// filter), medium 0.28k², easy none, no maximum (G at least 70% of the farthest distance from S,
// easy 30%); 2% of inner walls knocked down (easy 8%); depth-first carving.
//
// # Datasets
//
// [New] builds a [Dataset] from [Options] (the lab.toml [task] table), deterministically for
// Options.Seed. Generated tasks (Sudoku, maze without a data path) get a fixed test split
// and either a fresh training stream (Options.TrainCount == 0: every batch holds new puzzles
// at the sampler's current difficulty, changeable between batches with
// [Sampler.SetDifficulty]) or a fixed training set of TrainCount originals each with NumAug
// augmented copies (the reference's "1k + 1000 augmentations" recipe). CSV data gives fixed
// splits (Options.TestCount < 0 puts every row into Test in file order, for `eval -data`);
// ARC data follows the split rule of HRM.md §7.3. A [Sampler] fills caller-provided batch
// slices ([Sampler.Fill]) or returns new ones ([Sampler.Next]); [Dataset.FillTest] gives
// padded test batches. [Sampler.State] / [Sampler.SetState] resume a sampler exactly.
//
// Examples are grouped: a group is one original puzzle (or ARC task) and all its
// augmentations; a puzzle is one variant with its own identifier; an example is one
// input/label pair ([Index]). Sudoku and maze puzzles hold one example each and all use
// puzzle id 0; ARC variants get ids 1..n (0 is the blank id). [Dataset.Export] writes this
// structure in the reference's .npy layout (HRM.md §6.1); [ReadCSV], [DecodeCSV] and
// [WriteCSV] read and write the question,answer and source,question,answer,rating layouts.
package tasks

import (
	"errors"
	"fmt"
	"slices"
)

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

// Answer returns the label of a question given as input tokens, by the task's exact solver:
// the unique Sudoku solution, or the maze with a shortest S-G path marked. It fails for a
// Sudoku with no or several solutions, a maze without a path, and for ARC (no solver).
func Answer(t Task, input []int32) ([]int32, error) {
	switch t := t.(type) {
	case *Sudoku:
		st, sol, err := t.Solve(input)
		switch {
		case err != nil:
			return nil, err
		case st.Solutions == 0:
			return nil, errors.New("sudoku: the puzzle has no solution")
		case st.Solutions > 1:
			return nil, errors.New("sudoku: the puzzle has more than one solution")
		}
		return sol, nil
	case *Maze:
		return t.Solve(input)
	}
	return nil, fmt.Errorf("%s: no solver; the answer comes from the data", t.Name())
}

// Records wraps examples as CSV records (no source, rating 0), e.g. for WriteCSV.
func Records(exs []Example) []Record {
	out := make([]Record, len(exs))
	for i, ex := range exs {
		out[i] = Record{Example: ex}
	}
	return out
}
