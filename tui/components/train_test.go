package components

import (
	"math"
	"slices"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/exp/golden"

	"hrmlab/lab"
)

// busyTrain is a dashboard with a long run: points every step, evaluations
// every 100 steps and two hyperparameter changes.
func busyTrain(c *Train, steps int) {
	var pts []lab.Point
	for i := 1; i <= steps; i++ {
		x := float64(i)
		pts = append(pts, lab.Point{
			Step: i, Loss: 2*math.Exp(-x/300) + 0.05*math.Sin(x/7) + 0.1, LMLoss: 1.8*math.Exp(-x/300) + 0.1,
			QHaltLoss: 0.3 * math.Exp(-x/500), QContinueLoss: 0.2 * math.Exp(-x/400),
			TokenAccuracy: 1 - math.Exp(-x/250), ExactAccuracy: math.Max(0, 1-math.Exp(-x/600)-0.1),
			QHaltAccuracy: 0.5 + 0.5*(1-math.Exp(-x/200)), MeanSteps: 2 + math.Sin(x/50),
			Count: 16, LR: 1e-3 * math.Min(1, x/50), GradNorm: 1 + math.Exp(-x/100),
			HaltHistogram: []int{i % 3, 4, 8 - i%5, 2},
		})
	}
	var evals []lab.EvalReport
	for s := 100; s <= steps; s += 100 {
		evals = append(evals, lab.EvalReport{Step: s, N: 64, Segments: 4, ExactAccuracy: float64(s) / float64(steps+200),
			TokenAccuracy: 0.9, MeanHaltStep: 2.5, HaltHistogram: []int{5, 20, 30, 9}})
	}
	changes := []lab.Change{{Step: steps / 3, Key: "train.lr", Old: "0.001", New: "0.0003"}, {Step: steps * 2 / 3, Key: "model.halt_max_steps", Old: "4", New: "6"}}
	c.Append(pts, evals, changes)
	c.SetStatus(lab.Status{State: lab.StateTraining, Step: steps})
}

func TestTrainKeys(t *testing.T) {
	ctl := newFakeCtl()
	tr := NewTrain(styles(false), ctl)
	tr.SetStatus(lab.Status{State: lab.StateTraining})
	exec(tr.Update(press("space")))
	if tr.status.State != lab.StatePaused {
		t.Errorf("space while training shows %s, want paused", tr.status.State)
	}
	exec(tr.Update(press("n")))
	exec(tr.Update(press("space")))
	exec(tr.Update(press("e")))
	exec(tr.Update(press("s")))
	want := []string{"Pause", "StepOnce", "Resume", "EvaluateNow", "Save"}
	if got := ctl.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
	msgs := exec(tr.Update(press("n"))) // training: n only explains
	if len(msgs) != 1 || !strings.Contains(msgs[0].(NoticeMsg).Text, "pause first") {
		t.Errorf("n while training: %v", msgs)
	}
	if got := ctl.Calls(); len(got) != len(want) {
		t.Errorf("n while training sent a command: %v", got)
	}
}

func TestTrainDoneExplainsLimit(t *testing.T) {
	ctl := newFakeCtl()
	tr := NewTrain(styles(false), ctl)
	tr.SetStatus(lab.Status{State: lab.StateDone})
	msgs := exec(tr.Update(press("space")))
	if len(msgs) != 1 || !strings.Contains(msgs[0].(NoticeMsg).Text, "run.max_steps") || len(ctl.Calls()) != 0 {
		t.Errorf("space when done: %v, calls %v", msgs, ctl.Calls())
	}
}

func TestTrainWaitsForFirstStep(t *testing.T) {
	tr := NewTrain(styles(true), newFakeCtl())
	tr.SetSize(80, 21)
	if !strings.Contains(tr.View(), "waiting for the first training step") {
		t.Errorf("empty dashboard:\n%s", tr.View())
	}
}

func TestTrainGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		w, h int
		mono bool
	}{{"narrow", 80, 21, false}, {"wide", 160, 45, false}, {"narrow_mono", 80, 21, true}} {
		t.Run(c.name, func(t *testing.T) {
			tr := NewTrain(styles(c.mono), newFakeCtl())
			tr.SetSize(c.w, c.h)
			busyTrain(tr, 1500)
			out := tr.View()
			lines := strings.Split(out, "\n")
			if len(lines) != c.h {
				t.Errorf("%d lines, want %d", len(lines), c.h)
			}
			for i, l := range lines {
				if lipgloss.Width(l) > c.w {
					t.Errorf("line %d is %d wide, over %d", i, lipgloss.Width(l), c.w)
				}
			}
			for _, want := range []string{"Loss", "Accuracy", "Halting", "lr", "grad norm", "q-halt acc", "eval @1500"} {
				if !strings.Contains(out, want) {
					t.Errorf("the dashboard lacks %q", want)
				}
			}
			golden.RequireEqual(t, out)
		})
	}
}

// BenchmarkTrainView renders a busy dashboard (20,000 steps, 200
// evaluations) full-screen: it must stay well under a 16 ms frame.
func BenchmarkTrainView(b *testing.B) {
	tr := NewTrain(styles(false), newFakeCtl())
	tr.SetSize(160, 45)
	busyTrain(tr, 20000)
	b.ResetTimer()
	for b.Loop() {
		_ = tr.View()
	}
}
