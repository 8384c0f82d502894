package components

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"hrmlab/lab"
	"hrmlab/tui/common"
	"hrmlab/tui/widgets"
)

// TailSteps is how many recent steps the live tail, the sparklines and the
// training halting histogram cover.
const TailSteps = 300

// Train is the dashboard: whole-run loss and accuracy curves with
// hyperparameter-change and evaluation markers, a live tail, halting
// histograms and sparklines.
type Train struct {
	c             *common.Common
	ctl           Controller
	width, height int

	points  []lab.Point
	evals   []lab.EvalReport
	changes []lab.Change
	status  lab.Status

	// The whole-run series, extended as points arrive so that a frame
	// does not copy the run.
	lm, qHalt, qCont, token, exact []widgets.XY
	hasQCont                       bool
}

// NewTrain returns the dashboard for a session.
func NewTrain(c *common.Common, ctl Controller) *Train {
	return &Train{c: c, ctl: ctl}
}

// Append adds what the session measured since the last call.
func (t *Train) Append(points []lab.Point, evals []lab.EvalReport, changes []lab.Change) {
	t.points = append(t.points, points...)
	for _, p := range points {
		t.lm = append(t.lm, widgets.XY{X: p.Step, Y: p.LMLoss})
		t.qHalt = append(t.qHalt, widgets.XY{X: p.Step, Y: p.QHaltLoss})
		t.qCont = append(t.qCont, widgets.XY{X: p.Step, Y: p.QContinueLoss})
		if p.Count > 0 { // accuracies are over the puzzles that halted at this step
			t.token = append(t.token, widgets.XY{X: p.Step, Y: p.TokenAccuracy})
			t.exact = append(t.exact, widgets.XY{X: p.Step, Y: p.ExactAccuracy})
		}
		t.hasQCont = t.hasQCont || p.QContinueLoss != 0
	}
	t.evals = append(t.evals, evals...)
	t.changes = append(t.changes, changes...)
}

// SetStatus updates the session status the dashboard shows.
func (t *Train) SetStatus(s lab.Status) { t.status = s }

// SetSize implements common.Component.
func (t *Train) SetSize(w, h int) { t.width, t.height = w, h }

// ShortHelp implements common.Component.
func (t *Train) ShortHelp() []key.Binding {
	k := t.c.Keys
	return []key.Binding{k.Pause, k.StepOnce, k.Evaluate, k.Save, k.Branch}
}

// FullHelp implements common.Component.
func (t *Train) FullHelp() [][]key.Binding { return [][]key.Binding{t.ShortHelp()} }

// Update handles the dashboard's keys: pause/resume, one step, evaluate, save.
func (t *Train) Update(msg tea.Msg) tea.Cmd {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := t.c.Keys
	switch {
	case key.Matches(kp, k.Pause):
		if t.status.State == lab.StateDone || t.status.State == lab.StateStopped {
			return Notice("the run reached its limit: raise run.max_steps or run.max_minutes on Params to train on", false)
		}
		if t.status.State == lab.StatePaused {
			t.status.State = lab.StateTraining // shown at once; the session confirms
			return run(t.ctl.Resume)
		}
		t.status.State = lab.StatePaused
		return run(t.ctl.Pause)
	case key.Matches(kp, k.StepOnce):
		if t.status.State != lab.StatePaused {
			return Notice("n trains one step while paused: press space to pause first", false)
		}
		return run(t.ctl.StepOnce)
	case key.Matches(kp, k.Evaluate):
		return tea.Batch(run(t.ctl.EvaluateNow), Notice("evaluating on the test split…", false))
	case key.Matches(kp, k.Save):
		return tea.Batch(run(t.ctl.Save), Notice("saving a checkpoint…", false))
	case key.Matches(kp, k.Branch):
		ctl, st := t.ctl, t.ctl.Status()
		training := st.State == lab.StateTraining
		return tea.Batch(Notice("pausing and saving the fork…", false), func() tea.Msg {
			path, err := ctl.Fork(context.Background())
			if err != nil {
				return NoticeMsg{Text: "branch: " + err.Error(), Err: true}
			}
			return openBranch(path, st.Run, training)
		})
	}
	return nil
}

// View draws the dashboard: side by side when wide, stacked when narrow.
func (t *Train) View() string {
	if t.width <= 0 || t.height <= 0 {
		return ""
	}
	if len(t.points) == 0 {
		msg := "waiting for the first training step…"
		if t.status.State == lab.StatePaused {
			msg = "paused before the first step: press space to train, n for one step"
		}
		return lipgloss.Place(t.width, t.height, lipgloss.Center, lipgloss.Center, t.c.Styles.Dim.Render(msg))
	}
	const sparkRows = 3
	infoRows := 2
	if t.width >= common.WideWidth {
		lw := t.width * 55 / 100
		rw := t.width - lw - 1
		lossH := t.height * 60 / 100
		infoRows = 6 // room for wrapped metrics and the latest changes
		left := t.lossPanel(lw, lossH) + "\n" + t.tailPanel(lw, t.height-lossH)
		rest := t.height - sparkRows - infoRows - 1
		accH := max(rest/2, rest-12) // the histograms need no more than 12 rows
		right := strings.Join([]string{t.accuracyPanel(rw, accH), t.haltPanel(rw, rest-accH),
			t.sparkPanel(rw, sparkRows+1), t.infoPanel(rw, infoRows)}, "\n")
		return widgets.JoinColumns(left, strings.Repeat(" \n", t.height-1)+" ", right)
	}
	charts := t.height - sparkRows - infoRows
	top := charts * 55 / 100
	lw := t.width / 2
	rw := t.width - lw
	return strings.Join([]string{
		widgets.JoinColumns(t.lossPanel(lw, top), t.tailPanel(rw, top)),
		widgets.JoinColumns(t.accuracyPanel(lw, charts-top), t.haltPanel(rw, charts-top)),
		t.sparkPanel(t.width, sparkRows), t.infoPanel(t.width, infoRows)}, "\n")
}

// title draws a panel's title line.
func (t *Train) title(text string, w int) string {
	return widgets.PadRight(t.c.Styles.Title.Render(text), w)
}

// markers are the hyperparameter changes (▲) and evaluations (◆).
func (t *Train) markers() []widgets.Marker {
	var ms []widgets.Marker
	for _, e := range t.evals {
		ms = append(ms, widgets.Marker{X: e.Step, Rune: '◆'})
	}
	for _, c := range t.changes {
		ms = append(ms, widgets.Marker{X: c.Step, Rune: '▲'})
	}
	return ms
}

func (t *Train) span() (int, int) {
	return t.points[0].Step, max(t.points[len(t.points)-1].Step, t.points[0].Step+1)
}

func (t *Train) lossPanel(w, h int) string {
	x0, x1 := t.span()
	lines := []widgets.Line{
		{Name: "lm", Samples: t.lm},
		{Name: "q halt", Samples: t.qHalt},
	}
	if t.hasQCont { // the model has a Q-continue head
		lines = append(lines, widgets.Line{Name: "q cont", Samples: t.qCont})
	}
	chart := widgets.LineChart{Lines: lines, Markers: t.markers(), X0: x0, X1: x1, Width: w, Height: h - 1}
	head := fmt.Sprintf("Loss, steps %d–%d ▲change ◆eval", x0, x1)
	return t.title(head, w) + "\n" + chart.View(t.c.Styles)
}

func (t *Train) tail() []lab.Point {
	return t.points[max(len(t.points)-TailSteps, 0):]
}

func (t *Train) tailPanel(w, h int) string {
	tail := t.tail()
	vals := make([]float64, len(tail))
	for i, p := range tail {
		vals[i] = p.Loss
	}
	head := fmt.Sprintf("Loss, last %d steps", len(tail))
	return t.title(head, w) + "\n" + widgets.Braille{Values: vals, Width: w, Height: h - 1}.View()
}

func (t *Train) accuracyPanel(w, h int) string {
	x0, x1 := t.span()
	var ev []widgets.XY
	for _, e := range t.evals {
		ev = append(ev, widgets.XY{X: e.Step, Y: e.ExactAccuracy})
	}
	lo, hi := 0.0, 1.0
	chart := widgets.LineChart{
		Lines: []widgets.Line{
			{Name: "token", Samples: t.token},
			{Name: "exact", Samples: t.exact},
			{Name: "eval exact", Samples: ev, Dots: true},
		},
		Markers: t.markers(), X0: x0, X1: x1, Width: w, Height: h - 1, Lower: &lo, Upper: &hi,
	}
	return t.title("Accuracy", w) + "\n" + chart.View(t.c.Styles)
}

func (t *Train) haltPanel(w, h int) string {
	tail := t.tail()
	var train []int
	for _, p := range tail {
		for i, c := range p.HaltHistogram {
			for len(train) <= i {
				train = append(train, 0)
			}
			train[i] += c
		}
	}
	hw := w / 2
	left := t.c.Styles.Dim.Render(fmt.Sprintf("train (last %d)", len(tail)))
	right := t.c.Styles.Dim.Render("no evaluation yet")
	var eval []int
	if n := len(t.evals); n > 0 {
		eval = t.evals[n-1].HaltHistogram
		right = t.c.Styles.Dim.Render(fmt.Sprintf("eval @%d", t.evals[n-1].Step))
	}
	bars := widgets.JoinColumns(
		widgets.Histogram{Counts: train, Width: hw, Height: h - 2}.View(),
		widgets.Histogram{Counts: eval, Width: w - hw, Height: h - 2}.View())
	return t.title("Halting step (segments used)", w) + "\n" +
		widgets.PadRight(widgets.PadRight(left, hw)+right, w) + "\n" + bars
}

func (t *Train) sparkPanel(w, h int) string {
	tail := t.tail()
	row := func(name string, get func(lab.Point) float64, format func(float64) string) string {
		vals := make([]widgets.XY, len(tail))
		for i, p := range tail {
			vals[i] = widgets.XY{X: i, Y: get(p)}
		}
		cur := format(get(tail[len(tail)-1]))
		sw := max(w-14-len(cur), 1)
		line := fmt.Sprintf("%-12s ", name) + widgets.Sparkline(widgets.Bucket(vals, 0, len(tail)-1, min(sw, len(tail)))) + " " + cur
		return widgets.PadRight(line, w)
	}
	num := func(v float64) string { return fmt.Sprintf("%.3g", v) }
	rows := []string{
		row("lr", func(p lab.Point) float64 { return p.LR }, num),
		row("grad norm", func(p lab.Point) float64 { return p.GradNorm }, num),
		row("q-halt acc", func(p lab.Point) float64 { return p.QHaltAccuracy }, func(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }),
	}
	if h > len(rows) {
		rows = append([]string{t.title("Recent steps", w)}, rows...)
	}
	return strings.Join(rows[:min(len(rows), h)], "\n")
}

func (t *Train) infoPanel(w, h int) string {
	p := t.points[len(t.points)-1]
	acc := []string{fmt.Sprintf("token %.1f%%", 100*p.TokenAccuracy), fmt.Sprintf("exact %.1f%%", 100*p.ExactAccuracy), fmt.Sprintf("segs %.2f", p.MeanSteps)}
	if p.Count == 0 {
		acc = []string{"no puzzle halted this step"}
	}
	lines := wrapFields(w, append([]string{fmt.Sprintf("step %d", p.Step), fmt.Sprintf("loss %.3g", p.Loss), fmt.Sprintf("lm %.3g", p.LMLoss),
		fmt.Sprintf("q %.2g/%.2g", p.QHaltLoss, p.QContinueLoss)}, acc...)...)
	if n := len(t.evals); n > 0 {
		e := t.evals[n-1]
		lines = append(lines, wrapFields(w, fmt.Sprintf("eval @%d (%d):", e.Step, e.N), fmt.Sprintf("exact %.1f%%", 100*e.ExactAccuracy),
			fmt.Sprintf("valid %.1f%%", 100*e.ValidAccuracy), fmt.Sprintf("token %.1f%%", 100*e.TokenAccuracy),
			fmt.Sprintf("at halt %.1f%%", 100*e.ExactAtHalt), fmt.Sprintf("segs %.2f", e.MeanHaltStep))...)
	} else {
		lines = append(lines, t.c.Styles.Dim.Render("no evaluation yet (e evaluates now)"))
	}
	if cur := t.ctl.Config().Curriculum; len(cur.Stages) > 0 {
		fields := []string{fmt.Sprintf("curriculum stage %d of %d", cur.Stage+1, len(cur.Stages)+1), "(the last)"}
		if cur.Stage < len(cur.Stages) {
			fields[1] = fmt.Sprintf("next at %.0f%% held-out exact: %s", 100*cur.AdvanceAt, cur.Stages[cur.Stage])
		}
		lines = append(lines, wrapFields(w, fields...)...)
	}
	for i := len(t.changes) - 1; i >= 0 && len(lines) < h; i-- {
		c := t.changes[i]
		lines = append(lines, t.c.Styles.Accent.Render(fmt.Sprintf("▲ step %d: %s %s → %s", c.Step, c.Key, c.Old, c.New)))
	}
	for i := range lines {
		lines[i] = widgets.PadRight(lines[i], w)
	}
	return strings.Join(lines[:min(len(lines), h)], "\n")
}

// wrapFields joins fields with two spaces into lines of at most w cells,
// breaking only between fields.
func wrapFields(w int, fields ...string) []string {
	var lines []string
	cur := ""
	for _, f := range fields {
		switch {
		case cur == "":
			cur = f
		case len([]rune(cur))+2+len([]rune(f)) <= w:
			cur += "  " + f
		default:
			lines = append(lines, cur)
			cur = "  " + f
		}
	}
	return append(lines, cur)
}
