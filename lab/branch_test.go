package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hrmlab/checkpoints"
)

// sameWeights fails unless the two sessions' models are equal bit for bit.
func sameWeights(t *testing.T, a, b *Session, what string) {
	t.Helper()
	ta, tb := a.trainer.Model().Tensors(), b.trainer.Model().Tensors()
	for i := range ta {
		for j := range ta[i].F32 {
			if ta[i].F32[j] != tb[i].F32[j] {
				t.Fatalf("%s: %s[%d]: %v and %v", what, ta[i].Name, j, ta[i].F32[j], tb[i].F32[j])
			}
		}
	}
}

// A branch starts from its parent's exact state: with no change it trains on
// exactly as the parent would, with a change it differs; its folder records
// the parent and the fork and holds the parent's records up to the fork; the
// parent, forked live, resumes bit-exactly from the fork's checkpoint.
func TestBranchStartsFromTheExactState(t *testing.T) {
	const n = 4
	whole := tinyConfig(t)
	whole.Run.MaxSteps = 2 * n
	straight, _ := runToEnd(t, whole, Options{})

	// The parent trains n steps and forks live: it pauses and saves.
	parentCfg := tinyConfig(t)
	parentCfg.Run.MaxSteps = n
	parent, err := NewSession(parentCfg, Options{Persist: true})
	if err != nil {
		t.Fatal(err)
	}
	sub := parent.Subscribe()
	parent.Start(context.Background())
	waitFor(t, sub, func(e Event) bool { return e.Kind == EventState && e.State == StateDone })
	ck, err := parent.Fork(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := checkpoints.Path(filepath.Join(parentCfg.Run.Out, "tiny", checkpoints.Dir), n); ck != want {
		t.Fatalf("fork checkpoint %s, want %s", ck, want)
	}
	parent.Stop()
	if err := parent.Wait(); err != nil {
		t.Fatal(err)
	}

	branch := func(sets ...string) *Session {
		t.Helper()
		cfg, err := ResumeConfig(ck)
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.ApplySets(append([]string{"run.max_steps=8"}, sets...)); err != nil {
			t.Fatal(err)
		}
		s, _ := runToEnd(t, cfg, Options{Persist: true, Branch: ck})
		return s
	}
	same := branch()
	sameWeights(t, straight, same, "straight through and a branch without changes")
	changed := branch("train.lr=1e-4")
	if a, b := straight.trainer.Model().Tensors()[0].F32[0], changed.trainer.Model().Tensors()[0].F32[0]; a == b {
		t.Fatalf("a branch with another lr trained to the same weights (%v)", a)
	}

	// Its folder: named after the parent and the fork, lineage in lab.toml
	// and in the checkpoint, the parent's records up to the fork, the change
	// logged at the fork.
	st := changed.Status()
	if st.Run != "tiny-b4-2" {
		t.Fatalf("second branch named %q, want tiny-b4-2", st.Run)
	}
	log, err := ReadRun(st.RunDir)
	if err != nil {
		t.Fatal(err)
	}
	if log.Config.Run.Parent != "tiny" || log.Config.Run.ParentStep != n || log.Config.Train.LR != 1e-4 {
		t.Fatalf("branch lab.toml: parent %q step %d lr %v", log.Config.Run.Parent, log.Config.Run.ParentStep, log.Config.Train.LR)
	}
	// run.max_steps=8 is a change too (a live key); both are logged at the fork
	if len(log.Points) != 2*n || log.Points[0].Step != 1 || len(log.Changes) != 2 || log.Changes[1] != (Change{Step: n, Key: "train.lr", Old: "0.003", New: "0.0001"}) {
		t.Fatalf("branch metrics: %d points from step %d, changes %+v", len(log.Points), log.Points[0].Step, log.Changes)
	}
	parentLog, err := ReadRun(filepath.Join(parentCfg.Run.Out, "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if a, b := log.Points[i], parentLog.Points[i]; a.Step != b.Step || a.Loss != b.Loss || a.Elapsed != b.Elapsed {
			t.Fatalf("step %d: the branch's record %+v differs from its parent's %+v", i+1, log.Points[i], parentLog.Points[i])
		}
	}
	info, err := checkpoints.Latest(filepath.Join(st.RunDir, checkpoints.Dir))
	if err != nil {
		t.Fatal(err)
	}
	if info.Meta.Extra[KeyParentRun] != "tiny" || info.Meta.Extra[KeyParentStep] != "4" {
		t.Fatalf("branch checkpoint metadata %v", info.Meta.Extra)
	}

	// The parent resumes from the fork and continues as if never stopped.
	cfg, err := ResumeConfig(filepath.Join(parentCfg.Run.Out, "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.ApplySets([]string{"run.max_steps=8"}); err != nil {
		t.Fatal(err)
	}
	resumed, _ := runToEnd(t, cfg, Options{Persist: true, Resume: filepath.Join(parentCfg.Run.Out, "tiny")})
	sameWeights(t, straight, resumed, "straight through and the parent resumed after the fork")
}

func TestBranchRefusesStructuralChanges(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Run.MaxSteps = 2
	runToEnd(t, cfg, Options{Persist: true})
	dir := filepath.Join(cfg.Run.Out, "tiny")
	for _, tc := range []struct{ set, want string }{
		{"model.hidden=32", "model.hidden: a branch starts from its parent's exact state"},
		{"run.name=tiny", ""}, // the parent's own name: the branch gets a name of its own
	} {
		b, err := ResumeConfig(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.ApplySets([]string{tc.set}); err != nil {
			t.Fatal(err)
		}
		s, err := NewSession(b, Options{Persist: true, Branch: dir, StartPaused: true})
		if tc.want == "" {
			if err != nil {
				t.Fatalf("%s: %v", tc.set, err)
			}
			if s.Status().Run != "tiny-b2" {
				t.Fatalf("%s: branch named %q", tc.set, s.Status().Run)
			}
			s.Start(context.Background())
			s.StopWithoutSaving()
			if err := s.Wait(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err == nil || !IsInputError(err) || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: error %v, want an input error containing %q", tc.set, err, tc.want)
		}
	}
	b, _ := ResumeConfig(dir)
	b.Run.Name = "tiny-b2" // exists now
	if _, err := NewSession(b, Options{Persist: true, Branch: dir}); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("branching into an existing folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.Run.Out, "tiny-b2", checkpoints.ConfigFile)); err != nil {
		t.Fatal(err)
	}

	// A headless branch whose step limit the parent has already passed would
	// end before its first step: refused before its folder is made.
	b, _ = ResumeConfig(dir)
	b.Run.Name, b.Run.MaxSteps = "tiny-late", 1
	if _, err := NewSession(b, Options{Persist: true, Branch: dir, ExitAtEnd: true}); err == nil || !IsInputError(err) ||
		!strings.Contains(err.Error(), "run.max_steps = 1") || !strings.Contains(err.Error(), "already at step 2") {
		t.Fatalf("branching past the step limit: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.Run.Out, "tiny-late")); !os.IsNotExist(err) {
		t.Fatalf("a refused branch left a folder: %v", err)
	}
}
