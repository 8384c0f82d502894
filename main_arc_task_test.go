package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestARCTaskEvalReportsPassAtK trains the arc-task preset on one task for a
// few steps and checks that eval -json on its checkpoint reports pass@1 and
// pass@2 over the task's test inputs, each under all its variants.
func TestARCTaskEvalReportsPassAtK(t *testing.T) {
	base := os.Getenv("HRMLAB_DATA")
	if base == "" {
		base = filepath.Join("..", "shared", "data")
	}
	task := filepath.Join(base, "arc-agi-1", "training", "0d3d703e.json") // one test input
	if _, err := os.Stat(task); err != nil {
		t.Skip("ARC data not found (../shared/data/arc-agi-1 or $HRMLAB_DATA)")
	}
	out := t.TempDir()
	_, stderr, code := runCmd(t, "train", "-preset", "arc-task", "-steps", "2", "-out", out, "-set", "run.name=arc",
		"-set", "task.data="+task, "-set", "task.size=6", "-set", "task.num_aug=7", "-set", "model.hidden=16",
		"-set", "model.heads=2", "-set", "train.batch_size=4")
	if code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	stdout, stderr, code := runCmd(t, "eval", "-checkpoint", filepath.Join(out, "arc"), "-json")
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	var ev struct {
		N       int      `json:"n"`
		PassAt1 *float64 `json:"pass_at_1"`
		PassAt2 *float64 `json:"pass_at_2"`
	}
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.N != 8 || ev.PassAt1 == nil || ev.PassAt2 == nil || *ev.PassAt1 > *ev.PassAt2 || (*ev.PassAt2 != 0 && *ev.PassAt2 != 1) {
		t.Fatalf("eval -json: %s", stdout)
	}
}
