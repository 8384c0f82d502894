package lab

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hrmlab/tasks"
)

// TestARCTaskTrainsOnDemonstrationsOnly builds the arc-task preset's data
// for every task of the two lists it is measured on (scripts/arc-lists), at
// the list's canvas: every training example, with its translation, dihedral
// map and colours undone, is one of the task's demonstration pairs, and no
// training label is a test output (under any variant) unless a demonstration
// has that output too; the test split is the test pairs under every variant.
func TestARCTaskTrainsOnDemonstrationsOnly(t *testing.T) {
	data := arcDataDir()
	if data == "" {
		t.Skip("ARC data not found (../shared/data/arc-agi-1 or $HRMLAB_DATA)")
	}
	lists, _ := filepath.Glob(filepath.Join("..", "scripts", "arc-lists", "*.txt"))
	if len(lists) != 2 {
		t.Fatalf("lists %v, want the two of scripts/arc-lists", lists)
	}
	n := 0
	for _, list := range lists {
		canvas, ids := readARCList(t, list)
		for _, id := range ids {
			n++
			cfg, err := Experiment("", "arc-task", []string{"task.data=" + filepath.Join(data, id+".json"), "task.size=" + canvas})
			if err != nil {
				t.Fatal(err)
			}
			d, err := newDataSource(cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkDemonstrationsOnly(t, id, d.Dataset(), cfg.Task.NumAug)
		}
	}
	if n != 66 {
		t.Errorf("%d tasks in the lists, want 46 + 20", n)
	}
}

// readARCList returns a list's canvas ("# canvas N") and its tasks.
func readARCList(t *testing.T, path string) (canvas string, ids []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "# canvas "); ok {
			canvas = c
		} else if line != "" && !strings.HasPrefix(line, "#") {
			ids = append(ids, line)
		}
	}
	if canvas == "" || len(ids) == 0 {
		t.Fatalf("%s: canvas %q, %d tasks", path, canvas, len(ids))
	}
	return canvas, ids
}

func checkDemonstrationsOnly(t *testing.T, id string, ds *tasks.Dataset, numAug int) {
	t.Helper()
	a := ds.Task.(*tasks.ARC)
	if len(a.Tasks) != 1 {
		t.Fatalf("%s: %d tasks loaded", id, len(a.Tasks))
	}
	task := a.Tasks[0]
	equal := func(x, y [][]int) bool {
		return slices.EqualFunc(x, y, func(p, q []int) bool { return slices.Equal(p, q) })
	}
	isDemoOutput := func(g [][]int) bool {
		return slices.ContainsFunc(task.Train, func(p tasks.ARCPair) bool { return equal(p.Output, g) })
	}
	undo := func(ex tasks.Example, tokens []int32) [][]int {
		g, err := a.Deaugment(ex.PuzzleID, placed(tokens, a.Canvas()))
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	for _, ex := range ds.Train {
		in, out := undo(ex, ex.Input), undo(ex, ex.Label)
		if !slices.ContainsFunc(task.Train, func(p tasks.ARCPair) bool { return equal(p.Input, in) && equal(p.Output, out) }) {
			t.Fatalf("%s: a training example (puzzle %d) is no demonstration: %v -> %v", id, ex.PuzzleID, in, out)
		}
		for _, p := range task.Test {
			if equal(p.Output, out) && !isDemoOutput(out) {
				t.Fatalf("%s: a training label (puzzle %d) is a test output", id, ex.PuzzleID)
			}
		}
	}
	// A task with few colours or symmetric grids has fewer distinct variants.
	variants := a.NumPuzzleIDs() - 1
	if variants < 1 || variants > numAug+1 || len(ds.Train) != len(task.Train)*variants || len(ds.Test) != len(task.Test)*variants {
		t.Fatalf("%s: %d training and %d test examples for %d demonstrations and %d tests under %d variants (at most %d)",
			id, len(ds.Train), len(ds.Test), len(task.Train), len(task.Test), variants, numAug+1)
	}
	for _, ex := range ds.Test {
		in, out := undo(ex, ex.Input), undo(ex, ex.Label)
		if !slices.ContainsFunc(task.Test, func(p tasks.ARCPair) bool { return equal(p.Input, in) && equal(p.Output, out) }) {
			t.Fatalf("%s: a test example (puzzle %d) is no test pair", id, ex.PuzzleID)
		}
	}
}

// placed returns the grid a canvas of tokens holds wherever it was placed:
// the bounding box of its colour cells (tokens 2..11; PAD and EOS, and
// Ignore in labels, lie outside it).
func placed(tokens []int32, canvas int) [][]int {
	r0, c0, r1, c1 := canvas, canvas, -1, -1
	for i, tok := range tokens {
		if tok >= 2 && tok <= 11 {
			r, c := i/canvas, i%canvas
			r0, c0, r1, c1 = min(r0, r), min(c0, c), max(r1, r), max(c1, c)
		}
	}
	g := make([][]int, max(r1-r0+1, 0))
	for r := range g {
		for c := c0; c <= c1; c++ {
			g[r] = append(g[r], int(tokens[(r0+r)*canvas+c])-2)
		}
	}
	return g
}
