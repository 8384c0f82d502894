package lab

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReadRunOfATrainedRun(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Run.MaxSteps = 6
	s, _ := runToEnd(t, cfg, Options{Persist: true})
	r, err := ReadRun(filepath.Join(cfg.Run.Out, "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "tiny" || len(r.Points) != 6 || len(r.Evals) != 2 || len(r.Elapsed) != 6 {
		t.Fatalf("read %s: %d points, %d evals, %d elapsed", r.Name, len(r.Points), len(r.Evals), len(r.Elapsed))
	}
	if !slices.IsSorted(r.Elapsed) || r.Elapsed[5] <= 0 {
		t.Errorf("elapsed %v: want rising training seconds", r.Elapsed)
	}
	last, secs, rate := r.Final()
	if last.Step != 6 || secs != r.Elapsed[5] || rate <= 0 {
		t.Errorf("Final: step %d, %v s, %v steps/s", last.Step, secs, rate)
	}
	n, err := ParamCount(r.Config)
	if err != nil || n != s.Status().Params {
		t.Errorf("ParamCount %d (%v), the session counts %d", n, err, s.Status().Params)
	}
}

func TestReadRunBadInput(t *testing.T) {
	good := `{"kind":"train","time":"2026-01-01T00:00:00Z","data":{"step":1,"loss":2}}` + "\n"
	cases := []struct {
		name    string
		config  string // "" for no lab.toml
		metrics *string
		want    string
	}{
		{"empty folder", "", nil, "not a run folder (no lab.toml)"},
		{"no metrics", "[train]\nlr = 1e-3\n", nil, "not a run folder (no metrics.jsonl)"},
		{"bad config", "[train]\nlearning = 1\n", &good, `lab.toml:2: unknown key "train.learning"`},
		{"malformed line", "[train]\n", ptr(good + "{not json\n"), "metrics.jsonl:2:"},
		{"bad record", "[train]\n", ptr(good + good + `{"kind":"eval","data":{"step":"x"}}` + "\n"), "metrics.jsonl:3: eval record:"},
		{"no training", "[train]\n", ptr(`{"kind":"eval","data":{"step":1}}` + "\n"), "no training records"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.config != "" {
				os.WriteFile(filepath.Join(dir, "lab.toml"), []byte(c.config), 0o644)
			}
			if c.metrics != nil {
				os.WriteFile(filepath.Join(dir, "metrics.jsonl"), []byte(*c.metrics), 0o644)
			}
			_, err := ReadRun(dir)
			if err == nil || !IsInputError(err) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ReadRun: %v, want an input error with %q", err, c.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestElapsedOf(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		elapsed []float64
		clock   []time.Time
		want    []float64
	}{
		{"one session", []float64{1, 2, 3}, nil, []float64{1, 2, 3}},
		{"resumed twice", []float64{1, 2, 0.5, 1.5, 1}, nil, []float64{1, 2, 2.5, 3.5, 4.5}},
		{"old log: clock time", []float64{0, 0, 0}, []time.Time{t0, t0.Add(2 * time.Second), t0.Add(5 * time.Second)}, []float64{0, 2, 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := make([]Point, len(c.elapsed))
			clock := c.clock
			if clock == nil {
				clock = make([]time.Time, len(ps))
			}
			for i, e := range c.elapsed {
				ps[i] = Point{Step: i + 1, Elapsed: e}
			}
			if got := elapsedOf(ps, clock); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestDifferingKeys(t *testing.T) {
	cfg := func(sets ...string) *Config {
		c := Default()
		if err := c.ApplySets(sets); err != nil {
			t.Fatal(err)
		}
		return c
	}
	cases := []struct {
		name string
		cfgs []*Config
		want []string
	}{
		{"one run", []*Config{cfg("train.lr=1e-3")}, nil},
		{"names and places only", []*Config{cfg("run.name=a", "run.out=x"), cfg("run.name=b")}, nil},
		{"lr", []*Config{cfg("run.name=a"), cfg("run.name=b", "train.lr=1e-3")}, []string{"train.lr"}},
		{"file order, any run", []*Config{cfg(), cfg("train.lr=1e-3"), cfg("model.hidden=32")}, []string{"model.hidden", "train.lr"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := DifferingKeys(c.cfgs); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}
