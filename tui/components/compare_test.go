package components

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"

	"hrmlab/lab"
)

// plainText is what the user reads: s without its styles.
func plainText(s string) string { return xansi.Strip(s) }

// writeRunLog writes a run folder by hand: lab.toml and metrics.jsonl with a
// training record per step (loss falling at rate, one second a step) and an
// evaluation every 5 steps.
func writeRunLog(t *testing.T, dir string, cfg *lab.Config, from, to int, rate float64) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Save(filepath.Join(dir, "lab.toml")); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rec := func(kind string, v any) {
		data, _ := json.Marshal(v)
		fmt.Fprintf(&b, `{"kind":%q,"time":"2026-11-30T12:00:00Z","data":%s}`+"\n", kind, data)
	}
	for s := from; s <= to; s++ {
		rec("train", lab.Point{Step: s, Loss: 2 - rate*float64(s), TokenAccuracy: rate * float64(s), MeanSteps: 3, Count: 8, Elapsed: float64(s)})
		if s%5 == 0 {
			rec("eval", lab.EvalReport{Step: s, N: 8, ExactAccuracy: rate * float64(s) / 2})
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "metrics.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Compare of a parent and its branch: a row per run with its mark, the
// differing key, the fork; t switches the x axis to training time; every
// width fits, in colour and in monochrome.
func TestCompareView(t *testing.T) {
	out := t.TempDir()
	cfg := lab.Default()
	writeRunLog(t, filepath.Join(out, "p"), cfg, 1, 20, 0.03)
	b := cfg.Clone()
	b.Train.LR, b.Run.Parent, b.Run.ParentStep = 1e-4, "p", 10
	writeRunLog(t, filepath.Join(out, "p-b10"), b, 1, 30, 0.025)
	for _, mono := range []bool{false, true} {
		for _, size := range [][2]int{{80, 21}, {160, 45}} {
			m := NewCompare(styles(mono))
			m.SetSize(size[0], size[1])
			for _, msg := range exec(m.Open([]string{filepath.Join(out, "p"), filepath.Join(out, "p-b10")}, "")) {
				m.Update(msg)
			}
			view := m.View()
			checkFits(t, view, size[0], size[1])
			plain := plainText(view)
			for _, want := range []string{"Compare 2 runs · x: step", "loss steps 1–30", "held-out exact", "token accuracy",
				"mean halting step", "train.lr: p 0.003 · p-b10 0.0001", "p-b10 branched from p at step 10", "30.0% @20"} {
				if !strings.Contains(plain, want) {
					t.Errorf("mono %v %v: no %q in\n%s", mono, size, want, plain)
				}
			}
			if mono && (!strings.Contains(plain, "─ p ") || !strings.Contains(plain, "• p-b10")) {
				t.Errorf("monochrome: the rows do not lead with the runs' glyphs:\n%s", plain)
			}
			m.ToggleTime()
			if plain := plainText(m.View()); !strings.Contains(plain, "x: training time") || !strings.Contains(plain, "loss 1s–30s") {
				t.Errorf("t: no time axis:\n%s", plain)
			}
		}
	}
}

// checkFits fails unless s has exactly h lines of at most w cells.
func checkFits(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := len([]rune(plainText(l))); n > w {
			t.Errorf("line %d has %d cells, more than %d", i, n, w)
		}
	}
}

// Space marks runs, c compares them; b branches from the checkpoint under
// the cursor.
func TestRunsMarkCompareBranch(t *testing.T) {
	out := t.TempDir()
	paths := writeRun(t, out, "run-a", 100, 200)
	writeRunLog(t, filepath.Join(out, "run-a"), lab.Default(), 1, 10, 0.05)
	r := openRuns(t, out)
	r.Update(press("space"))
	if view := r.View(); !strings.Contains(view, "1 marked") || !strings.Contains(view, "● run-a") {
		t.Fatalf("space does not mark:\n%s", view)
	}
	for _, msg := range exec(r.Update(press("c"))) {
		r.Update(msg)
	}
	if view := plainText(r.View()); !strings.Contains(view, "Compare 1 runs") || !strings.Contains(view, "run-a") {
		t.Fatalf("c does not compare:\n%s", view)
	}
	r.Update(press("esc"))
	msgs := exec(r.Update(press("b")))
	if len(msgs) != 1 {
		t.Fatalf("b gives %v", msgs)
	}
	if o, ok := msgs[0].(OpenBranchMsg); !ok || o.Target != (BranchTarget{Path: paths[1], Parent: "run-a", Step: 200}) || o.Config == nil {
		t.Fatalf("b on the newest checkpoint gives %+v", msgs[0])
	}
}

// o opens a checkpoint file by its path; a file that is not one is named in
// the error.
func TestRunsOpenFile(t *testing.T) {
	r := openRuns(t, t.TempDir())
	r.Update(press("o"))
	if !r.Capturing() || !strings.Contains(r.View(), "open: ") {
		t.Fatalf("o does not ask for a path:\n%s", r.View())
	}
	missing := filepath.Join(t.TempDir(), "checkpoint")
	typeText(r, missing)
	var got []string
	for _, m := range exec(r.Update(press("enter"))) {
		for _, m2 := range exec(r.Update(m)) {
			if n, ok := m2.(NoticeMsg); ok && n.Err {
				got = append(got, n.Text)
			}
		}
	}
	if r.Capturing() || len(got) != 1 || !strings.Contains(got[0], missing) {
		t.Fatalf("enter on a missing file: capturing %v, errors %q", r.Capturing(), got)
	}
}
