package components

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"hrmlab/checkpoints"
	"hrmlab/engine"
	"hrmlab/lab"
)

// writeRun makes out/<name>/checkpoints with a checkpoint per step.
func writeRun(t *testing.T, out, name string, steps ...int) []string {
	t.Helper()
	text, err := lab.Default().Encode()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, name, checkpoints.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, s := range steps {
		p := checkpoints.Path(dir, s)
		meta := checkpoints.Meta{Step: s, Config: string(text), Backend: "gonum",
			Created: time.Date(2026, 11, 28, 12, 0, s%60, 0, time.UTC),
			Extra:   map[string]string{checkpoints.KeyTrainLoss: "0.25", checkpoints.KeyEvalExact: "0.5"}}
		w := &engine.Tensor{Name: "w", Shape: []int{2}, F32: []float32{1, 2}}
		if err := checkpoints.Save(p, []*engine.Tensor{w}, meta); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	// Fixed modification times keep the listing (and the golden file) stable.
	fixed := time.Date(2026, 11, 28, 12, 30, 0, 0, time.UTC)
	for _, p := range append(paths, dir, filepath.Dir(dir)) {
		if err := os.Chtimes(p, fixed, fixed); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

func openRuns(t *testing.T, out string) *Runs {
	t.Helper()
	r := NewRuns(styles(false), out, "")
	r.SetSize(80, 21)
	for _, m := range exec(r.Open()) {
		r.Update(m)
	}
	return r
}

func TestRunsListAndDelete(t *testing.T) {
	out := t.TempDir()
	paths := writeRun(t, out, "run-a", 100, 200)
	r := openRuns(t, out)
	view := r.View()
	for _, want := range []string{"run-a", "(2 checkpoints", "200", "0.25", "50.0%"} {
		if !strings.Contains(view, want) {
			t.Errorf("runs view lacks %q:\n%s", want, view)
		}
	}
	ck, ok := r.selected()
	if !ok || ck.Step != 200 {
		t.Fatalf("cursor on %+v, want the newest checkpoint", ck)
	}
	r.Update(press("down"))
	if ck, _ = r.selected(); ck.Step != 100 {
		t.Fatalf("down: cursor on step %d", ck.Step)
	}
	r.Update(press("d"))
	if !strings.Contains(r.View(), "delete") || !r.Capturing() {
		t.Fatalf("no delete question:\n%s", r.View())
	}
	r.Update(press("n"))
	if _, err := os.Stat(paths[0]); err != nil {
		t.Fatal("n deleted the checkpoint")
	}
	r.Update(press("d"))
	for _, m := range exec(r.Update(press("y"))) {
		r.Update(m)
	}
	if _, err := os.Stat(paths[0]); !os.IsNotExist(err) {
		t.Fatalf("y did not delete %s: %v", paths[0], err)
	}
	if strings.Contains(r.View(), "(2 checkpoints") {
		t.Errorf("the list was not refreshed:\n%s", r.View())
	}
}

func TestRunsResumeAsksThenStartsRun(t *testing.T) {
	out := t.TempDir()
	paths := writeRun(t, out, "run-b", 300)
	r := openRuns(t, out)
	r.Update(press("r"))
	if !r.Capturing() {
		t.Fatal("r does not ask")
	}
	msgs := exec(r.Update(press("y")))
	if len(msgs) != 1 {
		t.Fatalf("y gives %v", msgs)
	}
	run, ok := msgs[0].(NewRunMsg)
	if !ok || run.Resume != paths[0] || run.Config == nil {
		t.Errorf("resume gives %+v", msgs[0])
	}
}

func TestRunsEmptyAndGolden(t *testing.T) {
	r := openRuns(t, filepath.Join(t.TempDir(), "none"))
	if !strings.Contains(r.View(), "no runs yet") {
		t.Errorf("empty view:\n%s", r.View())
	}
	// A relative output folder gives the same text on every machine.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	writeRun(t, "runs", "sudoku4-hrm-20261128-120000", 500, 1000, 1500)
	view := openRuns(t, "runs").View()
	if err := os.Chdir(wd); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, view)
}
