package tasks

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Symmetry maps a task's grids onto grids of the same task and keeps its
// rules: cell i of the mapped grid is cell Pos[i] of the original, its token
// relabelled by Tok (tokens outside Tok, such as Ignore, are kept). A
// solution of the mapped puzzle maps back to a solution of the original with
// Invert. Augmentation applies one to a puzzle and its answer; test-time
// scaling solves several mapped copies of a puzzle and maps the answers back.
type Symmetry struct {
	Name string  // a short description, for the Solve screen
	Pos  []int   // nil: the identity on positions
	Tok  []int32 // nil: the identity on tokens
}

// Symmetric is a task whose puzzles have symmetries: Sudoku (digits, bands,
// stacks, transposition) and mazes (the 8 dihedral maps).
type Symmetric interface {
	RandomSymmetry(rng *rand.Rand) Symmetry
}

// Apply maps a grid; a sequence of another length is returned as it is.
func (s Symmetry) Apply(src []int32) []int32 {
	out := slices.Clone(src)
	if s.Pos != nil && len(src) != len(s.Pos) {
		return out
	}
	for i := range out {
		t := src[i]
		if s.Pos != nil {
			t = src[s.Pos[i]]
		}
		if t >= 0 && int(t) < len(s.Tok) {
			t = s.Tok[t]
		}
		out[i] = t
	}
	return out
}

// Invert maps a grid of the mapped puzzle (an answer) back to the original.
func (s Symmetry) Invert(dst []int32) []int32 {
	inv := make([]int32, len(s.Tok))
	for from, to := range s.Tok {
		inv[to] = int32(from)
	}
	out := slices.Clone(dst)
	if s.Pos != nil && len(dst) != len(s.Pos) {
		return out
	}
	for i, t := range dst {
		if t >= 0 && int(t) < len(inv) {
			t = inv[t]
		}
		if s.Pos != nil {
			out[s.Pos[i]] = t
		} else {
			out[i] = t
		}
	}
	return out
}

// ApplyExample maps a puzzle and its answer together.
func (s Symmetry) ApplyExample(ex Example) Example {
	return Example{Input: s.Apply(ex.Input), Label: s.Apply(ex.Label), PuzzleID: ex.PuzzleID}
}

// RandomSymmetry draws a digit relabelling, a transpose (with probability
// 1/2, only when boxes are square: for 6x6 the transpose would turn 2x3 boxes
// into 3x2 ones), a random order of the bands and of the rows inside each
// band, and likewise of stacks and columns. Blank and PAD stay.
func (s *Sudoku) RandomSymmetry(rng *rand.Rand) Symmetry {
	n := s.n
	tok := make([]int32, n+2)
	tok[sudokuPad], tok[sudokuBlank] = sudokuPad, sudokuBlank
	digits := rng.Perm(n)
	for i, p := range digits {
		tok[i+2] = int32(p + 2)
	}
	transpose := s.boxRows == s.boxCols && rng.IntN(2) == 1
	rows := bandPerm(rng, n, s.boxRows)
	cols := bandPerm(rng, n, s.boxCols)
	pos := make([]int, n*n)
	for r := range n {
		for c := range n {
			sr, sc := rows[r], cols[c]
			if transpose {
				sr, sc = sc, sr
			}
			pos[r*n+c] = sr*n + sc
		}
	}
	name := "digits "
	for _, d := range digits {
		name += string(rune('1' + d))
	}
	if transpose {
		name += ", transposed"
	}
	return Symmetry{Name: name + fmt.Sprintf(", rows %v, cols %v", oneBased(rows), oneBased(cols)), Pos: pos, Tok: tok}
}

func oneBased(p []int) []int {
	out := make([]int, len(p))
	for i, x := range p {
		out[i] = x + 1
	}
	return out
}

// dihedralNames name the 8 dihedral maps in dihedralIndex's numbering.
var dihedralNames = [8]string{"identity", "rotate 90°", "rotate 180°", "rotate 270°", "flip left-right", "flip up-down", "transpose", "anti-transpose"}

// RandomSymmetry draws one of the 8 dihedral maps of the square maze.
func (m *Maze) RandomSymmetry(rng *rand.Rand) Symmetry {
	t := rng.IntN(8)
	_, _, pos := dihedralIndex(t, m.n, m.n)
	return Symmetry{Name: dihedralNames[t], Pos: pos}
}
