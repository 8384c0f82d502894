package tasks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseARCName(t *testing.T) {
	for _, tc := range []struct {
		name, task string
		dihedral   int
		colors     string
	}{
		{"007bbfb7", "007bbfb7", 0, "0123456789"},                                 // the task as it is (the reference's builders)
		{"007bbfb7_t3_0574891632", "007bbfb7", 3, "0574891632"},                   // hrmlab, sapientinc/HRM
		{"007bbfb7|||t5|||0387926514", "007bbfb7", 5, "0387926514"},               // TinyRecursiveModels
		{"Copy_1_t7_0817534692", "Copy_1", 7, "0817534692"},                       // a ConceptARC-style name
		{"no_t9_0123456789", "no_t9_0123456789", 0, "0123456789"},                 // not a dihedral id: a bare name
		{"short_t1_012345678", "short_t1_012345678", 0, "0123456789"},             // not a colour map: a bare name
		{"a_b_t2_0987654321", "a_b", 2, "0987654321"},                             // underscores in the task name
		{"007bbfb7_t0_0123456789", "007bbfb7", 0, "0123456789"},                   // hrmlab's identity
		{"007bbfb7_t6_0000000000_x", "007bbfb7_t6_0000000000_x", 0, "0123456789"}, // trailing text: a bare name
	} {
		task, v, err := parseARCName(tc.name)
		var colors [10]int
		for c, d := range tc.colors {
			colors[c] = int(d - '0')
		}
		if err != nil || task != tc.task || v.dihedral != tc.dihedral || v.colors != colors {
			t.Errorf("%q: %q %+v %v, want %q t%d %s", tc.name, task, v, err, tc.task, tc.dihedral, tc.colors)
		}
	}
	if _, _, err := parseARCName("a_t1_0123456788"); err == nil || !strings.Contains(err.Error(), "not a permutation") {
		t.Errorf("a colour map with 8 twice: %v", err)
	}
}

// TestARCReferenceVoting exports an augmented ARC dataset and reads the
// folder back: the same predictions vote to the same candidates and pass@k
// as with the tasks it was built from, the augmentations coming from the
// names in identifiers.json; a folder whose names lie, or that has none, is
// refused.
func TestARCReferenceVoting(t *testing.T) {
	src := t.TempDir()
	for name, task := range map[string]string{
		"a.json": `{"train":[{"input":[[1,2]],"output":[[3]]}],"test":[{"input":[[1,0],[2,3]],"output":[[2,1]]},{"input":[[4]],"output":[[5,5]]}]}`,
		"b.json": `{"train":[{"input":[[7]],"output":[[8]]}],"test":[{"input":[[6,6,1]],"output":[[1],[2]]}]}`,
	} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(task), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := New(Options{Kind: "arc", Size: 4, DataPath: src, Augment: true, NumAug: 3, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := d.Export(dir); err != nil {
		t.Fatal(err)
	}
	back, err := New(Options{Kind: "arc", Size: 4, DataPath: dir})
	if err != nil {
		t.Fatal(err)
	}
	// Every other test example answered right, the rest with their input.
	vote := func(ds *Dataset) (map[ARCTestKey][]ARCCandidate, []float64) {
		var preds []ARCPrediction
		for i, ex := range ds.Test {
			out := ex.Input
			if i%2 == 0 {
				out = ex.Label
			}
			preds = append(preds, ARCPrediction{PuzzleID: ex.PuzzleID, Input: ex.Input, Output: out, QHalt: float64(i) / 10})
		}
		a := ds.Task.(*ARC)
		votes, err := a.Vote(preds)
		if err != nil {
			t.Fatal(err)
		}
		return votes, a.PassAtK(votes, []int{1, 2})
	}
	wantVotes, wantPass := vote(d)
	gotVotes, gotPass := vote(back)
	if len(wantVotes) != 3 || !reflect.DeepEqual(gotVotes, wantVotes) || !reflect.DeepEqual(gotPass, wantPass) {
		t.Errorf("votes %v pass %v, want %v %v", gotVotes, gotPass, wantVotes, wantPass)
	}

	// Two names of task a swapped: its variants no longer undo to one test pair.
	names := slices.Clone(d.Identifiers)
	names[1], names[2] = names[2], names[1]
	b, _ := json.Marshal(names)
	if err := os.WriteFile(filepath.Join(dir, "identifiers.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Kind: "arc", Size: 4, DataPath: dir}); err == nil || !strings.Contains(err.Error(), "does not name its augmentation") {
		t.Errorf("swapped names: %v", err)
	}
	os.Remove(filepath.Join(dir, "identifiers.json"))
	if _, err := New(Options{Kind: "arc", Size: 4, DataPath: dir}); err == nil || !strings.Contains(err.Error(), "identifiers.json is missing") {
		t.Errorf("no identifiers.json: %v", err)
	}
}

// TestARCReferenceBuilderFolder reads a folder that sapientinc/HRM's
// build_arc_dataset.py wrote (testdata/arc_reference): every augmented
// test pair, undone by its name in identifiers.json, is the task's own, and
// voting scores the tasks' true outputs.
func TestARCReferenceBuilderFolder(t *testing.T) {
	d, err := New(Options{Kind: "arc", Size: 30, DataPath: filepath.Join("testdata", "arc_reference", "data")})
	if err != nil {
		t.Fatal(err)
	}
	a := d.Task.(*ARC)
	if len(a.Tasks) != 2 || len(a.variants) != 8 || len(d.Test) != 12 {
		t.Fatalf("%d tasks, %d variants, %d test examples", len(a.Tasks), len(a.variants), len(d.Test))
	}
	for _, got := range a.Tasks {
		raw, err := os.ReadFile(filepath.Join("testdata", "arc_reference", "evaluation", got.ID+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var want ARCTask
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if !got.Eval || !reflect.DeepEqual(got.Test, want.Test) {
			t.Errorf("task %s: test pairs %v, want %v", got.ID, got.Test, want.Test)
		}
	}
	// Right on every variant of 66e6c45b and of 6ea4a07e's first test input, wrong on its second.
	var preds []ARCPrediction
	for _, ex := range d.Test {
		tk, _ := a.PuzzleTask(ex.PuzzleID)
		in, _ := a.Deaugment(ex.PuzzleID, a.Crop(ex.Input))
		out := ex.Input
		if tk.ID == "66e6c45b" || gridsEqual(in, tk.Test[0].Input) {
			out = ex.Label
		}
		preds = append(preds, ARCPrediction{PuzzleID: ex.PuzzleID, Input: ex.Input, Output: out})
	}
	votes, err := a.Vote(preds)
	if err != nil {
		t.Fatal(err)
	}
	if c := votes[ARCTestKey{"6ea4a07e", 0}]; len(c) != 1 || c[0].Votes != 4 || !reflect.DeepEqual(c[0].Grid, a.Tasks[0].Test[0].Output) {
		t.Errorf("6ea4a07e's first test input: candidates %v", c)
	}
	if pass := a.PassAtK(votes, []int{1, 2}); pass[0] != 0.5 || pass[1] != 0.5 {
		t.Errorf("pass@1, pass@2 %v: want 0.5 (66e6c45b solved, 6ea4a07e half)", pass)
	}
}
