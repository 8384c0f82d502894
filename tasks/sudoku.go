package tasks

import (
	"fmt"
	"strings"
)

// Sudoku tokens: 0 PAD, 1 blank, 2.. digits 1..n.
const (
	sudokuPad   = 0
	sudokuBlank = 1
)

const maxSudoku = 9 // largest supported side (bit masks are uint16, boards fixed arrays)

// Sudoku is the Sudoku task of side n with boxes of BoxRows x BoxCols cells.
// Its text format is n*n characters row-major: digits 1..n, '.' or '0' for a blank.
type Sudoku struct {
	n, boxRows, boxCols int
	units               [][]int // rows, then columns, then boxes: cell indices
	boxOf               []int
	vocab               []string
}

// NewSudoku returns the Sudoku task of the given side: 4 (2x2 boxes), 6 (2x3) or 9 (3x3).
func NewSudoku(size int) (*Sudoku, error) {
	var br, bc int
	switch size {
	case 4:
		br, bc = 2, 2
	case 6:
		br, bc = 2, 3
	case 9:
		br, bc = 3, 3
	default:
		return nil, fmt.Errorf("sudoku size %d: want 4, 6 or 9", size)
	}
	s := &Sudoku{n: size, boxRows: br, boxCols: bc, boxOf: make([]int, size*size)}
	s.vocab = []string{"PAD", "·"}
	for d := 1; d <= size; d++ {
		s.vocab = append(s.vocab, fmt.Sprint(d))
	}
	s.units = make([][]int, 3*size)
	for r := range size {
		for c := range size {
			i := r*size + c
			b := (r/br)*(size/bc) + c/bc
			s.boxOf[i] = b
			s.units[r] = append(s.units[r], i)
			s.units[size+c] = append(s.units[size+c], i)
			s.units[2*size+b] = append(s.units[2*size+b], i)
		}
	}
	return s, nil
}

// Name returns "sudoku".
func (s *Sudoku) Name() string { return "sudoku" }

// Size returns the side n.
func (s *Sudoku) Size() int { return s.n }

// Vocab returns the display labels of tokens 0..n+1.
func (s *Sudoku) Vocab() []string { return s.vocab }

// SeqLen returns n*n.
func (s *Sudoku) SeqLen() int { return s.n * s.n }

// GridShape returns (n, n).
func (s *Sudoku) GridShape() (rows, cols int) { return s.n, s.n }

// NumPuzzleIDs returns 1: all Sudoku puzzles share identifier 0, as in the reference.
func (s *Sudoku) NumPuzzleIDs() int { return 1 }

// Format writes tokens as n*n characters: digits, '.' for blank, '?' for tokens out of range.
func (s *Sudoku) Format(tokens []int32) string {
	var b strings.Builder
	for _, t := range tokens {
		switch {
		case t == sudokuBlank:
			b.WriteByte('.')
		case t >= 2 && int(t) <= s.n+1:
			b.WriteByte(byte('0' + t - 1))
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// Parse reads n*n characters (digits 1..n, '.' or '0' blank; surrounding white space
// and line breaks between rows are ignored) into input tokens.
func (s *Sudoku) Parse(text string) ([]int32, error) {
	text = strings.Join(strings.Fields(text), "")
	if len(text) != s.n*s.n {
		return nil, fmt.Errorf("sudoku %dx%d: %d characters, want %d", s.n, s.n, len(text), s.n*s.n)
	}
	out := make([]int32, len(text))
	for i := range len(text) {
		ch := text[i]
		switch {
		case ch == '.' || ch == '0':
			out[i] = sudokuBlank
		case ch >= '1' && int(ch-'0') <= s.n:
			out[i] = int32(ch-'0') + 1
		default:
			return nil, fmt.Errorf("sudoku %dx%d: character %d (row %d, column %d) is %q, want 1-%d, '.' or '0'",
				s.n, s.n, i+1, i/s.n+1, i%s.n+1, ch, s.n)
		}
	}
	return out, nil
}

// digits converts tokens to cell values 0 (blank) .. n; it fails on PAD or out-of-range tokens.
func (s *Sudoku) digits(tokens []int32) ([]int8, error) {
	if len(tokens) != s.n*s.n {
		return nil, fmt.Errorf("sudoku %dx%d: %d tokens, want %d", s.n, s.n, len(tokens), s.n*s.n)
	}
	v := make([]int8, len(tokens))
	for i, t := range tokens {
		if t < sudokuBlank || int(t) > s.n+1 {
			return nil, fmt.Errorf("sudoku %dx%d: token %d at cell %d out of range", s.n, s.n, t, i)
		}
		v[i] = int8(t - 1)
	}
	return v, nil
}

// tokens converts cell values 0..n to tokens.
func tokensOf(v []int8) []int32 {
	out := make([]int32, len(v))
	for i, d := range v {
		out[i] = int32(d) + 1
	}
	return out
}

// Conflicts returns the cells (ascending) whose digit also appears elsewhere in their row,
// column or box. Blank, PAD and out-of-range tokens never conflict.
func (s *Sudoku) Conflicts(tokens []int32) []int {
	bad := make([]bool, len(tokens))
	for _, u := range s.units {
		var seen [maxSudoku + 2]int
		for k := range seen {
			seen[k] = -1
		}
		for _, i := range u {
			if i >= len(tokens) {
				continue
			}
			t := tokens[i]
			if t < 2 || int(t) > s.n+1 {
				continue
			}
			if j := seen[t]; j >= 0 {
				bad[i], bad[j] = true, true
			} else {
				seen[t] = i
			}
		}
	}
	var out []int
	for i, b := range bad {
		if b {
			out = append(out, i)
		}
	}
	return out
}

// Check reports whether pred equals the label, and whether it is a complete grid that keeps
// the givens of ex.Input and breaks no row, column or box rule. Violations lists the
// conflicting cells, the changed givens and the cells that are not digits.
func (s *Sudoku) Check(ex Example, pred []int32) CheckResult {
	res := CheckResult{Exact: exact(ex.Label, pred)}
	if len(pred) != s.n*s.n {
		return res
	}
	bad := map[int]bool{}
	for _, i := range s.Conflicts(pred) {
		bad[i] = true
	}
	for i, t := range pred {
		if t < 2 || int(t) > s.n+1 || (i < len(ex.Input) && ex.Input[i] >= 2 && ex.Input[i] != t) {
			bad[i] = true
		}
	}
	res.Valid = len(bad) == 0
	res.Violations = sortedKeys(bad)
	return res
}

// Grid describes input (and pred when not nil) for display: givens from input, other cells
// from pred, conflicts marked.
func (s *Sudoku) Grid(input, pred []int32) Grid {
	g := Grid{Rows: s.n, Cols: s.n, Cells: make([]Cell, s.n*s.n), Box: [2]int{s.boxRows, s.boxCols}}
	shown := make([]int32, s.n*s.n)
	for i := range shown {
		shown[i] = sudokuBlank
		if i < len(input) {
			shown[i] = input[i]
		}
		given := shown[i] >= 2
		if !given && i < len(pred) {
			shown[i] = pred[i]
		}
		text := "·"
		if shown[i] != sudokuBlank {
			text = s.Format(shown[i : i+1])
		}
		g.Cells[i] = Cell{Text: text, Color: -1, Given: given}
	}
	for _, i := range s.Conflicts(shown) {
		g.Cells[i].Violation = true
	}
	return g
}
