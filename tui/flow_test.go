package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"hrmlab/checkpoints"
	"hrmlab/lab"
)

// timing masks the table's training time and steps/s, which depend on the
// machine's speed, so the rest of the Compare view can be a golden file.
var timing = regexp.MustCompile(`(?m)^(\S .*?\s\d+)\s+\S+\s+\d+\.\d(\s+\d+\s)`)

// edit changes a key on the Params screen or in the branch editor: it
// filters the keys down to key, edits the first match and confirms value.
func editKey(tm *teatest.TestModel, key, value string) {
	keys(tm, "/")
	for _, r := range key {
		keys(tm, string(r))
	}
	keys(tm, "enter", "down", "enter") // keep the filter; onto the key (from ▶, if any); edit
	for range 12 {
		keys(tm, "backspace")
	}
	for _, r := range value {
		keys(tm, string(r))
	}
	keys(tm, "enter", "esc") // confirm; clear the filter
}

// TestBranchAndCompareFlow is the experiment loop as a user meets it: a run
// trains to step n; b on Train branches it with another learning rate; the
// branch trains; Runs marks both and Compare overlays them, sharing their
// first n steps; the branch's checkpoint names its parent; the parent,
// resumed from Runs, continues bit-exactly as a run that never stopped.
func TestBranchAndCompareFlow(t *testing.T) {
	const n = 6
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := t.TempDir()
	cfg := tinyConfig(t, out)
	if err := cfg.ApplySets([]string{"run.name=parent", fmt.Sprintf("run.max_steps=%d", n), "run.eval_every=2"}); err != nil {
		t.Fatal(err)
	}
	opts := lab.Options{Persist: true}
	start := starter(ctx)
	parent, err := start(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	app := New(parent, opts, start, true)
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(80, 24))
	eventually(t, app, "the parent at its limit", func() bool { return parent.Status().State == lab.StateDone })

	// b on Train: the fork is saved and the branch editor opens on the live keys.
	keys(tm, "b")
	eventually(t, app, "the branch editor", screenHas(app, fmt.Sprintf("Branch parent at step %d", n)))
	editKey(tm, "train.lr", "0.0001")
	editKey(tm, "run.max_steps", fmt.Sprint(2*n))
	eventually(t, app, "two pending changes", screenHas(app, "with 2 changes: train.lr=0.0001  run.max_steps=12"))
	keys(tm, "a")
	eventually(t, app, "the branch session", func() bool { return app.Session() != parent })
	branch := app.Session()
	eventually(t, app, "the branch at its limit", func() bool { return branch.Status().State == lab.StateDone })
	if st := branch.Status(); st.Run != fmt.Sprintf("parent-b%d", n) || st.Step != 2*n {
		t.Fatalf("branch %q at step %d", st.Run, st.Step)
	}
	info, err := checkpoints.Latest(filepath.Join(branch.Status().RunDir, checkpoints.Dir))
	if err != nil {
		t.Fatal(err)
	}
	if info.Meta.Extra[lab.KeyParentRun] != "parent" || info.Meta.Extra[lab.KeyParentStep] != fmt.Sprint(n) {
		t.Fatalf("the branch's checkpoint metadata: %v", info.Meta.Extra)
	}

	// Runs: mark both (the live branch is the newest), compare.
	keys(tm, "4")
	eventually(t, app, "both runs listed", screenHas(app, "parent  ("))
	keys(tm, "space")
	for range 3 { // down to the parent's row
		keys(tm, "down")
	}
	keys(tm, "space")
	eventually(t, app, "two marked", screenHas(app, "2 marked"))
	keys(tm, "c")
	eventually(t, app, "the comparison", screenHas(app, "branched from parent at step 6"))
	frame := ansi.ReplaceAllString(app.Frame(), "")
	lines := strings.Split(frame, "\n")
	body := strings.Join(lines[1:len(lines)-2], "\n") // without the tabs, notice and status bar
	golden.RequireEqual(t, timing.ReplaceAllString(body, "$1  ‹time›   ‹s/s›$2"))

	// The parent resumed from Runs continues as a run that never stopped.
	keys(tm, "esc")
	eventually(t, app, "the run list again", screenHas(app, "2 marked"))
	keys(tm, "r", "y")
	eventually(t, app, "the resumed parent", func() bool {
		s := app.Session()
		return s != branch && s.Status().Run == "parent" && s.Status().Step == n
	})
	resumed := app.Session()
	keys(tm, "3")
	editKey(tm, "run.max_steps", fmt.Sprint(2*n))
	eventually(t, app, "the raised limit", func() bool { return resumed.Config().Run.MaxSteps == 2*n })
	keys(tm, "1")
	eventually(t, app, "PAUSED under the raised limit", screenHas(app, "PAUSED"))
	keys(tm, "space")
	eventually(t, app, "the parent at step 12", func() bool {
		return resumed.Status().State == lab.StateDone && resumed.Status().Step == 2*n
	})
	straight := tinyConfig(t, t.TempDir())
	if err := straight.ApplySets([]string{"run.name=parent", fmt.Sprintf("run.max_steps=%d", 2*n), "run.eval_every=2"}); err != nil {
		t.Fatal(err)
	}
	ref, err := lab.NewSession(straight, lab.Options{Persist: true, ExitAtEnd: true})
	if err != nil {
		t.Fatal(err)
	}
	ref.Start(ctx)
	if err := ref.Wait(); err != nil {
		t.Fatal(err)
	}
	a, err := checkpoints.Load(checkpoints.Path(filepath.Join(straight.Run.Out, "parent", checkpoints.Dir), 2*n))
	if err != nil {
		t.Fatal(err)
	}
	b, err := checkpoints.Load(checkpoints.Path(filepath.Join(out, "parent", checkpoints.Dir), 2*n))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Tensors) != len(b.Tensors) {
		t.Fatalf("%d tensors straight through, %d resumed", len(a.Tensors), len(b.Tensors))
	}
	for i, x := range a.Tensors {
		y := b.Tensors[i]
		for j := range x.F32 {
			if x.Name != y.Name || x.F32[j] != y.F32[j] {
				t.Fatalf("%s[%d] straight through %v, %s[%d] resumed after the fork %v", x.Name, j, x.F32[j], y.Name, j, y.F32[j])
			}
		}
	}
	keys(tm, "q", "n")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	app.Session().StopWithoutSaving()
	_ = app.Session().Wait()
}
