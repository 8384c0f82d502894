package runplot

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"hrmlab/lab"
)

// fakeRun is a run of n logged steps with an evaluation every 10 steps.
func fakeRun(name string, n int, rate float64) *lab.RunLog {
	r := &lab.RunLog{Name: name}
	for s := 1; s <= n; s++ {
		f := float64(s) / float64(n)
		r.Points = append(r.Points, lab.Point{Step: s, Loss: 2 - f, TokenAccuracy: f, MeanSteps: 1 + f, Count: 4})
		r.Elapsed = append(r.Elapsed, float64(s)/rate)
		if s%10 == 0 {
			r.Evals = append(r.Evals, lab.EvalReport{Step: s, ExactAccuracy: f * f})
		}
	}
	return r
}

func TestDrawWritesPNG(t *testing.T) {
	cases := []struct {
		name string
		runs []*lab.RunLog
		opts Options
	}{
		{"one run by step", []*lab.RunLog{fakeRun("a", 50, 10)}, Options{}},
		{"two runs by time", []*lab.RunLog{fakeRun("a", 50, 10), fakeRun("b", 80, 20)}, Options{ByTime: true}},
		{"no evaluations, one step", []*lab.RunLog{fakeRun("a", 1, 10)}, Options{Buckets: 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.png")
			if err := Draw(c.runs, c.opts, path); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil || len(b) < 1000 || !bytes.HasPrefix(b, []byte("\x89PNG")) {
				t.Fatalf("wrote %d bytes (%v), want a PNG", len(b), err)
			}
		})
	}
}

func TestStylesDiffer(t *testing.T) {
	seen := map[[3]int]bool{}
	for i := range 24 {
		key := [3]int{i % len(palette), i % len(dashes), i % len(glyphs)}
		if seen[key] {
			t.Fatalf("run %d is drawn like an earlier one", i)
		}
		seen[key] = true
	}
	if len(StyleOf(1).Dashes) == 0 || StyleOf(0).Glyph == StyleOf(1).Glyph {
		t.Error("the second run needs its own dashes and marker")
	}
}

func TestDrawNoRuns(t *testing.T) {
	if err := Draw(nil, Options{}, filepath.Join(t.TempDir(), "c.png")); err == nil {
		t.Fatal("Draw of no runs: no error")
	}
}
