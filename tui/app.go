// Package tui is the interactive lab: a bubbletea v2 program that drives a
// lab.Session. Its four screens (Train, Solve, Params, Runs), the status bar
// and the help overlay live in tui/components; the charts and grids they
// draw in tui/widgets; styles, keys and sizes in tui/common.
//
// The training goroutine never waits for the UI: the app reads the
// session's events through a Subscription in a tea.Cmd that wakes on
// Subscription.Ready, lets a frame's worth of events gather (they coalesce
// in the subscription) and copies the new history points off the UI
// goroutine, so the screen redraws at most about 12 times a second however
// fast the model trains. Every session command that may wait for a step runs
// in a tea.Cmd as well.
package tui

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"hrmlab/lab"
	"hrmlab/tui/common"
	"hrmlab/tui/components"
	"hrmlab/tui/widgets"
)

// FrameInterval is the shortest time between two redraws caused by training
// events (about 12 frames per second).
const FrameInterval = 80 * time.Millisecond

// Screen names, in tab order.
var screenNames = [4]string{"Train", "Solve", "Params", "Runs"}

// Starter builds and starts a session (the app uses it for new runs and
// resumed checkpoints).
type Starter func(cfg *lab.Config, opts lab.Options) (*lab.Session, error)

// App is the root model of the lab.
type App struct {
	c     *common.Common
	sess  *lab.Session
	sub   *lab.Subscription
	opts  lab.Options
	start Starter
	gen   int // session generation: events of a replaced session are dropped

	// How much of the session's History the dashboard holds already.
	seenPoints, seenEvals, seenChanges int

	train  *components.Train
	solve  *components.Solve
	params *components.Params
	runs   *components.Runs
	status *components.StatusBar
	help   *components.Help
	branch *components.Params // the branch editor, while it is open

	active    int
	showHelp  bool
	quitting  bool // the save-before-quit question is showing
	saveQuit  bool // the user answered y
	switching bool // a new session is being built

	notice    string
	noticeErr bool
	first     tea.Cmd // what Init does besides reading events (ShowLoaded)

	// Read from other goroutines (Run after the program ends, tests).
	current atomic.Pointer[lab.Session]
	frame   atomic.Pointer[string]
}

type eventsMsg struct {
	gen     int
	events  []lab.Event
	points  []lab.Point
	evals   []lab.EvalReport
	changes []lab.Change
	status  lab.Status
	closed  bool
}

type sessionMsg struct {
	sess *lab.Session
	err  error
	why  string
}

// New returns the app driving a started session. start builds the sessions
// of new runs; opts are the options they inherit (Persist).
func New(sess *lab.Session, opts lab.Options, start Starter, mono bool) *App {
	a := &App{c: common.NewCommon(mono), opts: opts, start: start}
	a.status = components.NewStatusBar(a.c)
	a.help = components.NewHelp(a.c)
	a.attach(sess)
	return a
}

// Session is the session the app drives now (it changes with new runs).
// Safe to call from any goroutine.
func (a *App) Session() *lab.Session { return a.current.Load() }

// Frame is the screen as last drawn (styled text). Safe to call from any
// goroutine: the end-to-end tests read what the user would see.
func (a *App) Frame() string {
	if f := a.frame.Load(); f != nil {
		return *f
	}
	return ""
}

// SaveOnQuit reports whether the user asked to save a checkpoint on quitting.
func (a *App) SaveOnQuit() bool { return a.saveQuit }

// attach makes sess the app's session and rebuilds the screens around it.
func (a *App) attach(sess *lab.Session) {
	a.gen++
	a.sess, a.sub = sess, sess.Subscribe()
	a.seenPoints, a.seenEvals, a.seenChanges = 0, 0, 0
	a.current.Store(sess)
	a.train = components.NewTrain(a.c, sess)
	a.solve = components.NewSolve(a.c, sess)
	a.params = components.NewParams(a.c, sess)
	a.runs = components.NewRuns(a.c, sess.Config().Run.Out, sess.Status().RunDir)
	st := sess.Status()
	a.train.SetStatus(st)
	a.status.SetStatus(st)
	a.layout()
}

func (a *App) screen(i int) common.Component {
	switch i {
	case 1:
		return a.solve
	case 2:
		return a.params
	case 3:
		return a.runs
	}
	return a.train
}

// Init starts reading the session's events.
func (a *App) Init() tea.Cmd { return tea.Batch(a.wait(), a.first) }

// ShowLoaded opens the lab on the Solve screen with a loaded checkpoint
// (hrmlab -load); call it before the program starts.
func (a *App) ShowLoaded(l *lab.Loaded, path string) {
	a.active = 1
	a.notice, a.noticeErr = "loaded "+path, false
	a.first = a.solve.SetLoaded(l, path)
}

// wait reads the next batch of events and history off the UI goroutine.
func (a *App) wait() tea.Cmd {
	sub, sess, gen := a.sub, a.sess, a.gen
	np, ne, nc := a.seenPoints, a.seenEvals, a.seenChanges
	return func() tea.Msg {
		_, open := <-sub.Ready()
		if open {
			time.Sleep(FrameInterval) // let a frame's worth of events coalesce
		}
		return eventsMsg{
			gen: gen, events: sub.Drain(), closed: !open, status: sess.Status(),
			points: sess.History.PointsSince(np), evals: sess.History.EvalsSince(ne), changes: sess.History.ChangesSince(nc),
		}
	}
}

// layout gives every component its size.
func (a *App) layout() {
	w, h := a.c.Width, a.c.Height
	body := max(h-3, 1)
	for i := range screenNames {
		a.screen(i).SetSize(w, body)
	}
	a.status.SetSize(w, 1)
	a.help.SetSize(w, body)
	if a.branch != nil {
		a.branch.SetSize(w, body)
	}
}

// Update routes messages: sizes, session events, the quit question, the
// help overlay, global keys, then the active screen.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.c.Width, a.c.Height = msg.Width, msg.Height
		a.layout()
		return a, nil
	case eventsMsg:
		return a, a.onEvents(msg)
	case components.NoticeMsg:
		a.notice, a.noticeErr = msg.Text, msg.Err
		return a, nil
	case components.NewRunMsg:
		a.branch = nil
		return a, a.newRun(msg)
	case components.OpenBranchMsg:
		a.branch = components.NewBranchEditor(a.c, msg.Config, msg.Target)
		a.branch.SetSize(a.c.Width, max(a.c.Height-3, 1))
		a.notice, a.noticeErr = fmt.Sprintf("branching %s at step %d: change live keys, then enter on ▶", msg.Target.Parent, msg.Target.Step), false
		return a, nil
	case components.BranchCancelMsg:
		a.branch = nil
		a.notice, a.noticeErr = "branch cancelled", false
		if msg.Target.ResumeParent {
			sess := a.sess
			return a, func() tea.Msg { sess.Resume(); return nil }
		}
		return a, nil
	case sessionMsg:
		return a, a.onSession(msg)
	case components.OpenSolveMsg:
		a.ShowLoaded(msg.Loaded, msg.Path)
		cmd := a.first
		a.first = nil
		return a, cmd
	case tea.KeyPressMsg:
		return a, a.onKey(msg)
	}
	// Everything else answers a command of one of the screens.
	var cmds []tea.Cmd
	for i := range screenNames {
		cmds = append(cmds, a.screen(i).Update(msg))
	}
	if a.branch != nil {
		cmds = append(cmds, a.branch.Update(msg))
	}
	return a, tea.Batch(cmds...)
}

func (a *App) onEvents(msg eventsMsg) tea.Cmd {
	if msg.gen != a.gen {
		return nil
	}
	a.train.Append(msg.points, msg.evals, msg.changes)
	a.seenPoints += len(msg.points)
	a.seenEvals += len(msg.evals)
	a.seenChanges += len(msg.changes)
	a.train.SetStatus(msg.status)
	a.status.SetStatus(msg.status)
	var cmds []tea.Cmd
	for _, e := range msg.events {
		switch e.Kind {
		case lab.EventCheckpoint:
			a.notice, a.noticeErr = fmt.Sprintf("step %d: saved %s", e.Step, e.Path), false
			if a.active == 3 {
				cmds = append(cmds, a.runs.Open())
			}
		case lab.EventHyper:
			a.notice, a.noticeErr = fmt.Sprintf("step %d: %s %s → %s", e.Step, e.Key, e.Old, e.New), false
			a.params.Refresh()
		case lab.EventEval:
			a.notice, a.noticeErr = fmt.Sprintf("step %d: evaluated %d puzzles, exact %.1f%%", e.Step, e.Eval.N, 100*e.Eval.ExactAccuracy), false
		case lab.EventError:
			a.notice, a.noticeErr = e.Err.Error(), true
		case lab.EventLog:
			a.notice, a.noticeErr = e.Text, false
		}
	}
	if !msg.closed {
		cmds = append(cmds, a.wait())
	}
	return tea.Batch(cmds...)
}

// newRun replaces the session: the new one is built (off the UI goroutine),
// the old one stopped (it saves) and the new one started.
func (a *App) newRun(msg components.NewRunMsg) tea.Cmd {
	if a.switching {
		return nil
	}
	a.switching = true
	a.notice, a.noticeErr = "starting a new run…", false
	why := "new run"
	switch {
	case msg.Resume != "":
		a.notice, why = "resuming "+msg.Resume+"…", "resumed "+msg.Resume
	case msg.Branch != "":
		a.notice, why = "branching from "+msg.Branch+"…", "branched from "+msg.Branch
	}
	old, start, opts := a.sess, a.start, a.opts
	opts.Resume, opts.Branch = msg.Resume, msg.Branch
	return func() tea.Msg {
		// Stop the old session first: a resumed run may reuse its folder.
		old.Stop()
		if err := old.Wait(); err != nil {
			return sessionMsg{err: fmt.Errorf("stopping the current run: %w", err)}
		}
		s, err := start(msg.Config, opts)
		return sessionMsg{sess: s, err: err, why: why}
	}
}

func (a *App) onSession(msg sessionMsg) tea.Cmd {
	a.switching = false
	if msg.err != nil {
		a.notice, a.noticeErr = msg.err.Error(), true
		return nil
	}
	a.attach(msg.sess)
	a.active = 0
	a.notice, a.noticeErr = msg.why+": "+msg.sess.Status().Run, false
	return a.wait()
}

func (a *App) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := a.c.Keys
	if a.quitting {
		switch {
		case key.Matches(msg, k.Yes):
			a.saveQuit = true
			return tea.Quit
		case key.Matches(msg, k.No), msg.String() == "ctrl+c":
			return tea.Quit
		case key.Matches(msg, k.Cancel):
			a.quitting = false
		}
		return nil
	}
	if a.showHelp {
		if key.Matches(msg, k.Help, k.Cancel, k.Quit) {
			a.showHelp = false
		}
		return nil
	}
	if a.branch != nil && msg.String() != "ctrl+c" {
		return a.branch.Update(msg)
	}
	cur := a.screen(a.active)
	if c, ok := cur.(components.Capturer); ok && c.Capturing() && msg.String() != "ctrl+c" {
		return cur.Update(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		if !a.opts.Persist {
			return tea.Quit
		}
		a.quitting = true
		return nil
	case key.Matches(msg, k.Help):
		a.showHelp = true
		a.help.SetScreen(screenNames[a.active], cur.FullHelp())
		return nil
	case key.Matches(msg, k.NextTab):
		return a.switchTo((a.active + 1) % 4)
	case key.Matches(msg, k.PrevTab):
		return a.switchTo((a.active + 3) % 4)
	case key.Matches(msg, k.Tab1, k.Tab2, k.Tab3, k.Tab4):
		return a.switchTo(int(msg.String()[0] - '1'))
	}
	return cur.Update(msg)
}

// switchTo shows screen i, refreshing what it shows.
func (a *App) switchTo(i int) tea.Cmd {
	if i == a.active {
		return nil
	}
	a.active = i
	switch i {
	case 1:
		return a.solve.Open()
	case 2:
		a.params.Refresh()
	case 3:
		return a.runs.Open()
	}
	return nil
}

// View draws the tab bar, the active screen (or the help), the notice line
// and the status bar, full-screen.
func (a *App) View() tea.View {
	frame := a.Render()
	a.frame.Store(&frame)
	v := tea.NewView(frame)
	v.AltScreen = true
	v.WindowTitle = "HRM Lab"
	return v
}

// Render is the text of the whole screen.
func (a *App) Render() string {
	w, h := a.c.Width, a.c.Height
	st := a.c.Styles
	if w < common.MinWidth || h < common.MinHeight {
		msg := fmt.Sprintf("HRM Lab needs a terminal of at least %dx%d;\nthis one is %dx%d. Enlarge the window (q quits).",
			common.MinWidth, common.MinHeight, w, h)
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, st.Warn.Render(msg))
	}
	body := a.screen(a.active).View()
	switch {
	case a.showHelp:
		body = a.help.View()
	case a.branch != nil:
		body = a.branch.View()
	}
	return a.tabs() + "\n" + widgets.Fit(body, w, h-3) + "\n" + a.noticeLine() + "\n" + a.status.View()
}

func (a *App) tabs() string {
	st := a.c.Styles
	parts := []string{st.Title.Render(" HRM Lab ")}
	for i, n := range screenNames {
		label := fmt.Sprintf("%d %s", i+1, n)
		if i == a.active {
			parts = append(parts, st.TabActive.Render(label))
		} else {
			parts = append(parts, st.TabInactive.Render(label))
		}
	}
	left := strings.Join(parts, " ")
	right := st.Dim.Render("? help · q quit ")
	gap := max(a.c.Width-lipgloss.Width(left)-lipgloss.Width(right), 1)
	return widgets.PadRight(left+strings.Repeat(" ", gap)+right, a.c.Width)
}

func (a *App) noticeLine() string {
	st := a.c.Styles
	w := a.c.Width
	if a.quitting {
		return widgets.PadRight(st.Warn.Render("save a checkpoint before quitting? y saves · n quits without saving · esc stays"), w)
	}
	if a.notice != "" {
		if a.noticeErr {
			return widgets.PadRight(st.Error.Render("✗ "+a.notice), w)
		}
		return widgets.PadRight(st.Notice.Render(a.notice), w)
	}
	line := ""
	var help common.Component = a.screen(a.active)
	if a.branch != nil {
		help = a.branch
	}
	for _, b := range help.ShortHelp() {
		item := st.Key.Render(b.Help().Key) + " " + st.Dim.Render(b.Help().Desc)
		if line != "" {
			item = st.Dim.Render(" · ") + item
		}
		if lipgloss.Width(line+item) > w {
			break // whole items only; ? lists every key
		}
		line += item
	}
	return widgets.PadRight(line, w)
}
