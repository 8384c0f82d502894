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
}
