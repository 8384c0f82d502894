package components

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hrmlab/engine"
	"hrmlab/lab"
	"hrmlab/tasks"
	"hrmlab/tui/common"
)

func TestMain(m *testing.M) {
	engine.Start(os.Stderr) // the kernels and scheduler hrmlab itself runs
	time.Local = time.UTC   // times on screen are local: make them the same everywhere
	text, err := os.ReadFile(filepath.Join("..", "..", "lab.toml"))
	if err == nil {
		err = lab.SetDefaultText(text)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "components tests need the repository's lab.toml:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// fakeCtl records the commands a screen sends.
type fakeCtl struct {
	mu     sync.Mutex
	calls  []string
	cfg    *lab.Config
	status lab.Status
	task   tasks.Task
	test   []tasks.Example
	model  *engine.Model
	setErr error
}

func newFakeCtl() *fakeCtl {
	return &fakeCtl{cfg: lab.Default(), status: lab.Status{State: lab.StateTraining, Hyper: engine.Hyper{HaltMaxSteps: 4}}}
}

func (f *fakeCtl) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeCtl) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeCtl) Pause()       { f.record("Pause") }
func (f *fakeCtl) Resume()      { f.record("Resume") }
func (f *fakeCtl) StepOnce()    { f.record("StepOnce") }
func (f *fakeCtl) EvaluateNow() { f.record("EvaluateNow") }
func (f *fakeCtl) Save()        { f.record("Save") }
func (f *fakeCtl) Set(k, v string) error {
	f.record("Set " + k + "=" + v)
	if f.setErr != nil {
		return f.setErr
	}
	return f.cfg.Set(k, v)
}
func (f *fakeCtl) Status() lab.Status       { return f.status }
func (f *fakeCtl) Config() *lab.Config      { return f.cfg.Clone() }
func (f *fakeCtl) Task() tasks.Task         { return f.task }
func (f *fakeCtl) TestSet() []tasks.Example { return f.test }
func (f *fakeCtl) Snapshot(context.Context) (*engine.Model, error) {
	f.record("Snapshot")
	return f.model, nil
}
func (f *fakeCtl) Fork(context.Context) (string, error) {
	f.record("Fork")
	return "", errors.New("the fake session keeps no run folder")
}

// exec runs a command and the commands it batches, returning every message.
// Tests never exec a timer (autoplay ticks are sent by hand), so a command
// that does not answer within the limit is a failure to report, not a tick.
func exec(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(20 * time.Second):
		panic("a command did not return within 20s")
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, exec(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

func press(k string) tea.KeyPressMsg {
	switch k {
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// typeText sends each rune of s as a key press.
func typeText(c common.Component, s string) {
	for _, r := range s {
		c.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func styles(mono bool) *common.Common { return common.NewCommon(mono) }
