package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSetsApplyTogether: -set flags are merged, then validated once.
func TestSetsApplyTogether(t *testing.T) {
	for _, sets := range [][]string{
		{"-set", "task.kind=maze", "-set", "task.size=11"},
		{"-set", "task.size=11", "-set", "task.kind=maze"},
		{"-set", "task.size=9"},
	} {
		args := append(append([]string{"train", "-steps", "1", "-out", t.TempDir()}, tiny...), sets...)
		if _, stderr, code := runCmd(t, args...); code != 0 {
			t.Errorf("%q: exit %d: %s", sets, code, stderr)
		}
	}
	_, stderr, code := runCmd(t, "train", "-steps", "1", "-set", "task.min_givens=40", "-set", "task.max_givens=30", "-set", "task.size=9")
	if code != 2 || !strings.Contains(stderr, "task.min_givens") || !strings.Contains(stderr, "task.max_givens") {
		t.Errorf("a real conflict: exit %d, stderr %q; want 2 naming both keys", code, stderr)
	}
}

// TestResumeRunFolder: -resume and -checkpoint take a run folder as its
// latest checkpoint; a folder without one is bad input naming it.
func TestResumeRunFolder(t *testing.T) {
	out := t.TempDir()
	if _, stderr, code := runCmd(t, append([]string{"train", "-steps", "2", "-out", out}, tiny...)...); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	runDir := filepath.Join(out, "e2e")
	if _, stderr, code := runCmd(t, "train", "-resume", runDir, "-steps", "4"); code != 0 {
		t.Fatalf("train -resume RUN_DIR: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(runDir, "checkpoints", "step-0000004.safetensors")); err != nil {
		t.Fatalf("the resumed run did not reach step 4: %v", err)
	}
	if _, stderr, code := runCmd(t, "eval", "-checkpoint", runDir, "-json"); code != 0 {
		t.Fatalf("eval -checkpoint RUN_DIR: exit %d: %s", code, stderr)
	}
	empty := t.TempDir()
	for _, args := range [][]string{{"train", "-resume", empty}, {"eval", "-checkpoint", empty}} {
		if _, stderr, code := runCmd(t, args...); code != 2 || !strings.Contains(stderr, empty) {
			t.Errorf("%q: exit %d, stderr %q; want 2 naming the folder", args, code, stderr)
		}
	}
}

// TestTrainBranch: train -branch starts a run of its own from a checkpoint
// with changed live keys; compare shows the change; structural changes and
// -resume with -branch are bad input.
func TestTrainBranch(t *testing.T) {
	out := t.TempDir()
	if _, stderr, code := runCmd(t, append([]string{"train", "-steps", "4", "-out", out, "-set", "run.log_every=1"}, tiny...)...); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	parent := filepath.Join(out, "e2e")
	if _, stderr, code := runCmd(t, "train", "-branch", parent, "-set", "train.lr=1e-4", "-steps", "6"); code != 0 {
		t.Fatalf("train -branch: exit %d: %s", code, stderr)
	}
	branch := filepath.Join(out, "e2e-b4")
	if _, err := os.Stat(filepath.Join(branch, "checkpoints", "step-0000006.safetensors")); err != nil {
		t.Fatalf("the branch did not reach step 6 in its own folder: %v", err)
	}
	stdout, stderr, code := runCmd(t, "compare", parent, branch)
	if code != 0 || !strings.Contains(stdout, "train.lr=0.0001") || !strings.Contains(stdout, "(branched from e2e at step 4)") {
		t.Fatalf("compare: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-branch", parent, "-set", "model.hidden=32"}, "model.hidden: a branch starts from its parent's exact state"},
		{[]string{"-branch", parent, "-resume", parent}, "give one"},
		{[]string{"-branch", parent, "-preset", "maze-hrm"}, "drop -config/-preset"},
	} {
		if _, stderr, code := runCmd(t, append([]string{"train"}, c.args...)...); code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// TestLoadBadInput: hrmlab -load reads the checkpoint before it opens the
// lab, so a missing or damaged one is bad input naming it.
func TestLoadBadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "step-0000001.safetensors")
	os.WriteFile(bad, []byte("not a checkpoint"), 0o644)
	for _, p := range []string{filepath.Join(t.TempDir(), "missing"), bad} {
		if _, stderr, code := runCmd(t, "-load", p); code != 2 || !strings.Contains(stderr, p) {
			t.Errorf("-load %s: exit %d, stderr %q; want 2 naming it", p, code, stderr)
		}
	}
}

// TestEvalSolveSamples: -samples K solves under K symmetries (eval reports
// the one-sample figure beside, solve lists the candidates), -segments runs
// past halt_max_steps, and -samples on a task without symmetries is bad input.
func TestEvalSolveSamples(t *testing.T) {
	out := t.TempDir()
	if _, stderr, code := runCmd(t, append([]string{"train", "-steps", "2", "-out", out}, tiny...)...); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	run := filepath.Join(out, "e2e")
	stdout, stderr, code := runCmd(t, "eval", "-checkpoint", run, "-n", "8", "-samples", "4", "-segments", "5", "-json")
	if code != 0 || !strings.Contains(stdout, `"samples":4`) || !strings.Contains(stdout, `"exact_one_sample"`) ||
		!strings.Contains(stdout, `"exact_by_votes"`) || !strings.Contains(stdout, `"chosen_by"`) || !strings.Contains(stdout, `"segments":5`) {
		t.Fatalf("eval -samples 4 -segments 5: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = runCmd(t, "solve", "-checkpoint", run, "-puzzle", "1..4.4.2.....3.1", "-samples", "3", "-json")
	if code != 0 || strings.Count(stdout, `"symmetry"`) != 3 || !strings.Contains(stdout, `"chosen":true`) || !strings.Contains(stdout, `"chosen_by"`) {
		t.Fatalf("solve -samples 3: exit %d\n%s%s", code, stdout, stderr)
	}
	if stdout, _, code = runCmd(t, "solve", "-checkpoint", run, "-puzzle", "1..4.4.2.....3.1", "-samples", "3"); code != 0 || !strings.Contains(stdout, "3 test-time samples") {
		t.Fatalf("solve -samples 3 (text): exit %d\n%s", code, stdout)
	}
	// -halt-threshold: the report names the rule it used; out of range is bad input.
	if stdout, stderr, code = runCmd(t, "eval", "-checkpoint", run, "-n", "4", "-halt-threshold", "0.95", "-json"); code != 0 || !strings.Contains(stdout, `"halt_threshold":0.95`) {
		t.Fatalf("eval -halt-threshold 0.95: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, stderr, code = runCmd(t, "solve", "-checkpoint", run, "-puzzle", "1..4.4.2.....3.1", "-halt-threshold", "0.2"); code != 2 || !strings.Contains(stderr, "-halt-threshold: model.halt_threshold: 0.2 is not in [0.5, 1)") {
		t.Fatalf("solve -halt-threshold 0.2: exit %d\n%s", code, stderr)
	}
}
