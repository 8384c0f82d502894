package components

import (
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/exp/golden"

	"hrmlab/engine"
	"hrmlab/lab"
)

func TestStatusBarFitsAndGolden(t *testing.T) {
	st := lab.Status{Run: "sudoku4-hrm-20261128-132930", Task: "sudoku 4", Arch: "hrm", Params: 263_000,
		BLAS: engine.BLASInfo{Backend: "openblas", Core: "SkylakeX", Threads: 2}, State: lab.StateTraining, Step: 12345, StepsPerSec: 23.4,
		Elapsed: 9*time.Minute + 5*time.Second, ETA: time.Hour + 2*time.Minute}
	for _, c := range []struct {
		name  string
		width int
	}{{"narrow", 80}, {"wide", 160}} {
		t.Run(c.name, func(t *testing.T) {
			b := NewStatusBar(styles(true))
			b.SetSize(c.width, 1)
			b.SetStatus(st)
			out := b.View()
			if w := lipgloss.Width(out); w != c.width {
				t.Errorf("width %d, want %d", w, c.width)
			}
			for _, want := range []string{"TRAINING", "step 12345", "23.4/s", "9m05s", "ETA 1h02m00s"} {
				if !strings.Contains(out, want) {
					t.Errorf("status bar lacks %q: %q", want, out)
				}
			}
			golden.RequireEqual(t, out)
		})
	}
}

func TestHelpListsScreenKeys(t *testing.T) {
	c := styles(false)
	h := NewHelp(c)
	h.SetSize(80, 21)
	s := NewSolve(c, newFakeCtl())
	h.SetScreen("Solve", s.FullHelp())
	out := h.View()
	for _, want := range []string{"Everywhere", "Solve", "[/pgup", "previous puzzle", "autoplay", "inner cycles", "quit"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
}
