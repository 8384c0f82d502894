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
