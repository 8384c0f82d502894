package lab

import (
	"slices"
	"strings"
	"testing"
)

func TestReferenceRunFor(t *testing.T) {
	cfg, err := Experiment("", "", []string{"run.max_steps=1000", "run.eval_every=300", "train.batch_size=32", "task.train_count=10", "train.optimizer=adamw"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ReferenceRunFor(cfg, "data/x", 100)
	if err != nil {
		t.Fatal(err)
	}
	// 1000 steps of 32 over 100 examples: 320 epochs; 3 evaluations do not divide them, 2 do.
	for _, want := range []string{"arch=hrm_v1", "arch.hidden_size=64", "arch.puzzle_emb_ndim=64", "data_path=data/x",
		"global_batch_size=32", "epochs=320", "eval_interval=160", "lr=0.003", "arch.loss.loss_type=stablemax_cross_entropy"} {
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
	r, err = ReferenceRunFor(trm, "d", 10)
	if err != nil || r.Repo != "SamsungSAILMontreal/TinyRecursiveModels" || !slices.Contains(r.Overrides, "arch=trm") || !slices.Contains(r.Overrides, "data_paths=[d]") {
		t.Errorf("TRM: %+v %v", r, err)
	}
	if _, err := ReferenceRunFor(cfg, "d", 0); err == nil || !strings.Contains(err.Error(), "task.train_count") {
		t.Errorf("a fresh stream: %v", err)
	}
}
