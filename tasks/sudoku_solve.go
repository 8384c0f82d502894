package tasks

import (
	"math/bits"
	"math/rand/v2"
)

// SolveStats measures how hard a Sudoku is for the exact solver: the solver propagates
// naked and hidden singles, then branches on a cell with the fewest candidates.
type SolveStats struct {
	Solutions  int // solutions found, stopped at the search limit (2 when counting)
	Guesses    int // branching points: cells where the solver had to try candidates
	Backtracks int // dead ends: contradictions met during the search
}

// board is the solver state: cell values and the digits used by every row, column and box.
type board struct {
	v             [maxSudoku * maxSudoku]int8
	row, col, box [maxSudoku]uint16
	empty         int
}

// solver searches one Sudoku; rng (when not nil) shuffles the candidate order.
type solver struct {
	s        *Sudoku
	all      uint16
	limit    int
	rng      *rand.Rand
	stats    SolveStats
	solution board
}

func (s *Sudoku) newBoard(v []int8) (board, bool) {
	var b board
	for i, d := range v {
		if d == 0 {
			b.empty++
			continue
		}
		bit := uint16(1) << (d - 1)
		r, c, x := i/s.n, i%s.n, s.boxOf[i]
		if (b.row[r]|b.col[c]|b.box[x])&bit != 0 {
			return b, false
		}
		b.v[i] = d
		b.row[r] |= bit
		b.col[c] |= bit
		b.box[x] |= bit
	}
	return b, true
}

func (sv *solver) place(b *board, i int, d int8) {
	s := sv.s
	bit := uint16(1) << (d - 1)
	b.v[i] = d
	b.row[i/s.n] |= bit
	b.col[i%s.n] |= bit
	b.box[s.boxOf[i]] |= bit
	b.empty--
}

func (sv *solver) candidates(b *board, i int) uint16 {
	s := sv.s
	return sv.all &^ (b.row[i/s.n] | b.col[i%s.n] | b.box[s.boxOf[i]])
}

// propagate places naked and hidden singles until none is left; false on a contradiction.
func (sv *solver) propagate(b *board) bool {
	n := sv.s.n * sv.s.n
	for changed := true; changed && b.empty > 0; {
		changed = false
		for i := range n {
			if b.v[i] != 0 {
				continue
			}
			c := sv.candidates(b, i)
			if c == 0 {
				return false
			}
			if c&(c-1) == 0 {
				sv.place(b, i, int8(bits.TrailingZeros16(c)+1))
				changed = true
			}
		}
		for _, u := range sv.s.units {
			var once, twice, placed uint16
			for _, i := range u {
				if b.v[i] != 0 {
					placed |= 1 << (b.v[i] - 1)
					continue
				}
				c := sv.candidates(b, i)
				twice |= once & c
				once |= c
			}
			if once|placed != sv.all {
				return false
			}
			for hidden := once &^ twice; hidden != 0; hidden &= hidden - 1 {
				bit := hidden & -hidden
				for _, i := range u {
					if b.v[i] == 0 && sv.candidates(b, i)&bit != 0 {
						sv.place(b, i, int8(bits.TrailingZeros16(bit)+1))
						changed = true
						break
					}
				}
			}
		}
	}
	return true
}

func (sv *solver) search(b board) {
	if !sv.propagate(&b) {
		sv.stats.Backtracks++
		return
	}
	if b.empty == 0 {
		if sv.stats.Solutions == 0 {
			sv.solution = b
		}
		sv.stats.Solutions++
		return
	}
	best, bestCount := -1, 99
	for i := range sv.s.n * sv.s.n {
		if b.v[i] == 0 {
			if k := bits.OnesCount16(sv.candidates(&b, i)); k < bestCount {
				best, bestCount = i, k
			}
		}
	}
	sv.stats.Guesses++
	var order [maxSudoku]int8
	k := 0
	for c := sv.candidates(&b, best); c != 0; c &= c - 1 {
		order[k] = int8(bits.TrailingZeros16(c) + 1)
		k++
	}
	if sv.rng != nil {
		sv.rng.Shuffle(k, func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	for _, d := range order[:k] {
		nb := b
		sv.place(&nb, best, d)
		sv.search(nb)
		if sv.stats.Solutions >= sv.limit {
			return
		}
	}
}

// solve runs the solver on cell values v (0 blank) and stops after limit solutions. It returns
// the statistics and the first solution found (nil when none).
func (s *Sudoku) solve(v []int8, limit int, rng *rand.Rand) (SolveStats, []int8) {
	sv := &solver{s: s, all: uint16(1)<<s.n - 1, limit: limit, rng: rng}
	b, ok := s.newBoard(v)
	if !ok {
		return SolveStats{}, nil
	}
	sv.search(b)
	if sv.stats.Solutions == 0 {
		return sv.stats, nil
	}
	out := make([]int8, s.n*s.n)
	copy(out, sv.solution.v[:])
	return sv.stats, out
}

// Solve counts the solutions of the puzzle given as input tokens (stopping at 2) and returns
// the solver statistics and the first solution as label tokens (nil when there is none).
// It fails on tokens that are not blank or digits of this size.
func (s *Sudoku) Solve(input []int32) (SolveStats, []int32, error) {
	v, err := s.digits(input)
	if err != nil {
		return SolveStats{}, nil, err
	}
	st, sol := s.solve(v, 2, nil)
	if sol == nil {
		return st, nil, nil
	}
	return st, tokensOf(sol), nil
}
