package tasks

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// countSolutions is an independent solution counter for the tests: plain backtracking on
// the cell with the fewest legal digits, stopping at limit.
func countSolutions(n, br, bc int, v []int8, limit int) int {
	legal := func(i int, d int8) bool {
		r, c := i/n, i%n
		for k := range n {
			if v[r*n+k] == d || v[k*n+c] == d {
				return false
			}
		}
		r0, c0 := r/br*br, c/bc*bc
		for dr := range br {
			for dc := range bc {
				if v[(r0+dr)*n+c0+dc] == d {
					return false
				}
			}
		}
		return true
	}
	best, bestN := -1, n+1
	for i, x := range v {
		if x != 0 {
			continue
		}
		k := 0
		for d := int8(1); int(d) <= n; d++ {
			if legal(i, d) {
				k++
			}
		}
		if k < bestN {
			best, bestN = i, k
		}
	}
	if best < 0 {
		return 1
	}
	total := 0
	for d := int8(1); int(d) <= n && total < limit; d++ {
		if legal(best, d) {
			v[best] = d
			total += countSolutions(n, br, bc, v, limit-total)
			v[best] = 0
		}
	}
	return total
}

// assertUniquePuzzle checks that ex is a puzzle with exactly one solution, ex.Label.
func assertUniquePuzzle(t *testing.T, s *Sudoku, ex Example, what string) {
	t.Helper()
	in, err := s.digits(ex.Input)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if c := s.Conflicts(ex.Label); len(c) > 0 {
		t.Fatalf("%s: label %s breaks the rules at %v", what, s.Format(ex.Label), c)
	}
	for i, x := range ex.Input {
		if ex.Label[i] < 2 || (x != sudokuBlank && x != ex.Label[i]) {
			t.Fatalf("%s: label %s does not extend %s at cell %d", what, s.Format(ex.Label), s.Format(ex.Input), i)
		}
	}
	if k := countSolutions(s.n, s.boxRows, s.boxCols, in, 2); k != 1 {
		t.Fatalf("%s: %s has %d solutions, want 1", what, s.Format(ex.Input), k)
	}
}

func givens(ex Example) int {
	g := 0
	for _, x := range ex.Input {
		if x >= 2 {
			g++
		}
	}
	return g
}

func TestSudokuGeneratedUniqueAndAugmentedValid(t *testing.T) {
	counts := map[int]int{4: 400, 6: 300, 9: 150}
	if testing.Short() || raceEnabled {
		counts = map[int]int{4: 50, 6: 50, 9: 20}
	}
	checked := 0
	for _, n := range []int{4, 6, 9} {
		s, err := NewSudoku(n)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(uint64(n), 7))
		for _, level := range []string{"easy", "medium", "hard"} {
			lim, err := s.limits(Difficulty{Level: level})
			if err != nil {
				t.Fatal(err)
			}
			for k := range counts[n] {
				ex, st, err := s.Generate(rng, Difficulty{Level: level})
				if err != nil {
					t.Fatal(err)
				}
				assertUniquePuzzle(t, s, ex, level)
				if g := givens(ex); g < lim.minGivens || g > lim.maxGivens {
					t.Fatalf("%dx%d %s: %d givens, want %d..%d", n, n, level, g, lim.minGivens, lim.maxGivens)
				}
				if st.Solutions != 1 || st.Guesses < lim.minGuesses || (lim.maxGuesses >= 0 && st.Guesses > lim.maxGuesses) {
					t.Fatalf("%dx%d %s: stats %+v outside %+v", n, n, level, st, lim)
				}
				if k%2 == 0 {
					assertUniquePuzzle(t, s, s.Augment(rng, ex), level+" augmented")
					checked++
				}
				checked++
			}
		}
	}
	t.Logf("%d puzzles checked", checked)
}

func TestSudokuAugmentTransposeOnlySquareBoxes(t *testing.T) {
	// Givens only in the first row: after an augmentation they share a row, or a column when
	// the grid was transposed. 9x9 must show both; 6x6 (2x3 boxes) never transposes.
	for _, n := range []int{9, 6} {
		s, _ := NewSudoku(n)
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		ex, _, err := s.Generate(rng, Difficulty{Level: "easy"})
		if err != nil {
			t.Fatal(err)
		}
		for i := n; i < n*n; i++ {
			ex.Input[i] = sudokuBlank
		}
		copy(ex.Input, ex.Label[:n])
		rowsSeen, colsSeen := 0, 0
		for range 100 {
			a := s.Augment(rng, ex)
			if c := s.Conflicts(a.Label); len(c) > 0 {
				t.Fatalf("%dx%d augmented label %s breaks the rules at %v", n, n, s.Format(a.Label), c)
			}
			rowsOf, colsOf := map[int]bool{}, map[int]bool{}
			for i, v := range a.Input {
				if v != sudokuBlank {
					rowsOf[i/n], colsOf[i%n] = true, true
				}
			}
			switch {
			case len(rowsOf) == 1:
				rowsSeen++
			case len(colsOf) == 1:
				colsSeen++
			default:
				t.Fatalf("%dx%d: givens of one row spread over rows %v and columns %v", n, n, rowsOf, colsOf)
			}
		}
		if n == 9 && (rowsSeen == 0 || colsSeen == 0) || n == 6 && colsSeen != 0 {
			t.Fatalf("%dx%d: %d row and %d column (transposed) outcomes", n, n, rowsSeen, colsSeen)
		}
	}
}

func TestSudokuSolveCounts(t *testing.T) {
	s, _ := NewSudoku(9)
	empty := strings.Repeat(".", 81)
	in, err := s.Parse(empty)
	if err != nil {
		t.Fatal(err)
	}
	st, sol, err := s.Solve(in)
	if err != nil || st.Solutions != 2 || sol == nil || len(s.Conflicts(sol)) > 0 {
		t.Fatalf("empty grid: stats %+v, err %v, solution %v", st, err, sol)
	}
	// A well-known puzzle with a unique solution.
	q := "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"
	a := "534678912672195348198342567859761423426853791713924856961537284287419635345286179"
	in, _ = s.Parse(q)
	st, sol, _ = s.Solve(in)
	if st.Solutions != 1 || s.Format(sol) != a {
		t.Fatalf("classic puzzle: stats %+v solution %s", st, s.Format(sol))
	}
	// Two equal givens in a row: no solution.
	in, _ = s.Parse("11" + strings.Repeat(".", 79))
	if st, sol, _ := s.Solve(in); st.Solutions != 0 || sol != nil {
		t.Fatalf("contradictory puzzle: stats %+v", st)
	}
	if _, _, err := s.Solve([]int32{0, 1}); err == nil {
		t.Fatal("Solve accepted 2 tokens")
	}
}

func TestSudokuFormatParseCheck(t *testing.T) {
	s, _ := NewSudoku(4)
	in, err := s.Parse("1.3.\n..1.\n.1..\n.32.")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Format(in); got != "1.3...1..1...32." {
		t.Fatalf("Format = %q", got)
	}
	if in2, _ := s.Parse("1030001001000320"); s.Format(in2) != s.Format(in) {
		t.Fatal("'0' blanks parse differently from '.'")
	}
	for _, bad := range []string{"1.3", "1.3...1..1..3.5.", "1.3...1..1..3.x."} {
		if _, err := s.Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	_, err = s.Parse("1.3...1..1..3.9.")
	if err == nil || !strings.Contains(err.Error(), "row 4, column 3") {
		t.Errorf("error %v does not name row 4, column 3", err)
	}
	label, _ := s.Parse("1234341221434321")
	ex := Example{Input: in, Label: label}
	if r := s.Check(ex, label); !r.Exact || !r.Valid || r.Violations != nil {
		t.Fatalf("Check(label) = %+v", r)
	}
	wrong := append([]int32(nil), label...)
	wrong[1], wrong[2] = wrong[2], wrong[1] // row keeps its digits; columns and boxes break
	r := s.Check(ex, wrong)
	if r.Exact || r.Valid || len(r.Violations) == 0 {
		t.Fatalf("Check(swapped) = %+v", r)
	}
	changed := append([]int32(nil), label...)
	changed[0] = label[1] // a given changed
	if r := s.Check(ex, changed); r.Valid || r.Violations[0] != 0 {
		t.Fatalf("Check(changed given) = %+v", r)
	}
	g := s.Grid(in, wrong)
	if g.Box != [2]int{2, 2} || !g.Cells[0].Given || g.Cells[1].Given || g.Cells[1].Text != "3" {
		t.Fatalf("Grid = %+v", g.Cells[:2])
	}
	if q := s.Grid(in, nil); q.Cells[1].Text != "·" || q.Cells[1].Violation {
		t.Fatalf("question grid cell 1 = %+v", q.Cells[1])
	}
}

func TestSudokuDifficultyErrors(t *testing.T) {
	s, _ := NewSudoku(9)
	for _, d := range []Difficulty{{Level: "insane"}, {MinGivens: 50, MaxGivens: 40}, {MaxGivens: 99}, {MinGuesses: 5, MaxGuesses: 2}} {
		if _, _, err := s.Generate(rand.New(rand.NewPCG(1, 1)), d); err == nil {
			t.Errorf("difficulty %+v accepted", d)
		}
	}
	if _, _, err := s.Generate(rand.New(rand.NewPCG(1, 1)), Difficulty{Level: "hard", MinGivens: 70, MaxGivens: 75, MinGuesses: 5}); err == nil ||
		!strings.Contains(err.Error(), "attempts") {
		t.Errorf("unreachable difficulty: %v", err)
	}
	if _, err := NewSudoku(5); err == nil {
		t.Error("NewSudoku(5) accepted")
	}
}
