package components

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"hrmlab/checkpoints"
	"hrmlab/lab"
	"hrmlab/tui/common"
	"hrmlab/tui/widgets"
)

// Runs lists the runs under the output folder with their checkpoints (step,
// time, train loss, eval exact accuracy). A checkpoint can be loaded into
// Solve, resumed as the training session, branched with changed live keys,
// or deleted (after a y/n). Space marks runs, the live one included, and c
// compares them.
type Runs struct {
	c             *common.Common
	out           string // the output folder
	live          string // the live run's folder
	width, height int

	opening bool            // a path to open is being typed
	path    textinput.Model // the path

	marked    []string // the marked runs' folders, in marking order
	compare   *Compare
	comparing bool

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

// NewRuns returns the Runs screen for the output folder out; live is the
// live run's folder ("" when it keeps none).
func NewRuns(c *common.Common, out, live string) *Runs {
	r := &Runs{c: c, out: out, live: live, compare: NewCompare(c), path: textinput.New()}
	r.path.Prompt = ""
	r.path.Placeholder = "runs/NAME, a checkpoint file, or a PyTorch checkpoint with all_config.yaml beside it"
	return r
}

// Capturing reports whether a y/n question is waiting or a path is being
// typed.
func (r *Runs) Capturing() bool { return r.confirm != confirmNone || r.opening }

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
func (r *Runs) SetSize(w, h int) {
	r.width, r.height = w, h
	r.compare.SetSize(w, h)
	r.path.SetWidth(max(w-44, 20))
}

// ShortHelp implements common.Component.
func (r *Runs) ShortHelp() []key.Binding {
	k := r.c.Keys
	switch {
	case r.confirm != confirmNone:
		return []key.Binding{k.Yes, k.No}
	case r.comparing:
		return []key.Binding{k.TimeAxis, k.CloseCompare}
	case r.opening:
		return []key.Binding{k.Confirm, k.Cancel}
	}
	return []key.Binding{k.Up, k.Down, k.Load, k.ResumeRun, k.BranchFrom, k.Mark, k.Compare, k.OpenFile, k.Delete, k.Reload}
}

// FullHelp implements common.Component.
func (r *Runs) FullHelp() [][]key.Binding {
	k := r.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Load, k.ResumeRun, k.BranchFrom, k.OpenFile, k.Delete, k.Reload},
		{k.Mark, k.Compare, k.TimeAxis, k.CloseCompare}}
}

// selected returns the checkpoint under the cursor: on a run's row, its
// latest readable one.
func (r *Runs) selected() (checkpoints.Info, bool) {
	if r.cursor < 0 || r.cursor >= len(r.rows) {
		return checkpoints.Info{}, false
	}
	row := r.rows[r.cursor]
	cks := r.runs[row.run].Checkpoints
	if row.ck >= 0 {
		return cks[row.ck], true
	}
	for i := len(cks) - 1; i >= 0; i-- {
		if cks[i].Err == nil {
			return cks[i], true
		}
	}
	return checkpoints.Info{}, false
}

// selectedRun is the run under the cursor.
func (r *Runs) selectedRun() (checkpoints.Run, bool) {
	if r.cursor < 0 || r.cursor >= len(r.rows) {
		return checkpoints.Run{}, false
	}
	return r.runs[r.rows[r.cursor].run], true
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
	case compareMsg, compareTickMsg:
		return r.compare.Update(msg)
	case tea.PasteMsg:
		if r.opening {
			return r.typing(msg)
		}
	case tea.KeyPressMsg:
		switch {
		case r.opening:
			return r.typing(msg)
		case r.confirm != confirmNone:
			return r.answer(msg)
		case r.comparing:
			return r.compareKeys(msg)
		}
		return r.keys(msg)
	}
	return nil
}

func (r *Runs) compareKeys(msg tea.KeyPressMsg) tea.Cmd {
	k := r.c.Keys
	switch {
	case key.Matches(msg, k.TimeAxis):
		r.compare.ToggleTime()
	case key.Matches(msg, k.CloseCompare):
		r.comparing = false
		r.compare.Close()
	}
	return nil
}

// toggleMark marks or unmarks the run under the cursor.
func (r *Runs) toggleMark() {
	run, ok := r.selectedRun()
	if !ok {
		return
	}
	if i := slices.Index(r.marked, run.Dir); i >= 0 {
		r.marked = slices.Delete(r.marked, i, i+1)
		return
	}
	r.marked = append(r.marked, run.Dir)
}

// openCompare compares the marked runs (the run under the cursor when none
// is marked).
func (r *Runs) openCompare() tea.Cmd {
	dirs := r.marked
	if len(dirs) == 0 {
		run, ok := r.selectedRun()
		if !ok {
			return Notice("no run to compare: space marks runs, c compares them", true)
		}
		dirs = []string{run.Dir}
	}
	r.comparing = true
	return r.compare.Open(slices.Clone(dirs), r.live)
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
		return load(ck.Path)
	case key.Matches(msg, k.OpenFile):
		r.opening = true
		r.path.SetValue("")
		return r.path.Focus()
	case key.Matches(msg, k.ResumeRun):
		if _, ok := r.selected(); ok {
			r.confirm = confirmResume
		}
	case key.Matches(msg, k.Delete):
		if r.cursor < len(r.rows) && r.rows[r.cursor].ck < 0 {
			return Notice("d deletes one checkpoint: move onto it", true)
		}
		if _, ok := r.selected(); ok {
			r.confirm = confirmDelete
		}
	case key.Matches(msg, k.BranchFrom):
		ck, ok := r.selected()
		run, _ := r.selectedRun()
		if !ok {
			return Notice("no checkpoint to branch from in "+run.Name, true)
		}
		path := ck.Path
		return func() tea.Msg { return openBranch(path, run.Name, false) }
	case key.Matches(msg, k.Mark):
		r.toggleMark()
	case key.Matches(msg, k.Compare):
		return r.openCompare()
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

// load opens a checkpoint for the Solve screen (off the UI goroutine).
func load(path string) tea.Cmd {
	return tea.Batch(Notice("loading "+path+"…", false), func() tea.Msg {
		l, err := lab.OpenCheckpoint(path, "")
		return loadedMsg{loaded: l, path: path, err: err}
	})
}

// typing reads the path of a checkpoint file to open: enter loads it into
// Solve, esc cancels.
func (r *Runs) typing(msg tea.Msg) tea.Cmd {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		k := r.c.Keys
		switch {
		case key.Matches(kp, k.Cancel):
			r.opening = false
			r.path.Blur()
			return nil
		case key.Matches(kp, k.Confirm):
			r.opening = false
			r.path.Blur()
			if p := strings.TrimSpace(r.path.Value()); p != "" {
				return load(p)
			}
			return nil
		}
	}
	var cmd tea.Cmd
	r.path, cmd = r.path.Update(msg)
	return cmd
}

// move walks the cursor over the rows: runs and their checkpoints.
func (r *Runs) move(d int) {
	if len(r.rows) == 0 {
		return
	}
	r.cursor = min(max(r.cursor+d, 0), len(r.rows)-1)
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
	if r.cursor == 0 && len(r.rows) > 1 && r.rows[1].ck >= 0 {
		r.cursor = 1 // the newest checkpoint of the newest run
	}
	// marks of runs that are gone are dropped
	r.marked = slices.DeleteFunc(r.marked, func(dir string) bool {
		return !slices.ContainsFunc(runs, func(run checkpoints.Run) bool { return run.Dir == dir })
	})
}

// View draws the runs, newest first, each with its checkpoints (or Compare).
func (r *Runs) View() string {
	if r.comparing {
		return r.compare.View()
	}
	st := r.c.Styles
	head := st.Dim.Render(fmt.Sprintf("runs in %s · enter loads · r resumes · b branches · space marks · c compares", r.out))
	if n := len(r.marked); n > 0 {
		head = st.Dim.Render(fmt.Sprintf("runs in %s · %d marked: c compares them · space marks/unmarks", r.out, n))
	}
	if r.opening {
		head = "open: " + r.path.View() + st.Dim.Render("  enter loads into Solve · esc cancels")
	}
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
	if r.cursor > 0 && r.offset == r.cursor && r.rows[r.cursor].ck >= 0 && r.rows[r.cursor-1].ck < 0 {
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
		mark := "○ "
		if slices.Contains(r.marked, run.Dir) {
			mark = "● "
		}
		live := ""
		if run.Dir == r.live {
			live = " · live"
		}
		text := widgets.PadRight(fmt.Sprintf("%s%s  (%s, %s)%s", mark, run.Name, n, run.Modified.Local().Format("2006-01-02 15:04"), live), r.width)
		if i == r.cursor {
			return st.Selected.Render(text)
		}
		return st.Accent.Render(text)
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
