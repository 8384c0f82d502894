package lab

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hrmlab/checkpoints"
)

// tinyConfig is a 4x4 Sudoku HRM small enough to train a step in milliseconds.
func tinyConfig(t *testing.T) *Config {
	t.Helper()
	c := Default()
	err := c.ApplySets([]string{
		"run.out=" + t.TempDir(), "run.name=tiny", "run.log_every=1", "run.eval_every=3", "run.eval_count=8",
		"run.checkpoint_every=3", "run.keep_checkpoints=2",
		"task.test_count=8", "model.hidden=16", "model.heads=2", "model.h_layers=1", "model.l_layers=1",
		"model.halt_max_steps=3", "train.batch_size=8",
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runToEnd trains a session with ExitAtEnd and returns its events.
func runToEnd(t *testing.T, cfg *Config, opts Options) (*Session, []Event) {
	t.Helper()
	opts.ExitAtEnd = true
	s, err := NewSession(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, drive(t, s)
}

// drive starts s and returns its events once it ends.
func drive(t *testing.T, s *Session) []Event {
	t.Helper()
	sub := s.Subscribe()
	s.Start(context.Background())
	var events []Event
	for range sub.Ready() {
		events = append(events, sub.Drain()...)
	}
	events = append(events, sub.Drain()...)
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
	return events
}

func TestSessionTrainsEvaluatesAndSaves(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Run.MaxSteps = 7
	s, events := runToEnd(t, cfg, Options{Persist: true})
	kinds := map[EventKind]int{}
	for _, e := range events {
		kinds[e.Kind]++
	}
	if kinds[EventMetrics] == 0 || kinds[EventEval] < 2 || kinds[EventCheckpoint] < 2 {
		t.Fatalf("events by kind %v", kinds)
	}
	if got := s.Status(); got.Step != 7 || got.State != StateDone || got.LastEval == nil || got.LastEval.N != 8 {
		t.Fatalf("status %+v", got)
	}
	if n := s.History.Len(); n != 7 {
		t.Fatalf("history has %d points, want 7", n)
	}
	dir := filepath.Join(cfg.Run.Out, "tiny")
	infos, err := checkpoints.List(filepath.Join(dir, "checkpoints"))
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[len(infos)-1].Step != 7 {
		t.Fatalf("checkpoints %+v, want the last 2 ending at step 7", infos)
	}
	lines := readJSONL(t, filepath.Join(dir, "metrics.jsonl"))
	var train, eval int
	for _, l := range lines {
		switch l["kind"] {
		case "train":
			train++
		case "eval":
			eval++
		}
	}
	if train != 7 || eval < 2 {
		t.Fatalf("metrics.jsonl: %d train and %d eval lines", train, eval)
	}
	if _, err := Load(filepath.Join(dir, "lab.toml")); err != nil {
		t.Fatalf("the run's lab.toml does not load: %v", err)
	}
}

func readJSONL(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, m)
	}
	return out
}

// TestResumeIsExact: 2N steps in one go equal N steps, a checkpoint, and N
// more steps resumed from it, bit for bit.
func TestResumeIsExact(t *testing.T) {
	const n, n0 = 4, 4
	whole := tinyConfig(t)
	whole.Run.MaxSteps = 2 * n
	a, _ := runToEnd(t, whole, Options{})

	half := tinyConfig(t)
	half.Run.MaxSteps = n
	runToEnd(t, half, Options{Persist: true})
	ck := checkpoints.Path(filepath.Join(half.Run.Out, "tiny", checkpoints.Dir), n)
	cfg, err := ResumeConfig(ck)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.ApplySets([]string{"run.max_steps=8", "run.eval_every=0"}); err != nil {
		t.Fatal(err)
	}
	b, _ := runToEnd(t, cfg, Options{Persist: true, Resume: ck})

	ta, tb := a.trainer.Model().Tensors(), b.trainer.Model().Tensors()
	for i := range ta {
		for j := range ta[i].F32 {
			if ta[i].F32[j] != tb[i].F32[j] {
				t.Fatalf("%s[%d]: %v straight through, %v resumed", ta[i].Name, j, ta[i].F32[j], tb[i].F32[j])
			}
		}
	}
	if n := b.History.Len(); n != 2*n0 {
		t.Fatalf("the resumed history has %d points, want the %d of the whole run", n, 2*n0)
	}
	pa, _ := a.History.Last()
	pb, _ := b.History.Last()
	if pa.Step != pb.Step || pa.Loss != pb.Loss {
		t.Fatalf("last step %d loss %v straight through, step %d loss %v resumed", pa.Step, pa.Loss, pb.Step, pb.Loss)
	}
}

func TestSessionCommands(t *testing.T) {
	cfg := tinyConfig(t)
	s, err := NewSession(cfg, Options{StartPaused: true})
	if err != nil {
		t.Fatal(err)
	}
	sub := s.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.Start(ctx)

	s.StepOnce()
	s.StepOnce()
	waitFor(t, sub, func(e Event) bool { return e.Kind == EventMetrics && e.Step == 2 })
	if st := s.Status(); st.State != StatePaused || st.Step != 2 {
		t.Fatalf("after two single steps: %+v", st)
	}
	if err := s.Set("train.lr", "2.5e-4"); err != nil {
		t.Fatal(err)
	}
	e := waitFor(t, sub, func(e Event) bool { return e.Kind == EventHyper })
	if e.Key != "train.lr" || e.New != "0.00025" || s.Status().Hyper.LR != 2.5e-4 {
		t.Fatalf("hyper event %+v, status lr %v", e, s.Status().Hyper.LR)
	}
	if err := s.Set("model.hidden", "32"); !errors.Is(err, ErrStructural) {
		t.Fatalf("structural key: %v", err)
	}
	if err := s.Set("train.lr", "fast"); err == nil || !IsInputError(err) {
		t.Fatalf("invalid value: %v", err)
	}
	if err := s.Set("task.min_givens", "30"); err == nil {
		t.Fatal("a 4x4 Sudoku with 30 givens was accepted")
	}
	if got := s.History.ChangesSince(0); len(got) != 1 || got[0].Step != 2 {
		t.Fatalf("changes %+v", got)
	}
	snap, err := s.Snapshot(ctx)
	if err != nil || snap == s.trainer.Model() {
		t.Fatalf("snapshot %p, err %v", snap, err)
	}
	s.Resume()
	waitFor(t, sub, func(e Event) bool { return e.Kind == EventMetrics && e.Step >= 5 })
	s.Pause()
	waitFor(t, sub, func(e Event) bool { return e.Kind == EventState && e.State == StatePaused })
	s.EvaluateNow()
	waitFor(t, sub, func(e Event) bool { return e.Kind == EventEval })
	s.Stop()
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.State != StateStopped {
		t.Fatalf("after Stop: %s", st.State)
	}
}

func waitFor(t *testing.T, sub *Subscription, pred func(Event) bool) Event {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case _, ok := <-sub.Ready():
			for _, e := range sub.Drain() {
				if pred(e) {
					return e
				}
			}
			if !ok {
				t.Fatal("the session ended before the event came")
			}
		case <-deadline:
			t.Fatal("no such event within a minute")
		}
	}
}

func TestSubscriptionCoalescesMetrics(t *testing.T) {
	sub := newSubscription()
	for i := 1; i <= 100; i++ {
		sub.publish(Event{Kind: EventMetrics, Step: i})
	}
	sub.publish(Event{Kind: EventEval, Step: 100})
	sub.publish(Event{Kind: EventMetrics, Step: 101})
	got := sub.Drain()
	if len(got) != 3 || got[0].Step != 100 || got[0].Coalesced != 99 || got[1].Kind != EventEval || got[2].Step != 101 {
		t.Fatalf("drained %+v", got)
	}
	// A logged step (a metrics.jsonl record, a line of train's output) is
	// never folded into the next one.
	for i := 1; i <= 25; i++ {
		sub.publish(Event{Kind: EventMetrics, Step: i, Logged: i%10 == 0})
	}
	var steps []int
	for _, e := range sub.Drain() {
		steps = append(steps, e.Step)
	}
	if !slices.Equal(steps, []int{10, 20, 25}) {
		t.Fatalf("drained steps %v, want 10, 20 and 25", steps)
	}
}

func TestStopWithoutSavingSavesNothing(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Run.CheckpointEvery = 0
	s, err := NewSession(cfg, Options{Persist: true, StartPaused: true})
	if err != nil {
		t.Fatal(err)
	}
	sub := s.Subscribe()
	s.Start(context.Background())
	s.StepOnce()
	waitFor(t, sub, func(e Event) bool { return e.Kind == EventMetrics })
	s.StopWithoutSaving()
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
	if infos, _ := checkpoints.List(filepath.Join(cfg.Run.Out, "tiny", checkpoints.Dir)); len(infos) != 0 {
		t.Fatalf("checkpoints %+v after StopWithoutSaving", infos)
	}
}

// A budget in minutes drives the cosine (the rate falls as the time is spent,
// on a machine of any speed), and a resumed run goes on with the run's clock:
// it is refused when the budget is already spent, and with a larger one its
// rate starts where the cosine stands. The session is given 59.7 s of
// earlier training, so the test does not depend on how fast steps are.
func TestTimeBudgetAnnealsAndCarriesOverResume(t *testing.T) {
	cfg := tinyConfig(t)
	if err := cfg.ApplySets([]string{"run.max_minutes=1", "run.eval_every=0", "run.checkpoint_every=0",
		"train.warmup_steps=0", "train.lr_min_ratio=0.1"}); err != nil {
		t.Fatal(err)
	}
	base := cfg.Train.LR
	s, err := NewSession(cfg, Options{Persist: true, ExitAtEnd: true})
	if err != nil {
		t.Fatal(err)
	}
	s.priorTime = 59700 * time.Millisecond
	drive(t, s)
	ps := s.History.PointsSince(0)
	if len(ps) == 0 {
		t.Fatal("no step in the budget's last 0.3 s")
	}
	for _, p := range ps { // at least 99.5% of the budget spent: the floor, to 1e-4
		if p.LR < 0.1*base || p.LR > 0.1001*base {
			t.Fatalf("step %d: lr %v with the budget nearly spent, want the floor %v", p.Step, p.LR, 0.1*base)
		}
	}
	if e := s.Status().Elapsed; e < time.Minute {
		t.Fatalf("elapsed %v at the end of a 1-minute budget", e)
	}

	dir := filepath.Join(cfg.Run.Out, "tiny")
	again, err := ResumeConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSession(again, Options{Persist: true, Resume: dir, ExitAtEnd: true}); err == nil || !IsInputError(err) ||
		!strings.Contains(err.Error(), "run.max_minutes = 1") {
		t.Fatalf("resuming a run whose time budget is spent: %v", err)
	}
	if err := again.ApplySets([]string{"run.max_minutes=2"}); err != nil {
		t.Fatal(err)
	}
	r, err := NewSession(again, Options{Persist: true, Resume: dir})
	if err != nil {
		t.Fatal(err)
	}
	sub := r.Subscribe()
	r.Start(context.Background())
	for range sub.Ready() { // one step, then stop
		if r.History.Len() > len(ps) {
			r.StopWithoutSaving()
		}
		sub.Drain()
	}
	if err := r.Wait(); err != nil {
		t.Fatal(err)
	}
	more := r.History.PointsSince(len(ps))
	if len(more) == 0 {
		t.Fatal("the resumed run took no step")
	}
	// about half the budget spent: 0.1 + 0.9·(1 + cos(π/2))/2 = 0.55 of the rate, a little less
	if lr := more[0].LR; lr > 0.55*base || lr < 0.54*base {
		t.Fatalf("resumed with half the budget spent: lr %v, want about %v", lr, 0.55*base)
	}
}
