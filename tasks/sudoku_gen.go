package tasks

import (
	"fmt"
	"math/rand/v2"
)

// sudokuLimits is a resolved Sudoku difficulty.
type sudokuLimits struct {
	minGivens, maxGivens   int
	minGuesses, maxGuesses int // maxGuesses < 0: no limit
}

// sudokuPresets gives, per side, the givens range and guess range of each level. Guesses are
// counted by the exact solver over the whole uniqueness search (SolveStats.Guesses). "any"
// lifts the limit on guesses and spans the medium level's fewest givens up to about 56% of
// the cells (4x4 6-9, the default experiment's calibrated range; 6x6 14-20; 9x9 28-45):
// wide, and quick to generate.
var sudokuPresets = map[int]map[string]sudokuLimits{
	4: {
		"any":    {6, 9, 0, -1},
		"easy":   {8, 10, 0, 0},
		"medium": {6, 7, 0, -1},
		"hard":   {4, 5, 0, -1},
	},
	6: {
		"any":    {14, 20, 0, -1},
		"easy":   {20, 24, 0, 0},
		"medium": {14, 18, 0, -1},
		"hard":   {8, 13, 1, -1},
	},
	9: {
		"any":    {28, 45, 0, -1},
		"easy":   {40, 48, 0, 0},
		"medium": {28, 34, 0, 2},
		"hard":   {17, 26, 3, -1},
	},
}

// SudokuGivens returns the givens range of a difficulty level ("any", "easy", "medium",
// "hard"; "" = medium) for an n x n Sudoku; ok is false for an unknown side or level.
func SudokuGivens(n int, level string) (lo, hi int, ok bool) {
	if level == "" {
		level = "medium"
	}
	l, ok := sudokuPresets[n][level]
	return l.minGivens, l.maxGivens, ok
}

// guessesText says a guesses range in words: "0 guesses", "1..3 guesses", "at least 3
// guesses", "any number of guesses".
func guessesText(lo, hi int) string {
	switch {
	case hi < 0 && lo <= 0:
		return "any number of guesses"
	case hi < 0:
		return fmt.Sprintf("at least %d guesses", lo)
	case lo == hi:
		return fmt.Sprintf("%d guesses", lo)
	}
	return fmt.Sprintf("%d..%d guesses", lo, hi)
}

// limits resolves d against the presets of this size; explicit fields override the level's.
func (s *Sudoku) limits(d Difficulty) (sudokuLimits, error) {
	level := d.Level
	if level == "" {
		level = "medium"
	}
	l, ok := sudokuPresets[s.n][level]
	if !ok {
		return l, fmt.Errorf("difficulty level %q: want any, easy, medium or hard", d.Level)
	}
	if d.MinGivens != 0 {
		l.minGivens = d.MinGivens
	}
	if d.MaxGivens != 0 {
		l.maxGivens = d.MaxGivens
	}
	if d.MinGuesses != 0 {
		l.minGuesses = d.MinGuesses
	}
	if d.MaxGuesses != 0 {
		l.maxGuesses = d.MaxGuesses
	}
	cells := s.n * s.n
	switch {
	case l.minGivens < 0 || l.maxGivens > cells || l.minGivens > l.maxGivens:
		return l, fmt.Errorf("sudoku %dx%d givens %d..%d: want 0 <= min <= max <= %d", s.n, s.n, l.minGivens, l.maxGivens, cells)
	case l.minGuesses < 0 || (l.maxGuesses >= 0 && l.minGuesses > l.maxGuesses):
		return l, fmt.Errorf("sudoku guesses %d..%d: want 0 <= min <= max (max -1 = no limit)", l.minGuesses, l.maxGuesses)
	}
	return l, nil
}

// sudokuAttempts bounds the retries of the generator before it reports the difficulty as unreachable.
const sudokuAttempts = 500

// Generate returns a puzzle with a unique solution whose givens and solver guesses lie in
// the ranges of d, and its solver statistics. It fails when the difficulty is invalid or
// unreachable (no puzzle found in many attempts).
func (s *Sudoku) Generate(rng *rand.Rand, d Difficulty) (Example, SolveStats, error) {
	l, err := s.limits(d)
	if err != nil {
		return Example{}, SolveStats{}, err
	}
	cells := s.n * s.n
	empty := make([]int8, cells)
	order := make([]int, cells)
	for range sudokuAttempts {
		_, sol := s.solve(empty, 1, rng)
		puzzle := append([]int8(nil), sol...)
		target := l.minGivens + rng.IntN(l.maxGivens-l.minGivens+1)
		givens := cells
		for i := range order {
			order[i] = i
		}
		rng.Shuffle(cells, func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			if givens <= target {
				break
			}
			puzzle[i] = 0
			if st, _ := s.solve(puzzle, 2, nil); st.Solutions != 1 {
				puzzle[i] = sol[i]
				continue
			}
			givens--
		}
		if givens > l.maxGivens {
			continue
		}
		st, _ := s.solve(puzzle, 2, nil)
		if st.Guesses < l.minGuesses || (l.maxGuesses >= 0 && st.Guesses > l.maxGuesses) {
			continue
		}
		return Example{Input: tokensOf(puzzle), Label: tokensOf(sol)}, st, nil
	}
	return Example{}, SolveStats{}, fmt.Errorf("sudoku %dx%d: no puzzle with %d..%d givens and %s in %d attempts (change the givens range or the difficulty)",
		s.n, s.n, l.minGivens, l.maxGivens, guessesText(l.minGuesses, l.maxGuesses), sudokuAttempts)
}

// Augment applies one random symmetry (RandomSymmetry) to input and label together;
// sequences of the wrong length are returned unchanged.
func (s *Sudoku) Augment(rng *rand.Rand, ex Example) Example {
	return s.RandomSymmetry(rng).ApplyExample(ex)
}

// bandPerm returns a permutation of n lines grouped in bands of size band: the bands in
// random order, and the lines inside each band in random order.
func bandPerm(rng *rand.Rand, n, band int) []int {
	out := make([]int, 0, n)
	for _, b := range rng.Perm(n / band) {
		for _, k := range rng.Perm(band) {
			out = append(out, b*band+k)
		}
	}
	return out
}
