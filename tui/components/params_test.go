package components

import (
	"errors"
	"fmt"
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
	for range len(p.fields) + 1 {
		p.Update(press("up"))
	}
	for range len(p.fields) + 1 {
		if p.cursor >= 0 && p.fields[p.cursor].Key == key {
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

// edit moves the cursor to key, opens the editor, replaces the value with
// value and confirms it, running the commands the confirmation returns.
func edit(t *testing.T, p *Params, key, value string) {
	t.Helper()
	cursorTo(t, p, key)
	p.Update(press("enter"))
	if !p.Capturing() {
		t.Fatalf("enter on %s does not start editing", key)
	}
	clearInput(p)
	typeText(p, value)
	for _, m := range exec(p.Update(press("enter"))) {
		p.Update(m)
	}
}

func TestParamsLiveEdit(t *testing.T) {
	ctl := newFakeCtl()
	p := NewParams(styles(false), ctl)
	p.SetSize(80, 21)
	edit(t, p, "train.lr", "3e-4")
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

// Structural edits are staged: several keys, shown as pending, checked
// together, started as one new run from the ▶ row or dropped with esc.
func TestParamsStructuralEditsAreStaged(t *testing.T) {
	ctl := newFakeCtl()
	ctl.cfg.Run.Name = "the-running-one"
	p := NewParams(styles(false), ctl)
	p.SetSize(100, 30)
	edit(t, p, "model.hidden", "abc")
	if len(p.staged) != 0 || !strings.Contains(p.View(), "not a whole number") {
		t.Fatalf("a bad structural value is not refused in place:\n%s", p.View())
	}
	edit(t, p, "task.kind", "maze")
	view := p.View()
	if !strings.Contains(view, "▶ start a new run with 1 change: task.kind=maze") || !strings.Contains(view, `"sudoku" → "maze"`) ||
		!strings.Contains(view, "✗ task.kind=maze: task.size: maze side 4") {
		t.Fatalf("task.kind=maze alone: want it pending and the size named as what is missing:\n%s", view)
	}
	if msgs := exec(p.Update(press("a"))); len(msgs) != 1 || !strings.Contains(fmt.Sprint(msgs[0]), "do not make an experiment") {
		t.Fatalf("a with an invalid combination gives %v", msgs)
	}
	edit(t, p, "task.size", "11")
	edit(t, p, "model.hidden", "64") // its current value: nothing to stage
	if view := p.View(); strings.Contains(view, "✗") || !strings.Contains(view, "2 changes: task.kind=maze  task.size=11") {
		t.Fatalf("kind and size together:\n%s", view)
	}
	if len(ctl.Calls()) != 0 {
		t.Fatalf("structural edits were sent to the session: %v", ctl.Calls())
	}
	// up to the ▶ row, enter starts it
	for range 60 {
		p.Update(press("up"))
	}
	if p.cursor != actionRow {
		t.Fatalf("the cursor does not reach the ▶ row (at %d)", p.cursor)
	}
	msgs := exec(p.Update(press("enter")))
	if len(msgs) != 1 {
		t.Fatalf("enter on ▶ gives %v", msgs)
	}
	run, ok := msgs[0].(NewRunMsg)
	if !ok || run.Config.Task.Kind != "maze" || run.Config.Task.Size != 11 || run.Resume != "" || run.Branch != "" || run.Config.Run.Name != "" {
		t.Fatalf("enter on ▶ gives %+v", msgs[0])
	}
	if len(p.staged) != 0 || p.cursor < 0 {
		t.Fatalf("after starting: staged %v, cursor %d", p.staged, p.cursor)
	}
	// esc drops what is pending
	edit(t, p, "model.h_layers", "3")
	p.Update(press("esc"))
	if len(p.staged) != 0 || strings.Contains(p.View(), "▶") {
		t.Fatalf("esc keeps %v:\n%s", p.staged, p.View())
	}
}

// The branch editor shows the live keys of a checkpoint's config, stages
// every edit and starts the branch from its ▶ row; esc cancels it.
func TestBranchEditor(t *testing.T) {
	cfg := newFakeCtl().cfg
	target := BranchTarget{Path: "runs/p/checkpoints/step-0000300.safetensors", Parent: "p", Step: 300, ResumeParent: true}
	p := NewBranchEditor(styles(false), cfg, target)
	p.SetSize(80, 21)
	view := p.View()
	for _, want := range []string{"Branch p at step 300", "▶ start the branch at step 300 (no change yet", "live keys only"} {
		if !strings.Contains(view, want) {
			t.Fatalf("no %q in\n%s", want, view)
		}
	}
	for _, f := range p.fields {
		if !f.Live {
			t.Fatalf("the branch editor shows the structural key %s", f.Key)
		}
	}
	if !p.Capturing() {
		t.Fatal("the branch editor lets global keys through")
	}
	edit(t, p, "train.lr", "1e-4")
	if !strings.Contains(p.View(), "with 1 change: train.lr=0.0001") {
		t.Fatalf("the lr edit is not pending:\n%s", p.View())
	}
	msgs := exec(p.Update(press("a")))
	run, ok := msgs[0].(NewRunMsg)
	if len(msgs) != 1 || !ok || run.Branch != target.Path || run.Config.Train.LR != 1e-4 || run.Config.Model.Hidden != cfg.Model.Hidden {
		t.Fatalf("a gives %+v", msgs)
	}
	msgs = exec(p.Update(press("esc")))
	if c, ok := msgs[0].(BranchCancelMsg); len(msgs) != 1 || !ok || c.Target != target {
		t.Fatalf("esc gives %+v", msgs)
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

// shownKeys lists the keys the Params screen shows.
func shownKeys(p *Params) []string {
	var out []string
	for _, f := range p.fields {
		out = append(out, f.Key)
	}
	return out
}

func TestParamsFilter(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []string // keys that must be shown
		not        []string // keys that must not be shown
		none       bool     // no key matches
	}{
		{name: "by name", text: "lr", want: []string{"train.lr", "train.lr_min_ratio", "train.puzzle_emb_lr"}, not: []string{"train.batch_size", "model.hidden"}},
		{name: "by name, any case", text: "BATCH", want: []string{"train.batch_size"}, not: []string{"train.lr"}},
		{name: "by help text", text: "Adam", want: []string{"train.beta1", "train.beta2"}, not: []string{"model.hidden"}},
		{name: "no match", text: "zzqx", none: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := NewParams(styles(true), newFakeCtl())
			p.SetSize(80, 21)
			total := len(p.fields)
			p.Update(press("/"))
			if !p.Capturing() {
				t.Fatal("/ does not open the filter line")
			}
			typeText(p, c.text)
			got := shownKeys(p)
			for _, k := range c.want {
				if !slices.Contains(got, k) {
					t.Errorf("%q: %s not shown (%v)", c.text, k, got)
				}
			}
			for _, k := range c.not {
				if slices.Contains(got, k) {
					t.Errorf("%q: %s shown", c.text, k)
				}
			}
			if c.none != (len(got) == 0) {
				t.Errorf("%q: shown %v", c.text, got)
			}
			view := p.View()
			if !strings.Contains(view, "filter: ") || !strings.Contains(view, fmt.Sprintf("%d of %d keys", len(got), total)) {
				t.Errorf("the filter or the count is not shown:\n%s", view)
			}
			if c.none && !strings.Contains(view, "no key matches") {
				t.Errorf("no-match not told:\n%s", view)
			}
			// Enter keeps the filter and returns to the list.
			p.Update(press("enter"))
			if p.Capturing() || !slices.Equal(shownKeys(p), got) || !strings.Contains(p.View(), "filter: "+c.text) {
				t.Errorf("enter: capturing %v, shown %v", p.Capturing(), shownKeys(p))
			}
			// Esc in the filter line clears it.
			p.Update(press("/"))
			p.Update(press("esc"))
			if p.Capturing() || len(p.fields) != total || strings.Contains(p.View(), "filter:") {
				t.Errorf("esc: capturing %v, %d of %d shown", p.Capturing(), len(p.fields), total)
			}
		})
	}
}

func TestParamsFilteredEditEditsTheRightKey(t *testing.T) {
	ctl := newFakeCtl()
	p := NewParams(styles(true), ctl)
	p.SetSize(80, 21)
	p.Update(press("/"))
	typeText(p, "decay")
	p.Update(press("enter"))
	edit(t, p, "train.weight_decay", "0.5")
	if got := ctl.Calls(); !slices.Equal(got, []string{"Set train.weight_decay=0.5"}) {
		t.Fatalf("calls %v", got)
	}
	if !strings.Contains(p.View(), "filter: decay") || slices.Contains(shownKeys(p), "train.lr") {
		t.Errorf("the filter is lost after the edit:\n%s", p.View())
	}
	// Esc in the list clears a kept filter.
	p.Update(press("esc"))
	if !slices.Contains(shownKeys(p), "train.lr") {
		t.Error("esc does not clear the filter")
	}
}

func TestParamsLiveOnly(t *testing.T) {
	for _, c := range []struct {
		name   string
		filter string
	}{{"alone", ""}, {"with a filter", "train"}} {
		t.Run(c.name, func(t *testing.T) {
			p := NewParams(styles(true), newFakeCtl())
			p.SetSize(80, 21)
			if c.filter != "" {
				p.Update(press("/"))
				typeText(p, c.filter)
				p.Update(press("enter"))
			}
			before := shownKeys(p)
			p.Update(press("v"))
			got := shownKeys(p)
			if len(got) == 0 || len(got) >= len(before) {
				t.Fatalf("live only: %d of %d", len(got), len(before))
			}
			for _, f := range p.fields {
				if !f.Live || (c.filter != "" && !strings.Contains(f.Key+f.Help, c.filter)) {
					t.Errorf("%s shown (live %v)", f.Key, f.Live)
				}
			}
			if !strings.Contains(p.View(), "live keys only") {
				t.Errorf("the toggle is not shown:\n%s", p.View())
			}
			p.Update(press("v"))
			if !slices.Equal(shownKeys(p), before) {
				t.Errorf("v again: %v", shownKeys(p))
			}
		})
	}
	k := styles(true).Keys
	found := false
	for _, group := range NewParams(styles(true), newFakeCtl()).FullHelp() {
		for _, b := range group {
			found = found || b.Help().Key == k.LiveOnly.Help().Key
		}
	}
	if !found {
		t.Error("the help does not list the live-only key")
	}
}

// At 80x24 (the Params screen gets 80x21 in the lab) the train keys people
// change most are on the first screen.
func TestParamsFirstScreenGolden(t *testing.T) {
	p := NewParams(styles(true), newFakeCtl())
	p.SetSize(80, 21)
	view := p.View()
	for _, k := range []string{"[train]", "train.lr ", "train.batch_size", "train.weight_decay", "train.ema"} {
		if !strings.Contains(view, k) {
			t.Errorf("%s not on the first screen", k)
		}
	}
	golden.RequireEqual(t, view)
}
