package tasks

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSudoku9Medium10k generates 10,000 unique-solution 9x9 puzzles of medium difficulty.
func BenchmarkSudoku9Medium10k(b *testing.B) {
	s, _ := NewSudoku(9)
	rng := rand.New(rand.NewPCG(1, 1))
	for b.Loop() {
		for range 10000 {
			if _, _, err := s.Generate(rng, Difficulty{Level: "medium"}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSudoku9Hard generates one hard 9x9 puzzle per iteration.
func BenchmarkSudoku9Hard(b *testing.B) {
	s, _ := NewSudoku(9)
	rng := rand.New(rand.NewPCG(1, 1))
	for b.Loop() {
		if _, _, err := s.Generate(rng, Difficulty{Level: "hard"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMaze30Hard1k generates 1,000 hard 30x30 mazes (shortest path >= 110 steps).
func BenchmarkMaze30Hard1k(b *testing.B) {
	m, _ := NewMaze(30)
	rng := rand.New(rand.NewPCG(1, 1))
	for b.Loop() {
		for range 1000 {
			if _, err := m.Generate(rng, Difficulty{Level: "hard"}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSudokuSolveHard solves (and proves unique) a hard 9x9 puzzle.
func BenchmarkSudokuSolveHard(b *testing.B) {
	s, _ := NewSudoku(9)
	in, _ := s.Parse("8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4..")
	for b.Loop() {
		if st, _, _ := s.Solve(in); st.Solutions != 1 {
			b.Fatal(st)
		}
	}
}

// BenchmarkSamplerFreshSudoku9 draws one fresh batch of 64 medium 9x9 puzzles.
func BenchmarkSamplerFreshSudoku9(b *testing.B) {
	d, err := New(Options{Kind: "sudoku", Size: 9, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	s := d.NewSampler(1)
	in, lab, ids := make([]int32, 64*81), make([]int32, 64*81), make([]int32, 64)
	for b.Loop() {
		if err := s.Fill(in, lab, ids); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSamplerFreshMaze11Mix draws one fresh batch of 48 11x11 mazes from every carver
// with path lengths drawn from 1..48 (the maze-hrm preset's stream).
func BenchmarkSamplerFreshMaze11Mix(b *testing.B) {
	d, err := New(Options{Kind: "maze", Size: 11, Seed: 1, TestCount: 1,
		Difficulty: Difficulty{Carver: "mix", MinPathLen: 1, MaxPathLen: 48, Loops: -1}})
	if err != nil {
		b.Fatal(err)
	}
	s := d.NewSampler(1)
	in, lab, ids := make([]int32, 48*121), make([]int32, 48*121), make([]int32, 48)
	for b.Loop() {
		if err := s.Fill(in, lab, ids); err != nil {
			b.Fatal(err)
		}
	}
}
