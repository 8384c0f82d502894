package components

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"hrmlab/lab"
	"hrmlab/tui/common"
	"hrmlab/tui/widgets"
)

// CompareRefresh is how often Compare rereads the runs while one of them is
// the live run, so its curves keep up with training.
const CompareRefresh = 2 * time.Second

// Compare overlays the curves of several runs (training loss, held-out exact
// accuracy, token accuracy, mean halting step), by step or by training time,
// one colour (monochrome: one glyph) per run, over a table of their figures
// that is also the legend, and the lab.toml keys where they differ. The Runs
// screen opens it on the marked runs; a branch and its parent share their
// records up to the fork, so their curves coincide there.
type Compare struct {
	c             *common.Common
	width, height int

	dirs   []string // the runs' folders, in the order they are drawn
	live   string   // the live run's folder ("" when it is not compared)
	gen    int      // loads of an earlier opening are dropped
	runs   []*lab.RunLog
	table  *lab.RunComparison
	err    string
	byTime bool
}

type compareMsg struct {
	gen  int
	runs []*lab.RunLog
	err  error
}

type compareTickMsg struct{ gen int }

// NewCompare returns the Compare view.
func NewCompare(c *common.Common) *Compare { return &Compare{c: c} }

// Open starts comparing the runs in dirs (live names the live run's folder,
// reread every CompareRefresh while open).
func (m *Compare) Open(dirs []string, live string) tea.Cmd {
	m.gen++
	m.dirs, m.live, m.runs, m.table, m.err = dirs, "", nil, nil, ""
	if slices.Contains(dirs, live) {
		m.live = live
	}
	return m.load()
}

// Close stops the refreshes of an open comparison.
func (m *Compare) Close() { m.gen++ }

// ToggleTime switches the x axis between steps and training time.
func (m *Compare) ToggleTime() { m.byTime = !m.byTime }

// SetSize implements part of common.Component.
func (m *Compare) SetSize(w, h int) { m.width, m.height = w, h }

func (m *Compare) load() tea.Cmd {
	dirs, gen := m.dirs, m.gen
	return func() tea.Msg {
		var runs []*lab.RunLog
		for _, d := range dirs {
			r, err := lab.ReadRun(d)
			if err != nil {
				return compareMsg{gen: gen, err: err}
			}
			runs = append(runs, r)
		}
		return compareMsg{gen: gen, runs: runs}
	}
}

// Update takes the loaded runs and, with a live run, the refresh ticks.
func (m *Compare) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case compareMsg:
		if msg.gen != m.gen {
			return nil
		}
		if msg.err != nil {
			// a live run's last line may be half written: keep what is shown
			m.err = msg.err.Error()
		} else if t, err := lab.Compare(msg.runs); err != nil {
			m.err = err.Error()
		} else {
			m.runs, m.table, m.err = msg.runs, t, ""
		}
		if m.live == "" {
			return nil
		}
		gen := m.gen
		return tea.Tick(CompareRefresh, func(time.Time) tea.Msg { return compareTickMsg{gen: gen} })
	case compareTickMsg:
		if msg.gen == m.gen {
			return m.load()
		}
	}
	return nil
}

// View draws the title, the four charts and the table.
func (m *Compare) View() string {
	st := m.c.Styles
	axis := "step"
	if m.byTime {
		axis = "training time"
	}
	title := st.Title.Render(fmt.Sprintf("Compare %d runs", len(m.dirs))) +
		st.Dim.Render(fmt.Sprintf(" · x: %s · t toggles · ▲ change/fork · esc back", axis))
	if m.table == nil {
		text := "reading the runs…"
		if m.err != "" {
			text = st.Error.Render("✗ " + m.err)
		}
		return widgets.Fit(title+"\n"+text, m.width, m.height)
	}
	table := m.tableLines()
	chartsH := m.height - 1 - len(table)
	var lines []string
	lines = append(lines, title)
	if m.err != "" {
		lines = append(lines, st.Error.Render("✗ "+m.err))
		chartsH--
	}
	lines = append(lines, m.charts(max(chartsH, 0)))
	lines = append(lines, table...)
	return widgets.Fit(strings.Join(lines, "\n"), m.width, m.height)
}

// metric is one of the overlaid charts: what it plots of each run.
type metric struct {
	title        string
	lower, upper *float64
	samples      func(r *lab.RunLog, x func(i int) int) []widgets.XY
}

func unit() (*float64, *float64) {
	lo, hi := 0.0, 1.0
	return &lo, &hi
}

// pointSeries plots y over the training points, leaving out those where keep
// says no puzzle was measured.
func pointSeries(y func(lab.Point) float64, keep func(lab.Point) bool) func(*lab.RunLog, func(int) int) []widgets.XY {
	return func(r *lab.RunLog, x func(int) int) []widgets.XY {
		var out []widgets.XY
		for i, p := range r.Points {
			if keep == nil || keep(p) {
				out = append(out, widgets.XY{X: x(i), Y: y(p)})
			}
		}
		return out
	}
}

// heldOut is the held-out exact accuracy as of each training point (the last
// evaluation at or before it), so that sparse evaluations draw a line.
func heldOut(r *lab.RunLog, x func(int) int) []widgets.XY {
	var out []widgets.XY
	j := -1
	for i, p := range r.Points {
		for j+1 < len(r.Evals) && r.Evals[j+1].Step <= p.Step {
			j++
		}
		if j >= 0 {
			out = append(out, widgets.XY{X: x(i), Y: r.Evals[j].ExactAccuracy})
		}
	}
	return out
}

func measured(p lab.Point) bool { return p.Count > 0 }

func (m *Compare) metrics() []metric {
	lo, hi := unit()
	return []metric{
		{title: "loss", samples: pointSeries(func(p lab.Point) float64 { return p.Loss }, nil)},
		{title: "held-out exact", lower: lo, upper: hi, samples: heldOut},
		{title: "token accuracy", lower: lo, upper: hi, samples: pointSeries(func(p lab.Point) float64 { return p.TokenAccuracy }, measured)},
		{title: "mean halting step", samples: pointSeries(func(p lab.Point) float64 { return p.MeanSteps }, measured)},
	}
}

// xOf maps a run's training point to the chart's x: its step, or its
// training time in tenths of a second.
func (m *Compare) xOf(r *lab.RunLog) func(i int) int {
	if m.byTime {
		return func(i int) int { return int(math.Round(10 * r.Elapsed[i])) }
	}
	return func(i int) int { return r.Points[i].Step }
}

// charts lays the four charts out two by two (four across when wide and
// short).
func (m *Compare) charts(h int) string {
	ms := m.metrics()
	cols := 2
	if m.width >= 160 && h < 24 {
		cols = 4
	}
	rows := (len(ms) + cols - 1) / cols
	if h < 4*rows {
		return widgets.Fit(m.c.Styles.Dim.Render("  (the terminal is too short for the charts)"), m.width, h)
	}
	x0, x1 := m.xRange()
	var out []string
	for r := range rows {
		cellH := h / rows
		if r == rows-1 {
			cellH = h - cellH*(rows-1)
		}
		var blocks []string
		for c := range cols {
			w := m.width / cols
			if c == cols-1 {
				w = m.width - w*(cols-1)
			}
			if i := r*cols + c; i < len(ms) {
				blocks = append(blocks, m.chart(ms[i], x0, x1, w, cellH))
			}
		}
		out = append(out, widgets.JoinColumns(blocks...))
	}
	return strings.Join(out, "\n")
}

func (m *Compare) xRange() (x0, x1 int) {
	x0, x1 = math.MaxInt, 0
	for _, r := range m.runs {
		x := m.xOf(r)
		x0, x1 = min(x0, x(0)), max(x1, x(len(r.Points)-1))
	}
	return x0, max(x1, x0+1)
}

func (m *Compare) chart(mt metric, x0, x1, w, h int) string {
	var lines []widgets.Line
	var marks []widgets.Marker
	for _, r := range m.runs {
		x := m.xOf(r)
		lines = append(lines, widgets.Line{Name: r.Name, Samples: mt.samples(r, x)})
		for _, c := range r.Changes {
			if i, ok := slices.BinarySearchFunc(r.Points, c.Step, func(p lab.Point, s int) int { return p.Step - s }); ok {
				marks = append(marks, widgets.Marker{X: x(i), Rune: '▲'})
			}
		}
	}
	records := 0
	for _, r := range m.runs {
		records = max(records, len(r.Points))
	}
	c := widgets.LineChart{Lines: lines, Markers: marks, X0: x0, X1: x1, Width: w, Height: h - 1,
		Lower: mt.lower, Upper: mt.upper, NoLegend: true, MaxColumns: records}
	return widgets.PadRight(" "+m.c.Styles.Title.Render(mt.title)+m.c.Styles.Dim.Render(" "+m.axisText(x0, x1)), w) + "\n" + c.View(m.c.Styles)
}

func (m *Compare) axisText(x0, x1 int) string {
	if m.byTime {
		return fmt.Sprintf("%s–%s", clock(float64(x0)/10), clock(float64(x1)/10))
	}
	return fmt.Sprintf("steps %d–%d", x0, x1)
}

// clock formats seconds of training time.
func clock(s float64) string {
	d := time.Duration(s * float64(time.Second))
	if d < time.Minute {
		return fmt.Sprintf("%.0fs", s)
	}
	return d.Round(time.Second).String()
}

// tableLines are the table (one row per run, led by its mark, so it is the
// legend too) and a line per key where the runs differ.
func (m *Compare) tableLines() []string {
	st := m.c.Styles
	nameW := 4
	for _, r := range m.table.Runs {
		nameW = max(nameW, len(r.Name)+len(m.liveTag(r.Dir)))
	}
	nameW = min(nameW, max(m.width-60, 12))
	head := fmt.Sprintf("  %-*s %6s %7s %7s %8s %11s %11s", nameW, "run", "steps", "time", "steps/s", "params", "last exact", "best exact")
	lines := []string{st.Title.Render(widgets.PadRight(head, m.width))}
	acc := func(v *float64, step int) string {
		if v == nil {
			return "—"
		}
		return fmt.Sprintf("%.1f%% @%d", 100**v, step)
	}
	for i, r := range m.table.Runs {
		name := widgets.PadRight(r.Name+m.liveTag(r.Dir), nameW)
		row := fmt.Sprintf(" %s %6d %7s %7.1f %8d %11s %11s", name, r.Steps, clock(r.TrainSeconds), r.StepsPerSec, r.Params,
			acc(r.LastEvalExact, r.LastEvalStep), acc(r.BestEvalExact, r.BestEvalStep))
		lines = append(lines, widgets.PadRight(widgets.SeriesMark(st, i, false)+row, m.width))
	}
	keys := m.table.Keys
	if len(keys) > 3 {
		keys = keys[:2]
	}
	for _, k := range keys {
		var parts []string
		for _, r := range m.table.Runs {
			parts = append(parts, r.Name+" "+r.Differs[k])
		}
		lines = append(lines, widgets.PadRight("  "+st.Accent.Render(k)+": "+strings.Join(parts, " · "), m.width))
	}
	if rest := m.table.Keys[len(keys):]; len(rest) > 0 {
		lines = append(lines, widgets.PadRight(st.Dim.Render(fmt.Sprintf("  and %d more keys differ: %s (hrmlab compare lists them)", len(rest), strings.Join(rest, ", "))), m.width))
	}
	for _, r := range m.table.Runs {
		if r.Parent != "" {
			lines = append(lines, widgets.PadRight(st.Dim.Render(fmt.Sprintf("  %s branched from %s at step %d", r.Name, r.Parent, r.ParentStep)), m.width))
		}
	}
	return lines
}

func (m *Compare) liveTag(dir string) string {
	if dir == m.live {
		return " (live)"
	}
	return ""
}
