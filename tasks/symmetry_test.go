package tasks

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Every symmetry keeps the rules (a solved puzzle maps to a solved puzzle)
// and Invert undoes Apply, for Sudoku of every size and for mazes.
func TestSymmetriesKeepRulesAndInvert(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type symTask interface {
		Task
		Symmetric
	}
	type tc struct {
		task symTask
		ex   Example
	}
	var cases []tc
	for _, n := range []int{4, 6, 9} {
		s, err := NewSudoku(n)
		if err != nil {
			t.Fatal(err)
		}
		ex, _, err := s.Generate(rng, Difficulty{})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, tc{s, ex})
	}
	m, err := NewMaze(11)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := m.Generate(rng, Difficulty{})
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, tc{m, ex})
	for _, c := range cases {
		ex := c.ex
		seen := map[string]bool{}
		for range 20 {
			sym := c.task.RandomSymmetry(rng)
			seen[sym.Name] = true
			mapped := sym.ApplyExample(ex)
			if res := c.task.Check(mapped, mapped.Label); !res.Valid || !res.Exact {
				t.Fatalf("%s %d: %s maps a solved puzzle to an invalid one: %+v", c.task.Name(), c.task.SeqLen(), sym.Name, res)
			}
			if !slices.Equal(sym.Invert(mapped.Input), ex.Input) || !slices.Equal(sym.Invert(mapped.Label), ex.Label) {
				t.Fatalf("%s %d: %s: Invert does not undo Apply", c.task.Name(), c.task.SeqLen(), sym.Name)
			}
		}
		if len(seen) < 4 {
			t.Errorf("%s %d: 20 draws gave only %d symmetries", c.task.Name(), c.task.SeqLen(), len(seen))
		}
	}
}
