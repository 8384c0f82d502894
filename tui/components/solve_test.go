package components

import (
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"hrmlab/engine"
	"hrmlab/lab"
	"hrmlab/tasks"
)

// fakeTrace is a four-segment solution that gets the puzzle right at
// segment 3, where the model would halt; each segment records two inner
// answers.
func fakeTrace(task tasks.Task, ex tasks.Example) lab.SolveTrace {
	tr := lab.SolveTrace{Example: ex, HasAnswer: true, HaltStep: 3, FirstExact: 3}
	var blanks []int
	for i, x := range ex.Input {
		if x != ex.Label[i] {
			blanks = append(blanks, i)
		}
	}
	for seg := 1; seg <= 4; seg++ {
		pred := append([]int32(nil), ex.Label...)
		right := len(blanks) * min(seg, 3) / 3
		for _, i := range blanks[right:] {
			pred[i] = ex.Label[blanks[0]] // a wrong guess
		}
		conf := make([]float32, len(pred))
		for i := range conf {
			conf[i] = 0.4 + 0.15*float32(seg)
		}
		res := task.Check(ex, pred)
		s := lab.SolveSegment{Step: seg, Tokens: pred, QHalt: 0.2 * float64(seg), QContinue: 0.5,
			WouldHalt: seg >= 3, Exact: res.Exact, Valid: res.Valid, Violations: res.Violations, Confidence: conf,
			Inner: [][]int32{ex.Input, pred}}
		if seg > 1 {
			for i := range pred {
				if pred[i] != tr.Segments[seg-2].Tokens[i] {
					s.Changed++
				}
			}
		}
		tr.Segments = append(tr.Segments, s)
	}
	return tr
}

func sudokuExample(t *testing.T, n int, puzzle string) (tasks.Task, tasks.Example) {
	t.Helper()
	s, err := tasks.NewSudoku(n)
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.Parse(puzzle)
	if err != nil {
		t.Fatal(err)
	}
	_, label, err := s.Solve(in)
	if err != nil {
		t.Fatal(err)
	}
	return s, tasks.Example{Input: in, Label: label}
}

func mazeExample(t *testing.T) (tasks.Task, tasks.Example) {
	t.Helper()
	m, err := tasks.NewMaze(7)
	if err != nil {
		t.Fatal(err)
	}
	in, err := m.Parse("#######\n#S    #\n# ### #\n#   # #\n### # #\n#G    #\n#######")
	if err != nil {
		t.Fatal(err)
	}
	label, err := m.Solve(in)
	if err != nil {
		t.Fatal(err)
	}
	return m, tasks.Example{Input: in, Label: label}
}

func arcExample(t *testing.T) (tasks.Task, tasks.Example) {
	t.Helper()
	a, err := tasks.NewARC(6)
	if err != nil {
		t.Fatal(err)
	}
	in, err := a.Parse("0120\n3450\n6789")
	if err != nil {
		t.Fatal(err)
	}
	label, err := a.Parse("9876\n5430\n2100")
	if err != nil {
		t.Fatal(err)
	}
	return a, tasks.Example{Input: in, Label: label}
}

// solveWith is a Solve screen showing a fixed trace (no model runs).
func solveWith(mono bool, task tasks.Task, ex tasks.Example, w, h int) *Solve {
	s := NewSolve(styles(mono), newFakeCtl())
	s.SetSize(w, h)
	s.model, s.task, s.test, s.base, s.segments = &engine.Model{}, task, []tasks.Example{ex}, 4, 4
	s.source = "live weights, snapshot at step 1200"
	tr := fakeTrace(task, ex)
	s.trace = &tr
	return s
}

func TestSolveSegmentKeys(t *testing.T) {
	task, ex := sudokuExample(t, 4, "1..4.4.2.....3.1")
	s := solveWith(false, task, ex, 80, 21)
	steps := []struct {
		key  string
		want int
	}{{"left", 0}, {"right", 1}, {"l", 2}, {"end", 3}, {"right", 3}, {"h", 2}, {"home", 0}}
	for _, st := range steps {
		s.Update(press(st.key))
		if s.pos != st.want {
			t.Fatalf("after %s: segment %d, want %d", st.key, s.pos, st.want)
		}
	}
	// Inner cycles: positions become (segment, inner answer) pairs.
	s.Update(press("right"))
	s.Update(press("c"))
	if !s.inner || s.pos != 2 || s.positions() != 8 {
		t.Fatalf("inner mode: inner %v pos %d positions %d", s.inner, s.pos, s.positions())
	}
	if !strings.Contains(s.View(), "inner cycle 1 of 2") {
		t.Errorf("inner view lacks its position:\n%s", s.View())
	}
	s.Update(press("c"))
	if s.inner || s.pos != 1 {
		t.Fatalf("leaving inner mode: inner %v pos %d", s.inner, s.pos)
	}
}

func TestSolveAutoplay(t *testing.T) {
	task, ex := sudokuExample(t, 4, "1..4.4.2.....3.1")
	s := solveWith(false, task, ex, 80, 21)
	if cmd := s.Update(press("p")); cmd == nil || !s.autoplay {
		t.Fatal("p does not start autoplay")
	}
	for want := 1; want <= 3; want++ {
		s.Update(autoplayMsg{gen: s.gen})
		if s.pos != want {
			t.Fatalf("autoplay at %d, want %d", s.pos, want)
		}
	}
	if cmd := s.Update(autoplayMsg{gen: s.gen}); cmd != nil || s.autoplay {
		t.Error("autoplay goes on past the last segment")
	}
	s.Update(autoplayMsg{gen: s.gen - 1}) // a stale tick changes nothing
	if s.pos != 3 {
		t.Errorf("stale tick moved to %d", s.pos)
	}
}

// TestSolveRunsModel solves test puzzles with a real (tiny, untrained)
// model: a snapshot, a trace, the next puzzle, more segments, a typed puzzle.
func TestSolveRunsModel(t *testing.T) {
	cfg := lab.Default()
	for _, kv := range [][2]string{{"model.hidden", "16"}, {"model.heads", "2"}, {"model.h_layers", "1"}, {"model.l_layers", "1"}, {"task.test_count", "3"}} {
		if err := cfg.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	loaded, err := lab.NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	task, ex := sudokuExample(t, 4, "1..4.4.2.....3.1")
	ex2 := ex
	ex2.Input = append([]int32(nil), ex.Label...)
	ctl := newFakeCtl()
	ctl.model, ctl.task, ctl.test = loaded, task, []tasks.Example{ex, ex2}
	s := NewSolve(styles(false), ctl)
	s.SetSize(80, 21)
	var drive func(cmd tea.Cmd)
	drive = func(cmd tea.Cmd) {
		for _, m := range exec(cmd) {
			drive(s.Update(m))
		}
	}
	drive(s.Open())
	if s.trace == nil || len(s.trace.Segments) != 4 {
		t.Fatalf("no 4-segment trace after opening: %+v", s.trace)
	}
	drive(s.Update(press("]")))
	if s.index != 1 || s.trace.Example.Input[1] != ex2.Input[1] {
		t.Errorf("] shows puzzle %d", s.index)
	}
	drive(s.Update(press("m")))
	if len(s.trace.Segments) != 8 {
		t.Errorf("m ran %d segments, want 8", len(s.trace.Segments))
	}
	// t: 8 test-time samples, their answers and why one was chosen; t t back to one.
	drive(s.Update(press("t")))
	if len(s.trace.Candidates) != 8 || s.trace.ChosenBy == "" || !strings.Contains(s.View(), "8 samples (t), ") || !strings.Contains(s.View(), "identity") {
		t.Errorf("t: %d candidates, chosen by %q:\n%s", len(s.trace.Candidates), s.trace.ChosenBy, s.View())
	}
	drive(s.Update(press("t")))
	drive(s.Update(press("t")))
	if len(s.trace.Candidates) != 0 || strings.Contains(s.View(), "samples (t)") {
		t.Errorf("t three times: still %d candidates", len(s.trace.Candidates))
	}
	// Type a bad puzzle, then a good one.
	s.Update(press("i"))
	if !s.Capturing() {
		t.Fatal("i does not open the input")
	}
	typeText(s, "12x")
	s.Update(press("enter"))
	if s.inputErr == "" || !strings.Contains(s.View(), "✗") {
		t.Errorf("a bad puzzle is not refused in place:\n%s", s.View())
	}
	s.Update(press("esc"))
	s.Update(press("i"))
	s.input.SetValue("1..4.4.2.....3.1")
	drive(s.Update(press("enter")))
	if s.Capturing() || s.typed == nil || s.trace == nil || s.trace.HasAnswer {
		t.Fatalf("typed puzzle not solved: capturing %v typed %v", s.Capturing(), s.typed)
	}
	if !strings.Contains(s.View(), "your puzzle") {
		t.Errorf("typed puzzle view:\n%s", s.View())
	}
}

func TestSolveGolden(t *testing.T) {
	s4, e4 := sudokuExample(t, 4, "1..4.4.2.....3.1")
	s9, e9 := sudokuExample(t, 9, "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79")
	mz, em := mazeExample(t)
	ar, ea := arcExample(t)
	cases := []struct {
		name string
		task tasks.Task
		ex   tasks.Example
		w, h int
		mono bool
		pos  int
	}{
		{"sudoku4_narrow", s4, e4, 80, 21, false, 1},
		{"sudoku9_narrow", s9, e9, 80, 21, false, 1},
		{"sudoku9_wide_mono", s9, e9, 160, 45, true, 2},
		{"maze_narrow", mz, em, 80, 21, false, 0},
		{"maze_mono", mz, em, 80, 21, true, 0},
		{"arc_narrow", ar, ea, 80, 21, false, 1},
		{"arc_mono", ar, ea, 80, 21, true, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := solveWith(c.mono, c.task, c.ex, c.w, c.h)
			s.pos = c.pos
			out := s.View()
			if n := strings.Count(out, "\n") + 1; n != c.h {
				t.Errorf("%d lines, want %d", n, c.h)
			}
			golden.RequireEqual(t, out)
		})
	}
}

// TestSolveTypedPuzzleWarning: a typed puzzle that breaks a rule is solved,
// with the broken rules on a line above the grid; a good one has no line.
func TestSolveTypedPuzzleWarning(t *testing.T) {
	task, ex := sudokuExample(t, 4, "12..34..21..43..")
	cases := []struct {
		name, puzzle string
		w, h         int
		mono         bool
		want         string // in the first line; "" for no warning
	}{
		{"two 1s narrow", "11..34..21..43..", 80, 21, false, "⚠ your puzzle breaks the rules: row 1 has two 1s; column 2 has two 1s;"},
		{"two 1s wide mono", "11..34..21..43..", 160, 45, true, "box 1 has two 1s (the model tries anyway)"},
		{"no solution", "1...3..2.1..4..3", 80, 21, false, "the givens break no rule but have no solution"},
		{"good puzzle", "12..34..21..43..", 80, 21, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := solveWith(c.mono, task, ex, c.w, c.h)
			s.Update(press("i"))
			s.input.SetValue(c.puzzle)
			s.Update(press("enter"))
			if s.typed == nil {
				t.Fatalf("the typed puzzle was refused: %q", s.inputErr)
			}
			tr := fakeTrace(task, ex) // the model's answers, for the typed question
			tr.Example, tr.HasAnswer = *s.typed, false
			s.Update(traceMsg{gen: s.gen, trace: tr})
			out := s.View()
			if n := strings.Count(out, "\n") + 1; n != c.h {
				t.Errorf("%d lines, want %d", n, c.h)
			}
			first, _, _ := strings.Cut(out, "\n")
			if c.want == "" {
				if strings.Contains(out, "breaks the rules") {
					t.Errorf("a warning for a good puzzle:\n%s", out)
				}
			} else if !strings.Contains(out, c.want) || !strings.Contains(first, "breaks the rules") {
				t.Errorf("no %q above the grid:\n%s", c.want, out)
			}
			if !strings.Contains(out, "your puzzle (answer unknown") {
				t.Errorf("the typed puzzle is not shown:\n%s", out)
			}
			if c.name == "two 1s narrow" {
				golden.RequireEqual(t, out)
			}
		})
	}
}

// An ARC puzzle shows its demonstrations beside the answer; d switches to
// the info panel and back.
func TestSolveARCDemonstrations(t *testing.T) {
	d, err := tasks.New(tasks.Options{Kind: "arc", Size: 10, Augment: true, NumAug: 2,
		DataPath: filepath.Join("..", "..", "..", "shared", "data", "arc-agi-1", "training", "0d3d703e.json")})
	if err != nil {
		t.Skip("ARC data not found:", err)
	}
	ex := d.Test[1] // an augmented variant
	s := solveWith(true, d.Task, ex, 160, 40)
	view := s.View()
	if !strings.Contains(view, "4 demonstrations") || !strings.Contains(view, "→") {
		t.Fatalf("no demonstrations beside the ARC answer:\n%s", view)
	}
	s.Update(press("d"))
	if view := s.View(); strings.Contains(view, "demonstrations") || !strings.Contains(view, "segment 1 of 4") {
		t.Fatalf("d does not switch to the info panel:\n%s", view)
	}
}
