package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"hrmlab/checkpoints"
	"hrmlab/engine"
	"hrmlab/lab"
)

func TestMain(m *testing.M) {
	engine.Start(os.Stderr) // the kernels and scheduler hrmlab itself runs
	text, err := os.ReadFile(filepath.Join("..", "lab.toml"))
	if err == nil {
		err = lab.SetDefaultText(text)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tui tests need the repository's lab.toml:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// tinyConfig is a model small enough to train many steps a second.
func tinyConfig(t *testing.T, out string) *lab.Config {
	t.Helper()
	cfg := lab.Default()
	sets := []string{"model.hidden=16", "model.heads=2", "model.h_layers=1", "model.l_layers=1",
		"model.h_cycles=1", "model.l_cycles=1", "train.batch_size=4", "task.test_count=8",
		"run.eval_count=8", "run.eval_every=0", "run.log_every=1", "run.checkpoint_every=0", "run.name=e2e", "run.out=" + out}
	if err := cfg.ApplySets(sets); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func starter(ctx context.Context) Starter {
	return func(cfg *lab.Config, opts lab.Options) (*lab.Session, error) {
		s, err := lab.NewSession(cfg, opts)
		if err != nil {
			return nil, err
		}
		s.Start(ctx)
		return s, nil
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;:]*[a-zA-Z]")

// eventually polls cond until it holds, failing the test after a while with
// the screen as the user sees it.
func eventually(t *testing.T, app *App, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; screen:\n%s", what, ansi.ReplaceAllString(app.Frame(), ""))
}

func screenHas(app *App, s string) func() bool {
	return func() bool { return strings.Contains(ansi.ReplaceAllString(app.Frame(), ""), s) }
}

func keys(tm *teatest.TestModel, ks ...string) {
	for _, k := range ks {
		switch k {
		case "enter":
			tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
		case "space":
			tm.Send(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
		case "right":
			tm.Send(tea.KeyPressMsg{Code: tea.KeyRight})
		case "down":
			tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
		case "backspace":
			tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		default:
			tm.Send(tea.KeyPressMsg{Code: []rune(k)[0], Text: k})
		}
	}
}

// TestLabEndToEnd drives the lab as a user would: training starts and the
// steps advance, pause, one step, change the learning rate on Params, step
// through a puzzle on Solve, save a checkpoint, load it on Runs, resume it,
// and quit.
func TestLabEndToEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := t.TempDir()
	cfg := tinyConfig(t, out)
	opts := lab.Options{Persist: true}
	start := starter(ctx)
	sess, err := start(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	app := New(sess, opts, start, false)
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(100, 30))

	// Training starts and the dashboard follows it.
	eventually(t, app, "three steps", func() bool { return sess.Status().Step >= 3 })
	eventually(t, app, "the dashboard", screenHas(app, "Loss, last"))

	// Pause, then one step.
	keys(tm, "space")
	eventually(t, app, "pause", func() bool { return sess.Status().State == lab.StatePaused })
	eventually(t, app, "PAUSED on the status bar", screenHas(app, "PAUSED"))
	before := sess.Status().Step
	keys(tm, "n")
	eventually(t, app, "one step", func() bool { return sess.Status().Step == before+1 })
	time.Sleep(100 * time.Millisecond)
	if got := sess.Status().Step; got != before+1 {
		t.Fatalf("n trained to step %d, want %d", got, before+1)
	}

	// Change the learning rate on Params.
	keys(tm, "3")
	eventually(t, app, "the Params screen", screenHas(app, "structural (staged)"))
	// Find the key with the filter line: train.lr is the first key that matches.
	keys(tm, "/", "t", "r", "a", "i", "n", ".", "l", "r", "enter")
	eventually(t, app, "the filter", screenHas(app, "filter: train.lr"))
	keys(tm, "enter")
	for range 10 {
		keys(tm, "backspace")
	}
	keys(tm, "0", ".", "0", "0", "0", "3", "enter")
	eventually(t, app, "train.lr = 0.0003", func() bool { return sess.Config().Train.LR == 0.0003 })
	if ch := sess.History.ChangesSince(0); len(ch) != 1 || ch[0].Key != "train.lr" {
		t.Errorf("changes logged: %+v", ch)
	}

	// Step through a puzzle on Solve (a snapshot of the live weights).
	keys(tm, "2")
	eventually(t, app, "a solved puzzle", screenHas(app, fmt.Sprintf("segment 1 of %d", cfg.Model.HaltMaxSteps)))
	keys(tm, "right")
	eventually(t, app, "segment 2", screenHas(app, fmt.Sprintf("segment 2 of %d", cfg.Model.HaltMaxSteps)))
	keys(tm, "]")
	eventually(t, app, "the next puzzle", screenHas(app, "test puzzle 2 of 8"))

	// Save a checkpoint from the dashboard.
	keys(tm, "1", "s")
	saved := checkpoints.Path(filepath.Join(out, "e2e", checkpoints.Dir), sess.Status().Step)
	eventually(t, app, "the checkpoint file", func() bool { _, err := os.Stat(saved); return err == nil })
	eventually(t, app, "the save notice", screenHas(app, "saved "))

	// Load it into Solve from Runs.
	keys(tm, "4")
	eventually(t, app, "the run list", screenHas(app, "e2e  (1 checkpoint,"))
	keys(tm, "enter")
	eventually(t, app, "the checkpoint on Solve", screenHas(app, "checkpoint e2e/"+filepath.Base(saved)))
	eventually(t, app, "its puzzle", screenHas(app, fmt.Sprintf("segment 1 of %d", cfg.Model.HaltMaxSteps)))

	// Resume training from it: a new session.
	keys(tm, "4", "r", "y")
	eventually(t, app, "the resumed session", func() bool { return app.Session() != sess })
	resumed := app.Session()
	step := 0
	fmt.Sscanf(filepath.Base(saved), "step-%d.safetensors", &step)
	if got := resumed.Status().Step; got < step {
		t.Errorf("resumed at step %d, want %d or later", got, step)
	}
	if err := sess.Wait(); err != nil {
		t.Errorf("the first session ended with %v", err)
	}
	eventually(t, app, "the resumed run training", func() bool { return resumed.Status().Step > step })
	eventually(t, app, "the whole run on the resumed dashboard", screenHas(app, "Loss, steps 1–"))

	// q asks about saving; n quits without saving.
	ckDir := filepath.Join(resumed.Status().RunDir, "checkpoints")
	keys(tm, " ")
	eventually(t, app, "the resumed run paused", func() bool { return resumed.Status().State == lab.StatePaused })
	kept, _ := filepath.Glob(filepath.Join(ckDir, "step-*.safetensors"))
	keys(tm, "q")
	eventually(t, app, "the quit question", screenHas(app, "save a checkpoint before quitting?"))
	keys(tm, "n")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	final := tm.FinalModel(t).(*App)
	if final.SaveOnQuit() {
		t.Error("n asked to save")
	}
	final.Session().StopWithoutSaving()
	if err := final.Session().Wait(); err != nil {
		t.Errorf("the resumed session ended with %v", err)
	}
	if after, _ := filepath.Glob(filepath.Join(ckDir, "step-*.safetensors")); len(after) != len(kept) {
		t.Errorf("quitting without saving changed the checkpoints from %v to %v", kept, after)
	}
}

// pausedApp is the lab on a tiny session that waits before its first step;
// the session is stopped when the test ends.
func pausedApp(t *testing.T, mono bool) *App {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	opts := lab.Options{StartPaused: true}
	sess, err := starter(ctx)(tinyConfig(t, t.TempDir()), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Stop(); _ = sess.Wait() })
	return New(sess, opts, starter(ctx), mono)
}

func TestTooSmallAndResize(t *testing.T) {
	app := pausedApp(t, true)
	app.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	small := app.Render()
	if !strings.Contains(small, "at least 80x24") || !strings.Contains(small, "60x20") {
		t.Errorf("no size message:\n%s", small)
	}
	app.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	frame := app.Render()
	if n := strings.Count(frame, "\n") + 1; n != 24 {
		t.Errorf("80x24 frame has %d lines", n)
	}
	if strings.Contains(frame, "38;") || strings.Contains(frame, "48;") {
		t.Error("the NO_COLOR frame sets colours")
	}
	// The status bar names the BLAS backend, which differs between builds:
	// check it apart and keep the rest of the frame as the golden.
	lines := strings.Split(frame, "\n")
	bar := ansi.ReplaceAllString(lines[len(lines)-1], "")
	backend := engine.BLAS().String()
	if !strings.Contains(bar, "PAUSED") || !strings.Contains(bar, "step 0") || !strings.Contains(bar, backend) {
		t.Errorf("status bar %q", bar)
	}
	golden.RequireEqual(t, strings.Join(lines[:len(lines)-1], "\n"))
}

// TestHelpAndQuitWithoutRunFolder: ? shows the help overlay and closes;
// without a run folder q quits at once (there is nothing to save).
func TestHelpAndQuitWithoutRunFolder(t *testing.T) {
	app := pausedApp(t, false)
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(80, 24))
	keys(tm, "?")
	eventually(t, app, "the help", screenHas(app, "Everywhere"))
	keys(tm, "?")
	eventually(t, app, "the help closing", func() bool { return !screenHas(app, "Everywhere")() })
	keys(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// BenchmarkRender draws the whole lab screen (tabs, a dashboard of 20,000
// steps with evaluations, notice and status bar) at 160x48: a frame must
// stay well under 16 ms.
func BenchmarkRender(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	text, _ := lab.Default().Encode()
	cfg, err := lab.Parse(text, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if err := cfg.ApplySets([]string{"model.hidden=16", "model.heads=2", "task.test_count=4"}); err != nil {
		b.Fatal(err)
	}
	sess, err := starter(ctx)(cfg, lab.Options{StartPaused: true})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { sess.Stop(); _ = sess.Wait() }()
	app := New(sess, lab.Options{}, starter(ctx), false)
	app.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	var pts []lab.Point
	var evals []lab.EvalReport
	for i := 1; i <= 20000; i++ {
		x := float64(i)
		pts = append(pts, lab.Point{Step: i, Loss: 2 / (1 + x/500), LMLoss: 1.8 / (1 + x/500), QHaltLoss: 0.1, QContinueLoss: 0.05,
			TokenAccuracy: x / 20000, ExactAccuracy: x / 40000, QHaltAccuracy: 0.9, LR: 1e-3, GradNorm: 1, HaltHistogram: []int{1, 2, 3, 4}})
		if i%100 == 0 {
			evals = append(evals, lab.EvalReport{Step: i, N: 64, ExactAccuracy: x / 30000, HaltHistogram: []int{4, 3, 2, 1}})
		}
	}
	app.train.Append(pts, evals, []lab.Change{{Step: 5000, Key: "train.lr", Old: "0.001", New: "0.0003"}})
	b.ResetTimer()
	for b.Loop() {
		_ = app.Render()
	}
}

// TestEventsBecomeNotices: session events show on the notice line, and the
// events of a replaced session are ignored.
func TestEventsBecomeNotices(t *testing.T) {
	app := pausedApp(t, true)
	cases := []struct {
		ev   lab.Event
		want string
	}{
		{lab.Event{Kind: lab.EventCheckpoint, Step: 7, Path: "runs/x/step-0000007.safetensors"}, "step 7: saved runs/x/step-0000007.safetensors"},
		{lab.Event{Kind: lab.EventHyper, Step: 9, Key: "train.lr", Old: "0.001", New: "0.0003"}, "step 9: train.lr 0.001 → 0.0003"},
		{lab.Event{Kind: lab.EventEval, Step: 10, Eval: &lab.EvalReport{N: 8, ExactAccuracy: 0.25}}, "evaluated 8 puzzles, exact 25.0%"},
		{lab.Event{Kind: lab.EventError, Err: errors.New("the loss is NaN")}, "✗ the loss is NaN"},
		{lab.Event{Kind: lab.EventLog, Text: "session stopped"}, "session stopped"},
	}
	for _, c := range cases {
		app.Update(eventsMsg{gen: app.gen, events: []lab.Event{c.ev}, closed: true, status: app.Session().Status()})
		if !strings.Contains(app.Render(), c.want) {
			t.Errorf("event %v: the notice line lacks %q", c.ev.Kind, c.want)
		}
	}
	app.Update(eventsMsg{gen: app.gen - 1, events: []lab.Event{{Kind: lab.EventLog, Text: "old session"}}, closed: true})
	if strings.Contains(app.Render(), "old session") {
		t.Error("an event of a replaced session was shown")
	}
}
