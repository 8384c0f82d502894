package lab

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"hrmlab/engine"
	"hrmlab/tasks"
)

// Options are the choices of the front-end that starts a Session.
type Options struct {
	Persist bool   // write runs/<name>/ (config, metrics.jsonl, checkpoints)
	Resume  string // a checkpoint to resume from, or a run folder (its latest checkpoint)
	// Branch is a checkpoint (or run folder) to branch from: a new run in a
	// folder of its own starts from its exact state, with the live keys
	// where the session's config differs applied at the fork step.
	Branch      string
	StartPaused bool
	ExitAtEnd   bool // end the session when a limit is reached (the CLI); else stay open (the TUI)
}

// Status is a copy of what the status bar shows.
type Status struct {
	Run, Task, Arch string
	Params          int
	BLAS            engine.BLASInfo // the dense-product backend, its kernels and threads
	State           State
	Step            int
	StepsPerSec     float64
	Elapsed         time.Duration // the run's time spent training, pauses excluded, over resumed sessions
	ETA             time.Duration // 0 when there is no limit
	RunDir          string
	LastEval        *EvalReport
	LastCheckpoint  string
	LastError       error
	Hyper           engine.Hyper
}

// ErrStructural is returned by Set for a key that only a new run can change.
var ErrStructural = errors.New("structural setting: it takes a new run")

// Session is one experiment: the dataset, the model and a trainer running on
// its own goroutine. Front-ends read its events and history and send it
// commands, which it applies between steps; nothing they do blocks training.
type Session struct {
	task    tasks.Task
	data    *dataStream
	trainer *engine.Trainer
	opts    Options
	run     *runFolder // nil unless Persist

	History History

	cmds chan command
	done chan struct{}

	mu     sync.Mutex // guards the fields below
	cfg    *Config
	test   []tasks.Example // the held-out split, for front-ends
	status Status
	subs   []*Subscription
	err    error

	// Owned by the training goroutine.
	paused     bool
	finished   bool
	priorTime  time.Duration // the run's training time before this session (resume, branch)
	trainTime  time.Duration // this session's
	rate       float64       // smoothed steps per second
	lastEvalAt int
	lastSaveAt int
}

type cmdKind int

const (
	cmdPause cmdKind = iota
	cmdResume
	cmdStep
	cmdEval
	cmdSave
	cmdStop
	cmdSet
	cmdSnapshot
	cmdFork
)

type command struct {
	kind       cmdKind
	key, value string
	reply      chan any
}

// NewSession builds the dataset and the model from cfg and, with
// opts.Resume, restores the checkpoint's weights, optimizer, carry and data
// position into them (cfg is then normally the checkpoint's own, from
// ResumeConfig, with live keys possibly changed). It does not start training:
// call Start.
func NewSession(cfg *Config, opts Options) (*Session, error) {
	cfg = cfg.Clone()
	if opts.Resume != "" && opts.Branch != "" {
		return nil, inputErrorf("resume a run or branch from one, not both")
	}
	var ck *loadedCheckpoint
	from := opts.Resume + opts.Branch
	if from != "" {
		var err error
		if ck, err = loadCheckpoint(from); err != nil {
			return nil, err
		}
	}
	limits := cfg.Run  // asked for: a branch applies them as edits at the fork
	folderCfg := cfg   // the lab.toml a new run folder starts with
	var edits []string // a branch's changes, applied at the fork
	if opts.Branch != "" {
		var err error
		if cfg, folderCfg, edits, err = branchConfig(ck, cfg); err != nil {
			return nil, err
		}
	}
	data, err := newDataSource(cfg)
	if err != nil {
		return nil, err
	}
	model, err := engine.NewModel(modelConfig(cfg, data), uint64(cfg.Run.Seed))
	if err != nil {
		return nil, &InputError{Err: err}
	}
	trainer, err := engine.NewTrainer(model, hyperOf(cfg), uint64(cfg.Run.Seed))
	if err != nil {
		return nil, &InputError{Err: err}
	}
	s := &Session{
		task: data.Task(), data: data, trainer: trainer, opts: opts, cfg: cfg, test: data.Test(),
		cmds: make(chan command, 64), done: make(chan struct{}),
		paused: opts.StartPaused,
	}
	if ck != nil {
		if err := ck.restore(s); err != nil {
			return nil, err
		}
		if opts.ExitAtEnd {
			if err := budgetLeft(limits, ck, s.priorTime); err != nil {
				return nil, err
			}
		}
	}
	if opts.Persist {
		if s.run, err = s.openRun(ck, folderCfg); err != nil {
			return nil, err
		}
	}
	s.status = Status{
		Run: cfg.Run.Name, Task: taskLabel(cfg), Arch: cfg.Model.Arch, Params: model.NumParams(),
		BLAS: engine.BLAS(), State: StatePaused, Step: trainer.Steps(), Hyper: trainer.Hyper(),
	}
	if s.run != nil {
		s.status.Run, s.status.RunDir = s.run.name, s.run.dir
	}
	if len(edits) > 0 {
		if err := s.applyEdits(edits); err != nil {
			return nil, err
		}
	}
	s.lastEvalAt, s.lastSaveAt = trainer.Steps(), trainer.Steps()
	return s, nil
}

// budgetLeft refuses a headless resume or branch whose limits (run.max_steps,
// run.max_minutes; they count from the run's first step) the checkpoint has
// already reached: it would end before its first step.
func budgetLeft(limits RunConfig, ck *loadedCheckpoint, trained time.Duration) error {
	if m := limits.MaxSteps; m > 0 && ck.meta.Step >= m {
		return inputErrorf("run.max_steps = %d: %s is already at step %d (the limit counts from the run's first step); give a larger limit", m, ck.path, ck.meta.Step)
	}
	if m := limits.MaxMinutes; m > 0 && trained.Minutes() >= m {
		return inputErrorf("run.max_minutes = %g: %s has already trained %.2f minutes (the limit counts from the run's first step); give a larger limit", m, ck.path, trained.Minutes())
	}
	return nil
}

// openRun opens the session's run folder: the checkpoint's own when
// resuming, a new one otherwise (a branch's starts with its parent's
// records up to the fork, so its curves and Compare show the whole lineage).
// cfg is the lab.toml of a new folder.
func (s *Session) openRun(ck *loadedCheckpoint, cfg *Config) (*runFolder, error) {
	resumed := ck != nil && s.opts.Branch == ""
	run, err := openRunFolder(cfg, resumed)
	if err != nil {
		return nil, err
	}
	switch {
	case resumed:
		err = loadHistory(run.dir, s.trainer.Steps(), &s.History, nil)
	case ck != nil && ck.runDir() != "":
		err = loadHistory(ck.runDir(), s.trainer.Steps(), &s.History, run)
	}
	if err != nil {
		run.close()
		return nil, &InputError{Err: err}
	}
	return run, nil
}

func taskLabel(c *Config) string {
	return fmt.Sprintf("%s %d", c.Task.Kind, c.Task.Size)
}

// Task is the puzzle family of the session.
func (s *Session) Task() tasks.Task { return s.task }

// TestSet is the held-out split (a live difficulty change regenerates it).
func (s *Session) TestSet() []tasks.Example {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.test
}

// Config returns a copy of the current configuration (live changes included).
func (s *Session) Config() *Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.Clone()
}

// Status returns a copy of the current status.
func (s *Session) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Subscribe returns a new event subscription.
func (s *Session) Subscribe() *Subscription {
	sub := newSubscription()
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		sub.close()
	default:
		s.subs = append(s.subs, sub)
	}
	return sub
}

// Start runs the trainer on its own goroutine until ctx ends, Stop is called
// or (with ExitAtEnd) a limit is reached. Cancelling ctx saves a final
// checkpoint when the session persists.
func (s *Session) Start(ctx context.Context) {
	go s.loop(ctx)
}

// Wait blocks until the training goroutine has ended and returns its error.
func (s *Session) Wait() error {
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Done is closed when the training goroutine has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

func (s *Session) send(c command) {
	select {
	case s.cmds <- c:
	case <-s.done:
	}
}

// Pause stops training after the current step.
func (s *Session) Pause() { s.send(command{kind: cmdPause}) }

// Resume continues training.
func (s *Session) Resume() { s.send(command{kind: cmdResume}) }

// StepOnce trains one step while paused.
func (s *Session) StepOnce() { s.send(command{kind: cmdStep}) }

// EvaluateNow runs an evaluation on the test split at the next step boundary.
func (s *Session) EvaluateNow() { s.send(command{kind: cmdEval}) }

// Save writes a checkpoint at the next step boundary.
func (s *Session) Save() { s.send(command{kind: cmdSave}) }

// Stop ends the session, saving a final checkpoint when it persists and has
// trained since the last one.
func (s *Session) Stop() { s.send(command{kind: cmdStop}) }

// StopWithoutSaving ends the session and saves nothing more (quitting the lab
// with "don't save").
func (s *Session) StopWithoutSaving() { s.send(command{kind: cmdStop, value: "nosave"}) }

// Set changes a live key; it applies at the next step and is logged. Invalid
// values are refused at once with the reason; structural keys return an
// error wrapping ErrStructural.
func (s *Session) Set(key, value string) error {
	f, ok := LookupField(s.Config(), key)
	if !ok {
		return inputErrorf("unknown key %q%s", key, suggest(key))
	}
	if !f.Live {
		return fmt.Errorf("%s: %w", key, ErrStructural)
	}
	trial := s.Config()
	if err := trial.Set(key, value); err != nil {
		return err
	}
	reply := make(chan any, 1)
	s.send(command{kind: cmdSet, key: key, value: value, reply: reply})
	select {
	case r := <-reply:
		if err, _ := r.(error); err != nil {
			return err
		}
	case <-s.done:
		return errors.New("the session has ended")
	}
	return nil
}

// Snapshot returns a copy of the weights used for evaluation (the EMA weights
// when EMA is on), taken between two steps. It waits for the current step to
// finish; call it off the UI goroutine.
func (s *Session) Snapshot(ctx context.Context) (*engine.Model, error) {
	reply := make(chan any, 1)
	select {
	case s.cmds <- command{kind: cmdSnapshot, reply: reply}:
	case <-s.done:
		return s.trainer.EvalModel().Clone(), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-reply:
		return r.(*engine.Model), nil
	case <-s.done:
		return s.trainer.EvalModel().Clone(), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Fork pauses training and returns a checkpoint of the current step (saving
// one unless the last save is of this step), to branch a new run from. The
// parent can be resumed from it later. It waits for the current step; call
// it off the UI goroutine.
func (s *Session) Fork(ctx context.Context) (path string, err error) {
	reply := make(chan any, 1)
	select {
	case s.cmds <- command{kind: cmdFork, reply: reply}:
	case <-s.done:
		return "", errors.New("the session has ended")
	case <-ctx.Done():
		return "", ctx.Err()
	}
	select {
	case r := <-reply:
		if err, ok := r.(error); ok {
			return "", err
		}
		return r.(string), nil
	case <-s.done:
		return "", errors.New("the session has ended")
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (s *Session) publish(e Event) {
	e.Time = time.Now()
	s.mu.Lock()
	subs := append([]*Subscription(nil), s.subs...)
	s.mu.Unlock()
	for _, sub := range subs {
		sub.publish(e)
	}
}

func (s *Session) setState(st State) {
	s.mu.Lock()
	changed := s.status.State != st
	s.status.State = st
	step := s.status.Step
	s.mu.Unlock()
	if changed {
		s.publish(Event{Kind: EventState, State: st, Step: step})
	}
}

func (s *Session) fail(err error) {
	s.mu.Lock()
	s.status.LastError = err
	s.mu.Unlock()
	s.publish(Event{Kind: EventError, Err: err, Step: s.trainer.Steps()})
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
