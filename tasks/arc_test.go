package tasks

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// arcData returns the ARC-AGI-1 folder ($HRMLAB_DATA/arc-agi-1, else ../../shared/data/arc-agi-1)
// or skips the test when it is absent.
func arcData(t testing.TB) string {
	base := os.Getenv("HRMLAB_DATA")
	if base == "" {
		base = filepath.Join("..", "..", "shared", "data")
	}
	dir := filepath.Join(base, "arc-agi-1")
	if _, err := os.Stat(filepath.Join(dir, "training")); err != nil {
		t.Skipf("ARC data not found at %s", dir)
	}
	return dir
}

func TestDihedralNumpyConventions(t *testing.T) {
	g := []int{1, 2, 3, 4, 5, 6} // 2x3: [[1,2,3],[4,5,6]]
	want := map[int][]int{
		0: {1, 2, 3, 4, 5, 6},
		1: {3, 6, 2, 5, 1, 4}, // np.rot90
		2: {6, 5, 4, 3, 2, 1},
		3: {4, 1, 5, 2, 6, 3},
		4: {3, 2, 1, 6, 5, 4}, // np.fliplr
		5: {4, 5, 6, 1, 2, 3}, // np.flipud
		6: {1, 4, 2, 5, 3, 6}, // transpose
		7: {6, 3, 5, 2, 4, 1}, // fliplr(rot90)
	}
	for tr := range 8 {
		out, h, w := dihedral(tr, g, 2, 3)
		if !slices.Equal(out, want[tr]) {
			t.Errorf("transform %d: %v, want %v", tr, out, want[tr])
		}
		back, bh, bw := dihedral(DihedralInverse[tr], out, h, w)
		if !slices.Equal(back, g) || bh != 2 || bw != 3 {
			t.Errorf("transform %d then its inverse: %v (%dx%d)", tr, back, bh, bw)
		}
	}
}

func TestARCEncodeCrop(t *testing.T) {
	a, _ := NewARC(5)
	g := [][]int{{1, 2}, {3, 0}}
	tok := a.Encode(g, 1, 2)
	want := []int32{
		0, 0, 0, 0, 0,
		0, 0, 3, 4, 1,
		0, 0, 5, 2, 1,
		0, 0, 1, 1, 0,
		0, 0, 0, 0, 0,
	}
	if !slices.Equal(tok, want) {
		t.Fatalf("Encode = %v", tok)
	}
	if c := a.Crop(a.Encode(g, 0, 0)); !gridsEqual(c, g) {
		t.Fatalf("Crop = %v", c)
	}
	if c := a.Crop(tok); len(c) != 0 {
		t.Fatalf("Crop of a translated grid = %v, want empty", c)
	}
	full := [][]int{{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}}
	if c := a.Crop(a.Encode(full, 0, 0)); !gridsEqual(c, full) {
		t.Fatalf("Crop of a full canvas = %v", c)
	}
	// A ragged prediction: the largest top-left colour rectangle wins.
	pred := slices.Clone(a.Encode([][]int{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}, 0, 0))
	pred[1*5+2] = arcEOS
	if c := a.Crop(pred); len(c) != 3 || len(c[0]) != 2 {
		t.Fatalf("Crop of ragged prediction = %v", c)
	}
	in, err := a.Parse("12\n30")
	if err != nil || a.Format(in) != "[[1,2],[3,0]]" {
		t.Fatalf("Parse/Format: %v %s", err, a.Format(in))
	}
	if in2, _ := a.Parse("[[1,2],[3,0]]"); !slices.Equal(in, in2) {
		t.Fatal("JSON and digit rows parse differently")
	}
	for _, bad := range []string{"12\n3", "1a", "[[1,2],[3]]", "[[1,12]]", "[[1,2]", "123456"} {
		if _, err := a.Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	gr := a.Grid(tok, nil)
	if !gr.Cells[0].Pad || gr.Cells[7].Color != 1 || !gr.Cells[7].Given || gr.Cells[9].Text != "•" {
		t.Fatalf("Grid cells %+v %+v %+v", gr.Cells[0], gr.Cells[7], gr.Cells[9])
	}
}

// TestARCRoundTripAllTasks encodes every grid of the 800 tasks in every augmentation and
// decodes it back: crop, then undo the augmentation.
func TestARCRoundTripAllTasks(t *testing.T) {
	a, _ := NewARC(30)
	if err := a.LoadARC(arcData(t)); err != nil {
		t.Fatal(err)
	}
	if len(a.Tasks) != 800 || len(a.Skipped) != 0 {
		t.Fatalf("%d tasks, skipped %v", len(a.Tasks), a.Skipped)
	}
	train, test, names := a.build(rand.New(rand.NewPCG(1, 1)), 1, false)
	if len(names) != 1+len(a.variants) || a.NumPuzzleIDs() != len(names) {
		t.Fatalf("%d names for %d variants", len(names), len(a.variants))
	}
	grids := 0
	for _, ex := range slices.Concat(train.examples, test.examples) {
		task, err := a.PuzzleTask(ex.PuzzleID)
		if err != nil {
			t.Fatal(err)
		}
		in, err := a.Deaugment(ex.PuzzleID, a.Crop(ex.Input))
		if err != nil {
			t.Fatal(err)
		}
		j := slices.IndexFunc(slices.Concat(task.Train, task.Test), func(p ARCPair) bool { return gridsEqual(p.Input, in) })
		if j < 0 {
			t.Fatalf("task %s (puzzle %s): decoded input matches no pair", task.ID, names[ex.PuzzleID])
		}
		lab := slices.Clone(ex.Label)
		for i, v := range lab {
			if v == Ignore {
				lab[i] = arcPad
			}
		}
		out, _ := a.Deaugment(ex.PuzzleID, a.Crop(lab))
		if !slices.ContainsFunc(slices.Concat(task.Train, task.Test), func(p ARCPair) bool {
			return gridsEqual(p.Input, in) && gridsEqual(p.Output, out)
		}) {
			t.Fatalf("task %s: decoded output does not match", task.ID)
		}
		grids += 2
	}
	// Split rule: 1302+416 training pairs and 1363 evaluation demos in train, 419 test pairs.
	if n := len(train.examples); n != 2*(1302+416+1363) {
		t.Errorf("%d train examples, want %d", n, 2*(1302+416+1363))
	}
	if n := len(test.examples); n != 2*419 || test.index.Groups() != 400 {
		t.Errorf("%d test examples in %d groups, want %d in 400", n, test.index.Groups(), 2*419)
	}
	t.Logf("%d grids round-tripped", grids)
}

func TestARCSmallCanvasSkips(t *testing.T) {
	a, _ := NewARC(10)
	if err := a.LoadARC(filepath.Join(arcData(t), "training")); err != nil {
		t.Fatal(err)
	}
	if len(a.Tasks)+len(a.Skipped) != 400 || len(a.Skipped) == 0 || !strings.Contains(a.Skipped[0], "over the canvas 10x10") {
		t.Fatalf("%d tasks, %d skipped (%v)", len(a.Tasks), len(a.Skipped), a.Skipped[:1])
	}
	// No "evaluation" folder among the loaded files: every task counts as one (test pairs test).
	for _, task := range a.Tasks {
		if !task.Eval {
			t.Fatalf("task %s not marked evaluation", task.ID)
		}
	}
	_, err := New(Options{Kind: "arc", Size: 1, DataPath: filepath.Join(arcData(t), "training")})
	if err == nil || !strings.Contains(err.Error(), "no task fits the canvas 1x1 (400 skipped") {
		t.Fatalf("canvas 1: %v", err)
	}
}

func TestARCTranslationStaysOnCanvas(t *testing.T) {
	dir := t.TempDir()
	task := `{"train":[{"input":[[1,2],[3,4]],"output":[[5]]},{"input":[[1]],"output":[[2,2,2]]},{"input":[[7]],"output":[[8]]}],
	"test":[{"input":[[1,1]],"output":[[2]]}]}`
	if err := os.WriteFile(filepath.Join(dir, "t1.json"), []byte(task), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Kind: "arc", Size: 6, DataPath: dir, Augment: true, NumAug: 3, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d.TrainIndex.Puzzles() != 4 || len(d.Test) != 4 || d.Task.NumPuzzleIDs() != 5 {
		t.Fatalf("%d puzzles, %d test examples, %d ids", d.TrainIndex.Puzzles(), len(d.Test), d.Task.NumPuzzleIDs())
	}
	a := d.Task.(*ARC)
	for p := range d.TrainIndex.Puzzles() {
		atOrigin := 0
		for _, ex := range d.Train[d.TrainIndex.PuzzleIndices[p]:d.TrainIndex.PuzzleIndices[p+1]] {
			if len(a.Crop(ex.Input)) > 0 {
				atOrigin++
			}
			colours := 0
			for _, v := range ex.Input {
				if v >= 2 {
					colours++
				}
			}
			if colours == 0 {
				t.Fatal("translated grid lost its cells")
			}
		}
		if atOrigin < 1 {
			t.Fatalf("puzzle %d: no example at the origin", p)
		}
	}
	for _, ex := range d.Test {
		if len(a.Crop(ex.Input)) == 0 {
			t.Fatal("test example translated")
		}
	}
}

func TestARCMalformed(t *testing.T) {
	cases := []struct{ name, data, want string }{
		{"syntax.json", "{\"train\": [\n{\"input\": [[1,2]],,}]}", "syntax.json line 2: invalid JSON"},
		{"type.json", "{\"train\": [{\"input\": [[1,\"x\"]], \"output\": [[1]]}], \"test\": []}", "type.json line 1: task type"},
		{"ragged.json", `{"train":[{"input":[[1,2],[3]],"output":[[1]]}],"test":[{"input":[[1]],"output":[[1]]}]}`, "task ragged: train pair 1 input: row 2 has 1 cells, want 2"},
		{"colour.json", `{"train":[{"input":[[1]],"output":[[1]]}],"test":[{"input":[[1]],"output":[[10]]}]}`, "task colour: test pair 1 output: row 1 column 1: colour 10"},
		{"empty.json", `{"train":[],"test":[]}`, "task empty: 0 train and 0 test pairs"},
		{"big.json", `{"train":[{"input":[[` + strings.Repeat("1,", 30) + `1]],"output":[[1]]}],"test":[{"input":[[1]],"output":[[1]]}]}`, "row 1 has 31 cells"},
	}
	for _, c := range cases {
		_, err := DecodeARCTask([]byte(c.data), "dir/"+c.name)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	a, _ := NewARC(0)
	if err := a.LoadARC(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no .json") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestARCVotePassAtK(t *testing.T) {
	dir := filepath.Join(arcData(t), "evaluation")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sub := t.TempDir()
	evalDir := filepath.Join(sub, "evaluation")
	if err := os.Mkdir(evalDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files[:10] {
		b, _ := os.ReadFile(f)
		if err := os.WriteFile(filepath.Join(evalDir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := New(Options{Kind: "arc", DataPath: sub, Augment: true, NumAug: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := d.Task.(*ARC)
	// Perfect predictions from every variant, plus a wrong guess of higher confidence from
	// each: the wrong colour is undone differently per variant, so votes favour the right answer.
	var preds []ARCPrediction
	for _, ex := range d.Test {
		lab := slices.Clone(ex.Label)
		for i, v := range lab {
			if v == Ignore {
				lab[i] = arcPad
			}
		}
		preds = append(preds, ARCPrediction{PuzzleID: ex.PuzzleID, Input: ex.Input, Output: lab, QHalt: 0.5})
		preds = append(preds, ARCPrediction{PuzzleID: ex.PuzzleID, Input: ex.Input, Output: a.Encode([][]int{{9}}, 0, 0), QHalt: 0.9})
	}
	votes, err := a.Vote(preds)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.PassAtK(votes, []int{1, 2}); got[0] != 1 || got[1] != 1 {
		t.Fatalf("pass@1,2 = %v", got)
	}
	wrong := make([]ARCPrediction, 0, len(preds)/2)
	for i := 1; i < len(preds); i += 2 {
		wrong = append(wrong, preds[i])
	}
	votes, _ = a.Vote(wrong)
	if got := a.PassAtK(votes, []int{1, 10}); got[0] != 0 || got[1] != 0 {
		t.Fatalf("pass@K of wrong predictions = %v", got)
	}
	if _, err := a.Vote([]ARCPrediction{{PuzzleID: 999}}); err == nil {
		t.Fatal("unknown puzzle id accepted")
	}
}

// FuzzDecodeARCTask checks that arbitrary bytes never panic the task reader and that every
// accepted task encodes and crops back to its grids.
func FuzzDecodeARCTask(f *testing.F) {
	f.Add([]byte(`{"train":[{"input":[[1,2],[3,4]],"output":[[5]]}],"test":[{"input":[[0]],"output":[[9,9]]}]}`))
	f.Add([]byte(`{"train":[{"input":[[1,2],[3]],"output":[[1]]}],"test":[]}`))
	f.Add([]byte(`{"train": [{"input": [[1,"x"]]}]}`))
	f.Add([]byte(`[[1,2]]`))
	f.Add([]byte(`{"train":null,"test":[{"input":[[]],"output":[[1]]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		task, err := DecodeARCTask(data, "fuzz.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.json") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		a, _ := NewARC(30)
		for _, p := range slices.Concat(task.Train, task.Test) {
			if got := a.Crop(a.Encode(p.Output, 0, 0)); !gridsEqual(got, p.Output) {
				t.Fatalf("round trip %v -> %v", p.Output, got)
			}
		}
	})
}

// The demonstrations of an augmented puzzle are its task's demos under the
// same map: de-augmenting them gives the originals back.
func TestDemonstrationsFollowTheVariant(t *testing.T) {
	a, err := NewARC(30)
	if err != nil {
		t.Fatal(err)
	}
	task := &ARCTask{ID: "t", Eval: true,
		Train: []ARCPair{{Input: [][]int{{1, 2}, {3, 4}}, Output: [][]int{{4, 3, 0}}}},
		Test:  []ARCPair{{Input: [][]int{{5}}, Output: [][]int{{6}}}}}
	a.Tasks = []*ARCTask{task}
	a.build(rand.New(rand.NewPCG(3, 4)), 8, false)
	for id := int32(1); int(id) <= len(a.variants); id++ {
		demos, err := a.Demonstrations(id)
		if err != nil || len(demos) != 1 {
			t.Fatalf("puzzle %d: %v %v", id, demos, err)
		}
		in, _ := a.Deaugment(id, demos[0].Input)
		out, _ := a.Deaugment(id, demos[0].Output)
		if !gridsEqual(in, task.Train[0].Input) || !gridsEqual(out, task.Train[0].Output) {
			t.Fatalf("puzzle %d: demos %v de-augment to %v → %v", id, demos[0], in, out)
		}
	}
	if g := ColorGrid(task.Train[0].Output); g.Rows != 1 || g.Cols != 3 || g.Cells[0].Color != 4 {
		t.Fatalf("ColorGrid %+v", g)
	}
}
