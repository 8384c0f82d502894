package components

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hrmlab/lab"
	"hrmlab/tui/common"
	"hrmlab/tui/widgets"
)

// StatusBar is the bottom line: run, task, architecture and parameters,
// BLAS backend, kernels and threads ("openblas SkylakeX x2"), state, step,
// steps/s, elapsed time and the ETA when the run has a limit.
type StatusBar struct {
	c      *common.Common
	width  int
	status lab.Status
}

// NewStatusBar returns an empty status bar.
func NewStatusBar(c *common.Common) *StatusBar { return &StatusBar{c: c} }

// SetStatus sets what the bar shows.
func (b *StatusBar) SetStatus(s lab.Status) { b.status = s }

// SetSize implements common.Component (the bar is one line high).
func (b *StatusBar) SetSize(w, _ int) { b.width = w }

// Update implements common.Component; the bar has no keys.
func (b *StatusBar) Update(tea.Msg) tea.Cmd { return nil }

// ShortHelp implements common.Component.
func (b *StatusBar) ShortHelp() []key.Binding { return nil }

// FullHelp implements common.Component.
func (b *StatusBar) FullHelp() [][]key.Binding { return nil }

// View draws the bar. The run name takes the room the other fields leave
// (shortened with … on a narrow terminal); when even that is not enough the
// least important fields go first.
func (b *StatusBar) View() string {
	s := b.status
	st := b.c.Styles
	state := " " + strings.ToUpper(string(s.State)) + " "
	fields := []string{
		fmt.Sprintf("step %d", s.Step),
		fmt.Sprintf("%.1f/s", s.StepsPerSec),
		duration(s.Elapsed),
	}
	if s.ETA > 0 {
		fields = append(fields, "ETA "+duration(s.ETA))
	}
	fields = append(fields, s.Task, fmt.Sprintf("%s %s", s.Arch, params(s.Params)), s.BLAS.String())
	const sep = "  "
	const minName = 8
	used := func() int { return len([]rune(state)) + len([]rune(strings.Join(fields, sep))) + 2*len(sep) }
	for used()+minName > b.width && len(fields) > 3 {
		fields = fields[:len(fields)-1]
	}
	name := s.Run
	if room := b.width - used(); len([]rune(name)) > room {
		name = string([]rune(name)[:max(room-1, 0)]) + "…"
	}
	line := st.StatusKey.Render(state) + st.StatusBar.Render(sep+name+sep+strings.Join(fields, sep))
	return st.StatusBar.Render(widgets.PadRight(line, b.width))
}

// params formats a parameter count (1.2M, 340K, 900).
func params(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1000:
		return fmt.Sprintf("%.0fK", float64(n)/1e3)
	}
	return strconv.Itoa(n)
}

// duration formats a duration to the second (1h02m03s, 4m05s, 12s).
func duration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}
