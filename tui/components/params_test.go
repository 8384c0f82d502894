package components

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"hrmlab/lab"
)

// cursorTo moves the Params cursor onto key.
func cursorTo(t *testing.T, p *Params, key string) {
	t.Helper()
	for range len(p.fields) {
		if p.fields[p.cursor].Key == key {
			return
		}
		p.Update(press("down"))
	}
	t.Fatalf("no field %s", key)
}

func clearInput(p *Params) {
	for range 40 {
		p.Update(press("backspace"))
	}
}

func TestParamsLiveEdit(t *testing.T) {
	ctl := newFakeCtl()
	p := NewParams(styles(false), ctl)
	p.SetSize(80, 21)
	cursorTo(t, p, "train.lr")
	p.Update(press("enter"))
	if !p.Capturing() {
		t.Fatal("enter does not start editing")
	}
	clearInput(p)
	typeText(p, "3e-4")
	for _, m := range exec(p.Update(press("enter"))) {
		p.Update(m)
	}
	if got := ctl.Calls(); !slices.Equal(got, []string{"Set train.lr=3e-4"}) {
		t.Fatalf("calls %v", got)
	}
	if f, _ := lab.LookupField(ctl.cfg, "train.lr"); f.Value != "0.0003" || !strings.Contains(p.View(), "0.0003") {
		t.Errorf("train.lr is %s after the edit; view:\n%s", f.Value, p.View())
	}
	// A refused value is shown in place with the reason.
	ctl.setErr = errors.New("train.lr: -1 must be positive")
	p.Update(press("enter"))
	clearInput(p)
	typeText(p, "-1")
	for _, m := range exec(p.Update(press("enter"))) {
		p.Update(m)
	}
	if !strings.Contains(p.View(), "✗ train.lr: -1 must be positive") {
		t.Errorf("the error is not shown in place:\n%s", p.View())
	}
	// Esc cancels an edit without a call.
	n := len(ctl.Calls())
	p.Update(press("enter"))
	typeText(p, "9")
	p.Update(press("esc"))
	if p.Capturing() || len(ctl.Calls()) != n {
		t.Errorf("esc: capturing %v, calls %v", p.Capturing(), ctl.Calls())
	}
}

func TestParamsStructuralStartsNewRun(t *testing.T) {
	ctl := newFakeCtl()
	ctl.cfg.Run.Name = "the-running-one"
	p := NewParams(styles(false), ctl)
	p.SetSize(80, 21)
	cursorTo(t, p, "model.hidden")
	p.Update(press("enter"))
	clearInput(p)
	typeText(p, "abc")
	p.Update(press("enter"))
	if p.mode != paramsBrowse || !strings.Contains(p.View(), "not a whole number") {
		t.Fatalf("a bad structural value is not refused in place:\n%s", p.View())
	}
	p.Update(press("enter"))
	clearInput(p)
	typeText(p, "32")
	p.Update(press("enter"))
	if p.mode != paramsConfirmRun || !strings.Contains(p.View(), "Start a new run") {
		t.Fatalf("no new-run question:\n%s", p.View())
	}
	msgs := exec(p.Update(press("y")))
	if len(msgs) != 1 {
		t.Fatalf("y gives %v", msgs)
	}
	run, ok := msgs[0].(NewRunMsg)
	if !ok || run.Config.Model.Hidden != 32 || run.Resume != "" || run.Config.Run.Name != "" {
		t.Errorf("y gives %+v", msgs[0])
	}
	if len(ctl.Calls()) != 0 {
		t.Errorf("a structural change was sent to the session: %v", ctl.Calls())
	}
}

func TestParamsSaveAs(t *testing.T) {
	ctl := newFakeCtl()
	if err := ctl.cfg.Set("model.hidden", "48"); err != nil {
		t.Fatal(err)
	}
	p := NewParams(styles(false), ctl)
	p.SetSize(80, 21)
	path := filepath.Join(t.TempDir(), "saved.toml")
	p.Update(press("w"))
	clearInput(p)
	typeText(p, path)
	for _, m := range exec(p.Update(press("enter"))) {
		if n, ok := m.(NoticeMsg); !ok || n.Err {
			t.Fatalf("save as: %+v", m)
		}
	}
	got, err := lab.Load(path)
	if err != nil || got.Model.Hidden != 48 {
		t.Fatalf("saved file: %v, hidden %v", err, got)
	}
	// Saving again asks before overwriting.
	p.Update(press("w"))
	clearInput(p)
	typeText(p, path)
	p.Update(press("enter"))
	if p.mode != paramsConfirmOverwrite {
		t.Fatalf("no overwrite question (mode %d)", p.mode)
	}
	p.Update(press("n"))
	if p.mode != paramsBrowse {
		t.Error("n does not cancel")
	}
}

func TestParamsGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		w, h int
		mono bool
	}{{"narrow", 80, 21, false}, {"wide_mono", 160, 45, true}} {
		t.Run(c.name, func(t *testing.T) {
			p := NewParams(styles(c.mono), newFakeCtl())
			p.SetSize(c.w, c.h)
			cursorTo(t, p, "train.lr")
			p.errs["train.lr"] = "train.lr: -1 must be positive"
			golden.RequireEqual(t, p.View())
		})
	}
}
