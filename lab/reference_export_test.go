package lab

import (
	"slices"
	"strings"
	"testing"

	"hrmlab/tasks"
)

// augmentedIndex is a split of groups puzzles, each with variants augmented
// puzzles of one example.
func augmentedIndex(groups, variants int) tasks.Index {
	ix := tasks.Index{PuzzleIndices: []int{0}, GroupIndices: []int{0}}
	for g := range groups {
		for v := range variants {
			ix.PuzzleIndices = append(ix.PuzzleIndices, g*variants+v+1)
		}
		ix.GroupIndices = append(ix.GroupIndices, (g+1)*variants)
	}
	return ix
}

func TestReferenceRunFor(t *testing.T) {
	cfg, err := Experiment("", "", []string{"run.max_steps=1000", "run.eval_every=300", "train.batch_size=32", "task.train_count=10", "train.optimizer=adamw"})
	if err != nil {
		t.Fatal(err)
	}
	// 100 examples: 10 puzzles in 10 augmented variants; the reference's epoch draws one variant of each.
	r, err := ReferenceRunFor(cfg, "data/x", augmentedIndex(10, 10))
	if err != nil {
		t.Fatal(err)
	}
	// 1000 steps of 32 over 10 per epoch: 3200 epochs; 3 evaluations do not divide them, 2 do.
	for _, want := range []string{"arch=hrm_v1", "arch.hidden_size=64", "arch.puzzle_emb_ndim=64", "data_path=data/x",
		"global_batch_size=32", "epochs=3200", "eval_interval=1600", "lr=0.003", "arch.loss.loss_type=stablemax_cross_entropy", "+seed=0"} {
		if !slices.Contains(r.Overrides, want) {
			t.Errorf("overrides %v lack %s", r.Overrides, want)
		}
	}
	if r.Repo != "sapientinc/HRM" || !strings.HasPrefix(r.Command, "OMP_NUM_THREADS=8 torchrun --nproc-per-node 8 pretrain.py arch=hrm_v1 ") ||
		!strings.Contains(strings.Join(r.Notes, "\n"), "AdamATan2") {
		t.Errorf("run %+v", r)
	}
	trm, err := Preset("sudoku6-trm")
	if err != nil {
		t.Fatal(err)
	}
	r, err = ReferenceRunFor(trm, "d", augmentedIndex(10, 1))
	if err != nil || r.Repo != "SamsungSAILMontreal/TinyRecursiveModels" || !slices.Contains(r.Overrides, "arch=trm") ||
		!slices.Contains(r.Overrides, "data_paths=[d]") || !slices.Contains(r.Overrides, "seed=0") {
		t.Errorf("TRM: %+v %v", r, err)
	}
	maze, err := Preset("maze-hrm")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReferenceRunFor(maze, "d", augmentedIndex(10, 1)); err == nil || !strings.Contains(err.Error(), "model.local_mix = 3") {
		t.Errorf("the local convolution, which the reference lacks: %v", err)
	}
	trm.Model.ACTContinue = true
	if _, err := ReferenceRunFor(trm, "d", augmentedIndex(10, 1)); err == nil || !strings.Contains(err.Error(), "no_ACT_continue") {
		t.Errorf("TRM with the continue head: %v", err)
	}
	if _, err := ReferenceRunFor(cfg, "d", augmentedIndex(0, 0)); err == nil || !strings.Contains(err.Error(), "task.train_count") {
		t.Errorf("a fresh stream: %v", err)
	}
}
