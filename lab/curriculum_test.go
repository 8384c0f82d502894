package lab

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"hrmlab/tasks"
)

func TestCurriculumValidation(t *testing.T) {
	for _, bad := range []struct{ stages, want string }{
		{`["task.min_givens=5 task.max_givens=6", "model.hidden=32"]`, "entry 2"},
		{`["model.hidden=32"]`, "model.hidden is not a live key"},
		{`["curriculum.advance_at=0.5"]`, "not a live key outside [curriculum]"},
		{`["task.min_gvens=5"]`, `did you mean "task.min_givens"`},
		{`["task.min_givens"]`, `"task.min_givens": want key=value`},
		{`["  "]`, "no edits"},
		{`["task.min_givens=99"]`, "task.min_givens: 99 is more than the 16 cells"},
		{`["task.min_givens=7 task.max_givens=8", "task.max_givens=6"]`, "entry 2"}, // cumulative: min 7 stays
		{`"one stage"`, "not a list of strings"},
	} {
		_, err := Experiment("", "", []string{"curriculum.stages=" + bad.stages})
		if err == nil || !IsInputError(err) || !strings.Contains(err.Error(), bad.want) || !strings.Contains(err.Error(), "curriculum.stages") {
			t.Errorf("stages %s: got %v, want an input error naming curriculum.stages with %q", bad.stages, err, bad.want)
		}
	}
	if _, err := Experiment("", "", []string{"curriculum.stage=1"}); err == nil || !strings.Contains(err.Error(), "curriculum.stage: 1: want 0 to the 0 stages") {
		t.Errorf("a stage past the list: %v", err)
	}
	c, err := Experiment("", "sudoku9-trm", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Curriculum.Stages) < 2 || c.Curriculum.AdvanceAt <= 0 {
		t.Fatalf("the sudoku9-trm preset has no curriculum: %+v", c.Curriculum)
	}
	f, _ := LookupField(c, "curriculum.stages")
	if f.Kind != "list" || !strings.HasPrefix(f.Value, `["task.min_givens=`) {
		t.Fatalf("curriculum.stages as a field: %+v", f)
	}
	d := c.Clone() // the field's text is a value -set reads back
	d.Curriculum.Stages = nil
	if err := d.Set("curriculum.stages", f.Value); err != nil || !slices.Equal(d.Curriculum.Stages, c.Curriculum.Stages) {
		t.Fatalf("setting the field's own text: %v, %q", err, d.Curriculum.Stages)
	}
}

// givens counts the cells a Sudoku question gives (its input equals its label there).
func givens(ex tasks.Example) int {
	n := 0
	for i, v := range ex.Input {
		if v == ex.Label[i] {
			n++
		}
	}
	return n
}

func TestCurriculumEntersStagesAndResumesInOne(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Run.MaxSteps = 10
	stages := []string{"task.min_givens=8 task.max_givens=9", "task.min_givens=5 task.max_givens=6 train.lr=1e-3"}
	if err := cfg.Edit([]string{`curriculum.stages=["` + strings.Join(stages, `", "`) + `"]`, "curriculum.advance_at=0"}); err != nil {
		t.Fatal(err)
	}
	s, events := runToEnd(t, cfg, Options{Persist: true})
	got := s.Config()
	if got.Curriculum.Stage != 2 || got.Task.MinGivens != 5 || got.Task.MaxGivens != 6 || got.Train.LR != 1e-3 {
		t.Fatalf("after the run: stage %d, givens %d..%d, lr %v; want stage 2, 5..6, 0.001",
			got.Curriculum.Stage, got.Task.MinGivens, got.Task.MaxGivens, got.Train.LR)
	}
	var changes []string
	for _, c := range s.History.ChangesSince(0) {
		changes = append(changes, fmt.Sprintf("%s@%d", c.Key, c.Step))
	}
	want := []string{"task.min_givens@3", "task.max_givens@3", "curriculum.stage@3",
		"task.min_givens@6", "task.max_givens@6", "train.lr@6", "curriculum.stage@6"}
	if !slices.Equal(changes, want) {
		t.Fatalf("changes %q, want %q (each stage at the evaluation that reached advance_at)", changes, want)
	}
	logged := 0
	for _, e := range events {
		if e.Kind == EventLog && strings.HasPrefix(e.Text, "curriculum: held-out exact") {
			logged++
		}
	}
	if logged != 2 {
		t.Fatalf("%d curriculum log events, want 2", logged)
	}
	test := s.TestSet()
	for _, ex := range test {
		if g := givens(ex); g < 5 || g > 6 {
			t.Fatalf("a held-out puzzle of the last stage has %d givens, want 5..6", g)
		}
	}
	// A resumed run is in the same stage with the same held-out puzzles.
	resumed, err := ResumeConfig(s.Status().RunDir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewSession(resumed, Options{Resume: s.Status().RunDir})
	if err != nil {
		t.Fatal(err)
	}
	if r.Config().Curriculum.Stage != 2 || !slices.EqualFunc(r.TestSet(), test, func(a, b tasks.Example) bool {
		return slices.Equal(a.Input, b.Input)
	}) {
		t.Fatal("the resumed run is not in the last stage with its held-out puzzles")
	}

	// Below advance_at nothing changes.
	cfg = tinyConfig(t)
	cfg.Run.MaxSteps = 6
	if err := cfg.Edit([]string{`curriculum.stages=["task.min_givens=5 task.max_givens=6"]`, "curriculum.advance_at=1"}); err != nil {
		t.Fatal(err)
	}
	s, _ = runToEnd(t, cfg, Options{})
	if n := len(s.History.ChangesSince(0)); n != 0 || s.Config().Curriculum.Stage != 0 {
		t.Fatalf("an untrained model entered a stage at advance_at 1: %d changes", n)
	}
}
