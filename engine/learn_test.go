package engine

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// sortBatch draws sequences of digits 1..v-1 whose label is the sorted sequence.
func sortBatch(rng *rand.Rand, c Config, b int) Batch {
	bt := Batch{Size: b, Inputs: make([]int32, b*c.SeqLen), Labels: make([]int32, b*c.SeqLen), PuzzleIDs: make([]int32, b)}
	for i := range b {
		in := bt.Inputs[i*c.SeqLen : (i+1)*c.SeqLen]
		for j := range in {
			in[j] = 1 + int32(rng.IntN(c.VocabSize-1))
		}
		lab := bt.Labels[i*c.SeqLen : (i+1)*c.SeqLen]
		copy(lab, in)
		slices.Sort(lab)
	}
	return bt
}

// TestLearnsSorting: a tiny HRM and a tiny TRM learn to sort short digit
// sequences to at least 99% exact accuracy on fresh sequences, evaluated with
// all segments (TRM on its EMA weights).
func TestLearnsSorting(t *testing.T) {
	if raceEnabled {
		t.Skip("learning tests are too slow under the race detector")
	}
	for _, arch := range []string{"hrm", "trm"} {
		t.Run(arch, func(t *testing.T) { learnSorting(t, arch) })
	}
}

func learnSorting(t *testing.T, arch string) {
	c := DefaultHRM()
	c.VocabSize, c.SeqLen, c.NumPuzzleIDs = 5, 6, 1
	c.Hidden, c.Heads, c.Expansion, c.HLayers, c.LLayers, c.HCycles, c.LCycles = 32, 2, 2, 1, 1, 1, 2
	h := Hyper{BatchSize: 32, LR: 3e-3, LRMinRatio: 1, WarmupSteps: 20, WeightDecay: 0.1, Beta1: 0.9, Beta2: 0.95,
		Optimizer: "adam_atan2", PuzzleEmbLR: 1e-2, PuzzleEmbWeightDecay: 0.1, HaltMaxSteps: 2, HaltExplorationProb: 0.1}
	if arch == "trm" {
		c.Arch, c.HLayers, c.LLayers, c.HCycles, c.LCycles, c.ACTContinue = "trm", 0, 2, 1, 1, false
		h.EMARate = 0.9
	}
	tr, err := NewTrainer(newTestModel(t, c, 1), h, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	eval := sortBatch(rand.New(rand.NewPCG(7, 8)), c, 256)
	exact := func() float64 {
		var acc float64
		err := tr.EvalModel().Run(eval, h.HaltMaxSteps, false, func(seg int, out *SegmentOutput) {
			if seg < h.HaltMaxSteps {
				return
			}
			for i := range eval.Size {
				l := c.SeqLen
				if slices.Equal(out.Preds[i*l:(i+1)*l], eval.Labels[i*l:(i+1)*l]) {
					acc++
				}
			}
			acc /= float64(eval.Size)
		})
		if err != nil {
			t.Fatal(err)
		}
		return acc
	}
	const maxSteps = 2000
	for step := 1; step <= maxSteps; step++ {
		if _, err := tr.Step(sortBatch(rng, c, h.BatchSize)); err != nil {
			t.Fatal(err)
		}
		if step%100 == 0 {
			acc := exact()
			t.Logf("step %d: exact %.3f", step, acc)
			if acc >= 0.99 {
				return
			}
		}
	}
	t.Errorf("exact accuracy %.3f after %d steps, want >= 0.99", exact(), maxSteps)
}
