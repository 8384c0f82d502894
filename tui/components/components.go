// Package components holds the screens of the lab's terminal UI (Train,
// Solve, Params, Runs), the status bar and the help overlay. Each is a
// common.Component: it handles its messages, draws itself in the size it is
// given and names its keys. Components never block the UI goroutine: what
// waits (the session's commands, file and model work) runs in a tea.Cmd.
package components

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"hrmlab/engine"
	"hrmlab/lab"
	"hrmlab/tasks"
)

// Controller is what the screens ask of the training session; a
// *lab.Session is one. Every method may wait for the current training step,
// so components call them from a tea.Cmd.
type Controller interface {
	Pause()
	Resume()
	StepOnce()
	EvaluateNow()
	Save()
	Set(key, value string) error
	Status() lab.Status
	Config() *lab.Config
	Task() tasks.Task
	TestSet() []tasks.Example
	Snapshot(ctx context.Context) (*engine.Model, error)
	Fork(ctx context.Context) (string, error)
}

// NoticeMsg is a one-line message for the notice line above the status bar.
type NoticeMsg struct {
	Text string
	Err  bool
}

// Notice returns a command that shows a notice.
func Notice(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return NoticeMsg{Text: text, Err: isErr} }
}

// NewRunMsg asks the app to replace the session by a new one: a fresh run
// with Config (structural changes on Params), a resumed checkpoint, or a
// branch from one.
type NewRunMsg struct {
	Config *lab.Config
	Resume string // checkpoint path to resume; "" for a fresh run
	Branch string // checkpoint path to branch from
}

// OpenBranchMsg asks the app to open the branch editor on a checkpoint.
type OpenBranchMsg struct {
	Config *lab.Config // the checkpoint's
	Target BranchTarget
}

// openBranch reads the checkpoint's config for the branch editor (it
// waits: call it in a command). parent names the run it belongs to;
// resumeParent says the parent was training when it forked.
func openBranch(path, parent string, resumeParent bool) tea.Msg {
	path, cfg, step, err := lab.ForkPoint(path)
	if err != nil {
		return NoticeMsg{Text: "branch from " + path + ": " + err.Error(), Err: true}
	}
	return OpenBranchMsg{Config: cfg, Target: BranchTarget{Path: path, Parent: parent, Step: step, ResumeParent: resumeParent}}
}

// OpenSolveMsg asks the app to show a loaded checkpoint on the Solve screen.
type OpenSolveMsg struct {
	Loaded *lab.Loaded
	Path   string
}

// Capturer is a component that is reading text: while it captures, the
// app's global keys (tabs, q, ?) go to it instead.
type Capturer interface {
	Capturing() bool
}

// run wraps a call that may wait into a command with no message.
func run(f func()) tea.Cmd {
	return func() tea.Msg {
		f()
		return nil
	}
}
