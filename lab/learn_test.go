package lab

import (
	"flag"
	"testing"
)

var learn = flag.Bool("learn", false, "run the learning regression test (about a minute with OpenBLAS)")

// TestDefaultPresetLearns trains the embedded default experiment from scratch
// for a fixed number of steps and asserts that exact accuracy on held-out
// puzzles rises far above chance (which is about zero for a whole 4x4 Sudoku),
// so a regression in learning is caught. .ci/run runs it with -learn.
func TestDefaultPresetLearns(t *testing.T) {
	if !*learn {
		t.Skip("a learning run: go test -tags openblas ./lab -run DefaultPresetLearns -learn")
	}
	cfg := Default()
	if err := cfg.ApplySets([]string{"run.max_steps=800", "run.eval_every=800", "run.eval_count=256"}); err != nil {
		t.Fatal(err)
	}
	s, _ := runToEnd(t, cfg, Options{})
	ev := s.Status().LastEval
	if ev == nil {
		t.Fatal("no evaluation")
	}
	t.Logf("after %d steps: exact %.3f, token %.3f on %d test puzzles", ev.Step, ev.ExactAccuracy, ev.TokenAccuracy, ev.N)
	if ev.ExactAccuracy < 0.3 || ev.TokenAccuracy < 0.9 {
		t.Fatalf("the default preset did not learn: exact %.3f (want >= 0.3), token %.3f (want >= 0.9) after %d steps",
			ev.ExactAccuracy, ev.TokenAccuracy, ev.Step)
	}
	// Test-time samples: the model answers a mapped puzzle about as well as
	// the puzzle itself once the answer is mapped back (a wrong inverse would
	// make the mapped samples' answers invalid), and choosing among 8 does
	// not lose what one sample had.
	h := s.trainer.Hyper()
	test := s.TestSet()[:256]
	all, err := sample(s.trainer.EvalModel(), s.task, test, h.HaltMaxSteps, h.BatchSize, 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	var idValid, mappedValid float64
	for _, p := range all {
		for j, c := range p.candidates {
			if c.Valid && j == 0 {
				idValid++
			} else if c.Valid {
				mappedValid++
			}
		}
	}
	idValid, mappedValid = idValid/256, mappedValid/(7*256)
	r, err := EvaluateWith(s.trainer.EvalModel(), s.task, test, EvalOptions{Segments: h.HaltMaxSteps, BatchSize: h.BatchSize, Samples: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("8 samples: valid %.3f as it is, %.3f mapped; exact %.3f with one sample, %.3f chosen among 8 (%v)", idValid, mappedValid, *r.ExactOneSample, r.ExactAccuracy, r.ChosenBy)
	if mappedValid < idValid-0.15 || r.ExactAccuracy < *r.ExactOneSample-0.02 {
		t.Fatalf("test-time samples: valid %.3f as it is but %.3f mapped back; exact %.3f chosen among 8 against %.3f with one",
			idValid, mappedValid, r.ExactAccuracy, *r.ExactOneSample)
	}
}
