package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hrmlab/engine"
)

// tinySets shrinks the model and the data so one training step takes
// milliseconds; kind and size come on top.
var tinySets = []string{
	"model.hidden=16", "model.heads=2", "model.h_layers=1", "model.l_layers=1", "model.h_cycles=1",
	"model.l_cycles=1", "model.halt_max_steps=2", "train.batch_size=2", "task.test_count=2", "task.num_aug=1",
}

// arcDataDir returns the ARC-AGI-1 folder ($HRMLAB_DATA/arc-agi-1, else
// ../shared/data/arc-agi-1 from the repository root), or "" when absent.
func arcDataDir() string {
	base := os.Getenv("HRMLAB_DATA")
	if base == "" {
		base = filepath.Join("..", "..", "shared", "data")
	}
	dir := filepath.Join(base, "arc-agi-1")
	if _, err := os.Stat(filepath.Join(dir, "training")); err != nil {
		return ""
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	return abs
}

// TestEveryKindAndSizeTrainsFromTheDefault builds each allowed task kind and
// size from the embedded default with only task.kind and task.size changed
// (through the same merge-then-validate path as the CLI's -set flags), builds
// its data and takes one training step.
func TestEveryKindAndSizeTrainsFromTheDefault(t *testing.T) {
	cases := []struct {
		kind string
		size int
	}{
		{"sudoku", 4}, {"sudoku", 6}, {"sudoku", 9},
		{"maze", 5}, {"maze", 7}, {"maze", 11}, {"maze", 19}, {"maze", 30},
		{"arc", 10},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s%d", tc.kind, tc.size), func(t *testing.T) {
			sets := []string{"task.kind=" + tc.kind, fmt.Sprintf("task.size=%d", tc.size)}
			if tc.kind == "arc" {
				dir := arcDataDir()
				if dir == "" {
					t.Skip("ARC data not found (../shared/data/arc-agi-1 or $HRMLAB_DATA)")
				}
				sets = append(sets, "task.data="+dir)
			}
			cfg, err := Experiment("", "", append(sets, tinySets...))
			if err != nil {
				t.Fatal(err)
			}
			d, err := newDataSource(cfg)
			if err != nil {
				t.Fatal(err)
			}
			m, err := engine.NewModel(modelConfig(cfg, d), uint64(cfg.Run.Seed))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := engine.NewTrainer(m, hyperOf(cfg), uint64(cfg.Run.Seed))
			if err != nil {
				t.Fatal(err)
			}
			var b engine.Batch
			if err := d.Next(&b, cfg.Train.BatchSize); err != nil {
				t.Fatal(err)
			}
			if _, err := tr.Step(b); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSetsApplyTogether: overrides that are valid only together work in any
// order, a real conflict names both keys and their -set flags, and unknown
// keys and bad values are refused at once, naming the flag.
func TestSetsApplyTogether(t *testing.T) {
	for _, sets := range [][]string{
		{"task.kind=maze", "task.size=11"},
		{"task.size=11", "task.kind=maze"},
		{"task.max_givens=40", "task.min_givens=30", "task.size=9"},
		{"task.size=9"},
	} {
		if _, err := Experiment("", "", sets); err != nil {
			t.Errorf("%q: %v", sets, err)
		}
	}
	for _, tc := range []struct {
		file, preset string
		sets         []string
		want         []string
	}{
		{sets: []string{"task.min_givens=40", "task.max_givens=30", "task.size=9"},
			want: []string{"-set task.min_givens=40", "-set task.max_givens=30", "task.max_givens: 30 is below task.min_givens 40"}},
		{sets: []string{"task.kind=maze"}, want: []string{"-set task.kind=maze", "task.size: maze side 4"}},
		{sets: []string{"task.bogus=1", "task.size=x"}, want: []string{`-set task.bogus=1: unknown key "task.bogus"`}},
		{sets: []string{"task.size=x"}, want: []string{`-set task.size=x: task.size: "x" is not a whole number`}},
		{preset: "sudoku9-easy-trm", sets: []string{"task.size=4"},
			want: []string{"-set task.size=4: task.", "is more than the 16 cells"}},
		{preset: "nope", want: []string{`unknown preset "nope"`}},
	} {
		_, err := Experiment(tc.file, tc.preset, tc.sets)
		if err == nil || !IsInputError(err) {
			t.Errorf("%s %q: got %v, want an input error", tc.preset, tc.sets, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s %q: %q lacks %q", tc.preset, tc.sets, err, w)
			}
		}
	}
	// a file's own fault still names its line
	path := filepath.Join(t.TempDir(), "lab.toml")
	if err := os.WriteFile(path, []byte("[task]\nkind = \"maze\"\nsize = 4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Experiment(path, "", []string{"train.lr=1e-3"}); err == nil || !strings.Contains(err.Error(), path+":3: task.size") {
		t.Errorf("file fault: %v", err)
	}
	// ... and a -set fixes it
	if _, err := Experiment(path, "", []string{"task.size=9"}); err != nil {
		t.Errorf("a -set that repairs the file: %v", err)
	}
}

// TestDefaultGivensRange: the default 4x4 experiment keeps its calibrated
// 6..9 givens; other sizes get the task's own range.
func TestDefaultGivensRange(t *testing.T) {
	for _, tc := range []struct {
		sets   []string
		lo, hi int
	}{
		{nil, 6, 9},
		{[]string{"task.size=6"}, 14, 20},
		{[]string{"task.size=9"}, 28, 45},
		{[]string{"task.size=9", "task.min_givens=50"}, 50, 50},
		{[]string{"task.size=9", "task.max_givens=20"}, 20, 20},
		{[]string{"task.size=9", "task.difficulty=easy"}, 40, 48},
	} {
		cfg, err := Experiment("", "", tc.sets)
		if err != nil {
			t.Fatal(err)
		}
		d := difficultyOf(cfg.Task)
		if d.MinGivens != tc.lo || d.MaxGivens != tc.hi {
			t.Errorf("%q: givens %d..%d, want %d..%d", tc.sets, d.MinGivens, d.MaxGivens, tc.lo, tc.hi)
		}
	}
}

// TestPresetSizesNeverFailLate: every generated preset with another size of
// its kind either trains a step or is refused by validation (an input error
// naming the keys), never by the generator after the data is being built.
func TestPresetSizesNeverFailLate(t *testing.T) {
	sizes := map[string][]int{"sudoku": {4, 6, 9}, "maze": {5, 7, 11, 19, 30}}
	for _, p := range Presets() {
		base, err := Preset(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range sizes[base.Task.Kind] {
			sets := append([]string{fmt.Sprintf("task.size=%d", n)}, tinySets...)
			cfg, err := Experiment("", p.Name, sets)
			if err != nil {
				if !IsInputError(err) || !strings.Contains(err.Error(), "-set task.size=") {
					t.Errorf("%s size %d: %v, want an input error naming -set task.size", p.Name, n, err)
				}
				t.Logf("%s size %d: %v", p.Name, n, err)
				continue
			}
			d, err := newDataSource(cfg)
			if err != nil {
				t.Errorf("%s size %d: %v", p.Name, n, err)
				continue
			}
			var b engine.Batch
			if err := d.Next(&b, cfg.Train.BatchSize); err != nil {
				t.Errorf("%s size %d: %v", p.Name, n, err)
			}
		}
	}
}
