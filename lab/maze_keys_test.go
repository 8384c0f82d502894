package lab

import (
	"slices"
	"strings"
	"testing"

	"hrmlab/engine"
)

func TestMazeCarverKeysValidate(t *testing.T) {
	for _, bad := range []struct {
		sets []string
		want string
	}{
		{[]string{"task.carver=eller"}, `task.carver: "eller" is not one of`},
		{[]string{"task.carver=dfs,eller"}, `task.carver: "dfs,eller" is not one of`},
		{[]string{"task.carver=mix,dfs"}, `task.carver: "mix,dfs" is not one of`},
		{[]string{"task.min_path=20", "task.max_path=10"}, "task.max_path: 10 is below task.min_path 20"},
		{[]string{"task.max_path=-1"}, "task.max_path"},
		{[]string{"task.max_path=200"}, "task.max_path: 200 is more than a 11x11 maze allows"},
		{[]string{"task.loops=1.5"}, "task.loops"},
		{[]string{"task.path_skew=-0.5"}, "task.path_skew"},
	} {
		_, err := Experiment("", "maze-hrm", bad.sets)
		if err == nil || !IsInputError(err) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("-set %v: %v, want an input error containing %q", bad.sets, err, bad.want)
		}
	}
}

func TestMazeCarverListIsAKey(t *testing.T) {
	c, err := Experiment("", "maze-hrm", []string{"task.carver=dfs,dfs,kruskal,prim,wilson"})
	if err != nil || c.Task.Carver != "dfs,dfs,kruskal,prim,wilson" {
		t.Fatalf("a carver list: %v (%q)", err, c.Task.Carver)
	}
}

// The carver, path range and loops are live: the training stream switches at the next batch.
func TestMazeCarverKeysAreLive(t *testing.T) {
	c, err := Experiment("", "", []string{"task.kind=maze", "task.size=11", "task.test_count=4"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := newDataSource(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Edit([]string{"task.carver=kruskal", "task.min_path=2", "task.max_path=5", "task.path_skew=1", "task.loops=-1"}); err != nil {
		t.Fatal(err)
	}
	test, err := d.Update(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(test) != 4 || len(d.Test()) != 4 || &test[0] != &d.Test()[0] {
		t.Fatalf("the held-out split did not follow the edit: %d puzzles returned, %d held", len(test), len(d.Test()))
	}
	if got := d.sampler.Difficulty(); got.Carver != "kruskal" || got.MinPathLen != 2 || got.MaxPathLen != 5 || got.PathSkew != 1 || got.Loops != -1 {
		t.Fatalf("sampler difficulty %+v after the edit", got)
	}
	var b engine.Batch
	if err := d.Next(&b, 16); err != nil {
		t.Fatal(err)
	}
	labels := slices.Clone(b.Labels)
	for _, ex := range test { // the held-out mazes are of the new difficulty too
		labels = append(labels, ex.Label...)
	}
	for i := range len(labels) / 121 {
		path := 1
		for _, tok := range labels[i*121 : (i+1)*121] {
			if tok == 5 { // 'o'
				path++
			}
		}
		if path < 2 || path > 5 {
			t.Fatalf("maze %d (batch then held-out) has a path of %d steps, want 2..5", i, path)
		}
	}
}
