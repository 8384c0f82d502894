package components

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hrmlab/checkpoints"
	"hrmlab/lab"
	"hrmlab/tui/common"
	"hrmlab/tui/widgets"
)

// Runs lists the runs under the output folder with their checkpoints (step,
// time, train loss, eval exact accuracy). A checkpoint can be loaded into
// Solve, resumed as the training session, or deleted (after a y/n).
type Runs struct {
	c             *common.Common
	out           string // the output folder
	width, height int

	runs    []checkpoints.Run
	rows    []runRow
	cursor  int // index into rows, always on a checkpoint row when there is one
	offset  int
	loading bool
	errText string

	confirm confirmKind
}

type runRow struct {
	run int
	ck  int // -1 for the run's header row
}

type confirmKind int

const (
	confirmNone confirmKind = iota
	confirmDelete
	confirmResume
)

type runsMsg struct {
	runs []checkpoints.Run
	err  error
}

type loadedMsg struct {
	loaded *lab.Loaded
	path   string
	err    error
}

// NewRuns returns the Runs screen for the output folder out.
func NewRuns(c *common.Common, out string) *Runs { return &Runs{c: c, out: out} }

// Capturing reports whether a y/n question is waiting.
func (r *Runs) Capturing() bool { return r.confirm != confirmNone }

// Open reloads the listing (off the UI goroutine).
func (r *Runs) Open() tea.Cmd {
	r.loading = true
	out := r.out
	return func() tea.Msg {
		runs, err := checkpoints.ListRuns(out)
		return runsMsg{runs: runs, err: err}
	}
}

// SetSize implements common.Component.
func (r *Runs) SetSize(w, h int) { r.width, r.height = w, h }

// ShortHelp implements common.Component.
func (r *Runs) ShortHelp() []key.Binding {
	k := r.c.Keys
	if r.confirm != confirmNone {
		return []key.Binding{k.Yes, k.No}
	}
	return []key.Binding{k.Up, k.Down, k.Load, k.ResumeRun, k.Delete, k.Reload}
}

// FullHelp implements common.Component.
func (r *Runs) FullHelp() [][]key.Binding {
	k := r.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Load, k.ResumeRun, k.Delete, k.Reload}}
}

// selected returns the checkpoint under the cursor.
func (r *Runs) selected() (checkpoints.Info, bool) {
	if r.cursor < 0 || r.cursor >= len(r.rows) || r.rows[r.cursor].ck < 0 {
		return checkpoints.Info{}, false
	}
	row := r.rows[r.cursor]
	return r.runs[row.run].Checkpoints[row.ck], true
}

// Update handles the listing, the cursor, and load, resume and delete.
func (r *Runs) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case runsMsg:
		r.loading = false
		r.errText = ""
		if msg.err != nil {
			r.errText = msg.err.Error()
		}
		r.setRuns(msg.runs)
		return nil
	case loadedMsg:
		if msg.err != nil {
			return Notice("loading "+msg.path+": "+msg.err.Error(), true)
		}
		return func() tea.Msg { return OpenSolveMsg{Loaded: msg.loaded, Path: msg.path} }
	case tea.KeyPressMsg:
		if r.confirm != confirmNone {
			return r.answer(msg)
		}
		return r.keys(msg)
	}
	return nil
}

func (r *Runs) keys(msg tea.KeyPressMsg) tea.Cmd {
	k := r.c.Keys
	switch {
	case key.Matches(msg, k.Up):
		r.move(-1)
	case key.Matches(msg, k.Down):
		r.move(1)
	case key.Matches(msg, k.PageUp):
		r.move(-max(r.height-4, 1))
	case key.Matches(msg, k.PageDown):
		r.move(max(r.height-4, 1))
	case key.Matches(msg, k.Reload):
		return r.Open()
	case key.Matches(msg, k.Load):
		ck, ok := r.selected()
		if !ok {
			return nil
		}
		path := ck.Path
		return tea.Batch(Notice("loading "+path+"…", false), func() tea.Msg {
			l, err := lab.OpenCheckpoint(path, "")
			return loadedMsg{loaded: l, path: path, err: err}
		})
	case key.Matches(msg, k.ResumeRun):
		if _, ok := r.selected(); ok {
			r.confirm = confirmResume
		}
	case key.Matches(msg, k.Delete):
		if _, ok := r.selected(); ok {
			r.confirm = confirmDelete
		}
	}
	return nil
}

func (r *Runs) answer(msg tea.KeyPressMsg) tea.Cmd {
	k := r.c.Keys
	kind := r.confirm
	switch {
	case key.Matches(msg, k.Yes):
		r.confirm = confirmNone
	case key.Matches(msg, k.No), key.Matches(msg, k.Cancel):
		r.confirm = confirmNone
		return nil
	default:
		return nil
	}
	ck, ok := r.selected()
	if !ok {
		return nil
	}
	if kind == confirmDelete {
		if err := checkpoints.Delete(ck.Path); err != nil {
			return Notice("delete: "+err.Error(), true)
		}
		return tea.Batch(Notice("deleted "+ck.Path, false), r.Open())
	}
	path := ck.Path
	return func() tea.Msg {
		cfg, err := lab.ResumeConfig(path)
		if err != nil {
			return NoticeMsg{Text: "resume " + path + ": " + err.Error(), Err: true}
		}
		return NewRunMsg{Config: cfg, Resume: path}
	}
}

// move walks the cursor over checkpoint rows.
func (r *Runs) move(d int) {
	if len(r.rows) == 0 {
		return
	}
	i := min(max(r.cursor+d, 0), len(r.rows)-1)
	step := 1
	if d < 0 {
		step = -1
	}
	for i >= 0 && i < len(r.rows) && r.rows[i].ck < 0 {
		i += step
	}
	if i >= 0 && i < len(r.rows) {
		r.cursor = i
	}
}

// setRuns rebuilds the rows, keeping the cursor on the same checkpoint.
func (r *Runs) setRuns(runs []checkpoints.Run) {
	keep, _ := r.selected()
	r.runs, r.rows = runs, nil
	for i, run := range runs {
		r.rows = append(r.rows, runRow{run: i, ck: -1})
		for j := len(run.Checkpoints) - 1; j >= 0; j-- { // newest first
			r.rows = append(r.rows, runRow{run: i, ck: j})
		}
	}
	r.cursor = 0
	for i, row := range r.rows {
		if row.ck >= 0 && runs[row.run].Checkpoints[row.ck].Path == keep.Path {
			r.cursor = i
		}
	}
	r.move(0)
	if r.cursor < len(r.rows) && r.rows[r.cursor].ck < 0 {
		r.move(1)
	}
}

// View draws the runs, newest first, each with its checkpoints.
func (r *Runs) View() string {
	st := r.c.Styles
	head := st.Dim.Render(fmt.Sprintf("runs in %s · enter loads into Solve · r resumes training · d deletes", r.out))
	switch r.confirm {
	case confirmDelete:
		ck, _ := r.selected()
		head = st.Warn.Render("delete " + ck.Path + "? y deletes · n/esc keeps it")
	case confirmResume:
		ck, _ := r.selected()
		head = st.Warn.Render("resume training from " + filepath.Base(ck.Path) + "? The current run stops (and saves). y/n")
	}
	lines := []string{head, st.Title.Render(fmt.Sprintf("  %-9s %-19s %11s %11s %9s", "step", "saved", "train loss", "eval exact", "size"))}
	if r.errText != "" {
		lines = append(lines, st.Error.Render(r.errText))
	}
	if len(r.rows) == 0 {
		msg := "no runs yet: checkpoints appear here after s (save) or checkpoint_every steps"
		if r.loading {
			msg = "reading runs…"
		}
		lines = append(lines, st.Dim.Render(msg))
	}
	bodyH := max(r.height-len(lines), 1)
	if r.cursor < r.offset {
		r.offset = r.cursor
	} else if r.cursor >= r.offset+bodyH {
		r.offset = r.cursor - bodyH + 1
	}
	if r.cursor > 0 && r.offset == r.cursor && r.rows[r.cursor-1].ck < 0 {
		r.offset-- // show the run's name above its first checkpoint
	}
	for i := r.offset; i < len(r.rows) && i < r.offset+bodyH; i++ {
		lines = append(lines, r.rowView(i))
	}
	return widgets.Fit(strings.Join(lines, "\n"), r.width, r.height)
}

func (r *Runs) rowView(i int) string {
	st := r.c.Styles
	row := r.rows[i]
	run := r.runs[row.run]
	if row.ck < 0 {
		n := fmt.Sprintf("%d checkpoints", len(run.Checkpoints))
		if len(run.Checkpoints) == 1 {
			n = "1 checkpoint"
		}
		return st.Accent.Render(fmt.Sprintf("%s  (%s, %s)", run.Name, n, run.Modified.Local().Format("2006-01-02 15:04")))
	}
	ck := run.Checkpoints[row.ck]
	var line string
	if ck.Err != nil {
		line = fmt.Sprintf("  %-9d %s", ck.Step, "damaged: "+ck.Err.Error())
	} else {
		loss, eval := "—", "—"
		if v, ok := ck.Meta.Float(checkpoints.KeyTrainLoss); ok {
			loss = fmt.Sprintf("%.4g", v)
		}
		if v, ok := ck.Meta.Float(checkpoints.KeyEvalExact); ok {
			eval = fmt.Sprintf("%.1f%%", 100*v)
		}
		line = fmt.Sprintf("  %-9d %-19s %11s %11s %9s", ck.Step, ck.Meta.Created.Local().Format("2006-01-02 15:04:05"), loss, eval, size(ck.Size))
	}
	line = widgets.PadRight(line, r.width)
	if i == r.cursor {
		return st.Selected.Render(line)
	}
	if ck.Err != nil {
		return st.Error.Render(line)
	}
	return line
}

// size formats a file size.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
