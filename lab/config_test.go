package lab

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"hrmlab/engine"
)

func TestMain(m *testing.M) {
	engine.Start(os.Stderr) // the kernels and scheduler hrmlab itself runs
	text, err := os.ReadFile(filepath.Join("..", "lab.toml"))
	if err == nil {
		err = SetDefaultText(text)
	}
	if err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func TestDefaultConfigIsValid(t *testing.T) {
	c := Default()
	if c.Task.Kind != "sudoku" || c.Task.Size != 4 || c.Model.Arch != "hrm" {
		t.Fatalf("default is %s %d %s, want the 4x4 Sudoku HRM", c.Task.Kind, c.Task.Size, c.Model.Arch)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestParseErrorsNameFileLineAndKey(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"unknown key", "[train]\nlr = 1e-3\nlearning_rate = 2\n", []string{"x.toml:3", `unknown key "train.learning_rate"`}},
		{"misspelt key suggests", "[model]\nhiden = 64\n", []string{"x.toml:2", `did you mean "model.hidden"`}},
		{"unknown section", "[runs]\nseed = 1\n", []string{"x.toml:1", `unknown key "runs"`}},
		{"wrong type", "[model]\nhidden = \"big\"\n", []string{"x.toml:2", "model.hidden", "incompatible types"}},
		{"out of range", "[train]\n\nbatch_size = 0\n", []string{"x.toml:3", "train.batch_size", "minimum"}},
		{"bad enum", "[model]\narch = \"gpt\"\n", []string{"x.toml:2", "model.arch", `"gpt"`}},
		{"relation", "[model]\nhidden = 64\nheads = 5\n", []string{"x.toml:3", "model.heads", "divide"}},
		{"syntax", "[model\nhidden = 64\n", []string{"x.toml:2", "table name"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.text), "x.toml")
			if err == nil {
				t.Fatal("no error")
			}
			if !IsInputError(err) {
				t.Errorf("%v is not an input error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseKeepsDefaultsForMissingKeys(t *testing.T) {
	c, err := Parse([]byte("[train]\nlr = 3e-4\n"), "x.toml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Train.LR != 3e-4 || c.Model.Hidden != Default().Model.Hidden {
		t.Fatalf("lr %v hidden %d", c.Train.LR, c.Model.Hidden)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if err == nil || !IsInputError(err) || !strings.Contains(err.Error(), "nope.toml") {
		t.Fatalf("got %v", err)
	}
}

func TestSetValidatesAndLeavesConfigOnError(t *testing.T) {
	c := Default()
	if err := c.ApplySets([]string{"train.lr=3e-4", "model.hidden=96", "run.name=abc"}); err != nil {
		t.Fatal(err)
	}
	if c.Train.LR != 3e-4 || c.Model.Hidden != 96 || c.Run.Name != "abc" {
		t.Fatalf("sets not applied: %+v", c.Train)
	}
	before := *c
	for _, bad := range []struct{ set, want string }{
		{"train.lr=fast", `train.lr: "fast" is not a number`},
		{"train.batch_size=-1", "train.batch_size"},
		{"model.heads=7", "model.heads"},
		{"train.lrr=1", `did you mean "train.lr"`},
		{"nokey", "want KEY=VALUE"},
		{"model.act_continue=maybe", "not true or false"},
		{"model.local_mix=2", "model.local_mix: 2 is not an odd kernel side"},
		{"model.local_mix=3", `model.local_mix: 3 needs token_mixer = "mlp"`},
	} {
		err := c.ApplySets([]string{bad.set})
		if err == nil || !strings.Contains(err.Error(), bad.want) || !IsInputError(err) {
			t.Errorf("-set %s: got %v, want an input error containing %q", bad.set, err, bad.want)
		}
	}
	if !reflect.DeepEqual(*c, before) {
		t.Fatal("a refused -set changed the config")
	}
}

func TestFieldsCoverEveryKeyWithHelp(t *testing.T) {
	fields := Fields(Default())
	seen := map[string]bool{}
	for _, f := range fields {
		if f.Help == "" {
			t.Errorf("%s has no help", f.Key)
		}
		if seen[f.Key] {
			t.Errorf("%s twice", f.Key)
		}
		seen[f.Key] = true
	}
	for _, key := range []string{"task.kind", "task.size", "model.arch", "model.hidden", "model.heads",
		"model.h_layers", "model.l_layers", "model.h_cycles", "model.l_cycles", "model.halt_max_steps",
		"model.token_mixer", "train.batch_size", "train.lr", "run.seed"} {
		if !seen[key] {
			t.Errorf("scripts rely on %s, which is missing", key)
		}
	}
	live, _ := LookupField(Default(), "train.lr")
	structural, _ := LookupField(Default(), "model.hidden")
	if !live.Live || structural.Live {
		t.Fatalf("train.lr live=%v, model.hidden live=%v", live.Live, structural.Live)
	}
}

func TestEncodeRoundTrips(t *testing.T) {
	c := Default()
	if err := c.ApplySets([]string{"train.lr=0.00025", "task.size=9", "task.kind=maze", "task.max_givens=0", "task.min_givens=0"}); err != nil {
		t.Fatal(err)
	}
	text, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(text, "encoded")
	if err != nil {
		t.Fatal(err)
	}
	back.Source, c.Source = "", ""
	if !reflect.DeepEqual(*back, *c) {
		t.Fatalf("round trip changed the config:\n%+v\n%+v", back, c)
	}
}

func TestPresetsAllParse(t *testing.T) {
	ps := Presets()
	if len(ps) < 5 || ps[0].Name != DefaultPreset {
		t.Fatalf("presets %v", ps)
	}
	for _, p := range ps {
		c, err := Preset(p.Name)
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		if p.Summary == "" {
			t.Errorf("%s has no summary line", p.Name)
		}
		_ = c
	}
	if _, err := Preset("nope"); err == nil || !strings.Contains(err.Error(), "sudoku4-hrm") {
		t.Fatalf("unknown preset: %v", err)
	}
}

func TestInputErrorUnwraps(t *testing.T) {
	inner := errors.New("x")
	if !errors.Is(&InputError{Err: inner}, inner) {
		t.Fatal("InputError does not unwrap")
	}
}

// TestReadmeListsEveryKey keeps the README's table of keys complete.
func TestReadmeListsEveryKey(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Fields(Default()) {
		if !strings.Contains(string(readme), "`"+f.Key+"`") {
			t.Errorf("README.md does not list %s", f.Key)
		}
	}
}
