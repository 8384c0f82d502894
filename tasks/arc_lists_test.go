package tasks

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var writeARCLists = flag.Bool("write-arc-lists", false, "rewrite scripts/arc-lists/*.txt from the ARC data")

// arcLists are the task lists the arc-task preset is measured on (issue 15,
// item 4), fixed in advance: which folder, which canvas the grids must fit,
// how many tasks fit, and how many of them (by id) the list keeps.
var arcLists = []struct {
	file, split string
	canvas      int
	fit, keep   int
	what        string
}{
	{"train-6x6.txt", "training", 6, 46, 46, "All the ARC-AGI-1 training tasks"},
	{"eval-10x10-first20.txt", "evaluation", 10, 77, 20, "The first 20 by id of the ARC-AGI-1 evaluation tasks"},
}

// TestARCListsMatchTheData recomputes each list from the task files (every
// grid of every demonstration and test pair must fit the canvas) and checks
// the committed file; -write-arc-lists writes them instead.
func TestARCListsMatchTheData(t *testing.T) {
	data := arcData(t)
	for _, l := range arcLists {
		a, _ := NewARC(l.canvas)
		if err := a.LoadARC(filepath.Join(data, l.split)); err != nil {
			t.Fatal(err)
		}
		if len(a.Tasks) != l.fit {
			t.Fatalf("%s: %d tasks fit %dx%d, want %d", l.split, len(a.Tasks), l.canvas, l.canvas, l.fit)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "# %s whose grids (every input and output, demonstrations and tests) fit %dx%d:\n", l.what, l.canvas, l.canvas)
		fmt.Fprintf(&b, "# %d of the %d that fit. Written by go test ./tasks -run ARCLists -write-arc-lists.\n", l.keep, l.fit)
		fmt.Fprintf(&b, "# canvas %d\n", l.canvas)
		for _, task := range a.Tasks[:l.keep] {
			fmt.Fprintf(&b, "%s/%s\n", l.split, task.ID)
		}
		path := filepath.Join("..", "scripts", "arc-lists", l.file)
		if *writeARCLists {
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != b.String() {
			t.Errorf("%s differs from the data; want:\n%s", path, b.String())
		}
	}
}
