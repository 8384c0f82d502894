package lab

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"hrmlab/engine"
)

// loop is the training goroutine: it alone touches the trainer, the data
// source and the run folder.
func (s *Session) loop(ctx context.Context) {
	defer s.finish()
	if s.paused {
		s.setState(StatePaused)
	} else {
		s.setState(StateTraining)
	}
	if s.limitReached() { // a run resumed at its limit trains no step past it
		s.reachEnd()
		if s.opts.ExitAtEnd {
			return
		}
	}
	batch := engine.Batch{}
	for {
		c, ok, err := s.next(ctx, s.paused || s.finished)
		if err != nil {
			s.end("interrupted", true)
			return
		}
		if ok {
			stop, step := s.apply(c)
			if stop {
				s.end("stopped", c.value != "nosave")
				return
			}
			if !step {
				continue // apply whatever else is waiting, or wait while paused
			}
		}
		if err := s.trainStep(&batch); err != nil {
			s.fail(err)
			if s.opts.ExitAtEnd {
				s.mu.Lock()
				s.err = err
				s.mu.Unlock()
				s.end("failed", false) // the weights are not worth keeping
				return
			}
			s.paused = true
			s.setState(StatePaused)
			continue
		}
		if s.limitReached() {
			s.reachEnd()
			if s.opts.ExitAtEnd {
				return
			}
		}
	}
}

// next returns a waiting command; with block it waits for one. It returns an
// error when ctx ends.
func (s *Session) next(ctx context.Context, block bool) (command, bool, error) {
	if block {
		select {
		case c := <-s.cmds:
			return c, true, nil
		case <-ctx.Done():
			return command{}, false, ctx.Err()
		}
	}
	select {
	case c := <-s.cmds:
		return c, true, nil
	case <-ctx.Done():
		return command{}, false, ctx.Err()
	default:
		return command{}, false, nil
	}
}

// apply carries out one command. It reports whether the session must stop
// and whether one step must be trained now (n while paused).
func (s *Session) apply(c command) (stop, step bool) {
	switch c.kind {
	case cmdPause:
		if !s.paused && !s.finished {
			s.paused = true
			s.setState(StatePaused)
		}
	case cmdResume:
		if s.paused && !s.finished {
			s.paused = false
			s.setState(StateTraining)
		}
	case cmdStep:
		return false, s.paused && !s.finished
	case cmdEval:
		s.evaluate()
	case cmdSave:
		s.checkpoint()
	case cmdStop:
		return true, false
	case cmdSet:
		c.reply <- s.applySet(c.key, c.value)
	case cmdSnapshot:
		c.reply <- s.trainer.EvalModel().Clone()
	case cmdFork:
		c.reply <- s.fork()
	}
	return false, false
}

// applySet changes a live key between steps and logs it.
func (s *Session) applySet(key, value string) error {
	return s.applyEdits([]string{key + "=" + value})
}

// applyEdits changes live keys together between steps ("key=value" each,
// validated once) and logs each key that changed.
func (s *Session) applyEdits(edits []string) error {
	s.mu.Lock()
	trial := s.cfg.Clone()
	old := s.cfg
	s.mu.Unlock()
	if err := trial.Edit(edits); err != nil {
		return err
	}
	if err := s.trainer.SetHyper(hyperOf(trial)); err != nil {
		return &InputError{Err: fmt.Errorf("%s: %w", strings.Join(edits, " "), err)}
	}
	test, err := s.data.Update(trial)
	if err != nil {
		return &InputError{Err: fmt.Errorf("%s: %w", strings.Join(edits, " "), err)}
	}
	s.mu.Lock()
	s.cfg = trial
	s.status.Hyper = s.trainer.Hyper()
	if test != nil {
		s.test = test
	}
	s.mu.Unlock()
	step := s.trainer.Steps()
	seen := map[string]bool{}
	for _, e := range edits {
		key, _, _ := strings.Cut(e, "=")
		o, _ := LookupField(old, key)
		n, _ := LookupField(trial, key)
		if seen[key] || o.Value == n.Value {
			continue
		}
		seen[key] = true
		ch := Change{Step: step, Key: key, Old: o.Value, New: n.Value}
		s.History.addChange(ch)
		if s.run != nil {
			s.run.logChange(ch)
		}
		s.publish(Event{Kind: EventHyper, Step: step, Key: key, Old: ch.Old, New: ch.New})
	}
	if s.finished && !s.limitReached() {
		s.finished = false // a raised limit lets training go on
		s.paused = true
		s.setState(StatePaused)
	}
	return nil
}

// trainStep trains one step and does what the cadences ask after it.
func (s *Session) trainStep(batch *engine.Batch) error {
	if err := s.data.Next(batch, s.trainer.Hyper().BatchSize); err != nil {
		return err
	}
	cfg := s.Config()
	spent := 0.0
	if mm := cfg.Run.MaxMinutes; mm > 0 {
		spent = s.runTime().Minutes() / mm
	}
	s.trainer.SetTimeSpent(spent)
	t0 := time.Now()
	m, err := s.trainer.Step(*batch)
	if err != nil {
		return err
	}
	dt := time.Since(t0)
	s.trainTime += dt
	if r := 1 / dt.Seconds(); s.rate == 0 {
		s.rate = r
	} else {
		s.rate = 0.9*s.rate + 0.1*r
	}
	p := pointOf(m)
	p.Elapsed = s.trainTime.Seconds()
	s.History.addPoint(p)
	s.mu.Lock()
	s.status.Step, s.status.StepsPerSec, s.status.Elapsed = m.Step, s.rate, s.runTime()
	s.status.ETA = s.eta(cfg)
	s.mu.Unlock()
	logged := m.Step%cfg.Run.LogEvery == 0
	s.publish(Event{Kind: EventMetrics, Step: m.Step, Metrics: m, StepsPerS: s.rate, ElapsedSec: s.trainTime.Seconds(), Logged: logged})
	if !isFinite(m.Loss) {
		return fmt.Errorf("step %d: the loss is %v; training paused (lower train.lr or check the data)", m.Step, m.Loss)
	}
	if s.run != nil && logged {
		s.run.logPoint(p)
	}
	if e := cfg.Run.EvalEvery; e > 0 && m.Step-s.lastEvalAt >= e {
		if r, ok := s.evaluate(); ok {
			s.advanceCurriculum(r)
		}
	}
	if c := cfg.Run.CheckpointEvery; c > 0 && m.Step-s.lastSaveAt >= c {
		s.checkpoint()
	}
	return nil
}

func (s *Session) eta(cfg *Config) time.Duration {
	if s.rate <= 0 {
		return 0
	}
	var left time.Duration
	if cfg.Run.MaxSteps > 0 {
		left = time.Duration(float64(cfg.Run.MaxSteps-s.trainer.Steps()) / s.rate * float64(time.Second))
	}
	if cfg.Run.MaxMinutes > 0 {
		byTime := time.Duration(cfg.Run.MaxMinutes*float64(time.Minute)) - s.runTime()
		if left == 0 || byTime < left {
			left = byTime
		}
	}
	return max(left, 0)
}

func (s *Session) limitReached() bool {
	cfg := s.Config()
	if cfg.Run.MaxSteps > 0 && s.trainer.Steps() >= cfg.Run.MaxSteps {
		return true
	}
	return cfg.Run.MaxMinutes > 0 && s.runTime().Minutes() >= cfg.Run.MaxMinutes
}

// runTime is the run's training time: run.max_minutes, like run.max_steps,
// counts from the run's first step over resumed sessions.
func (s *Session) runTime() time.Duration { return s.priorTime + s.trainTime }

// reachEnd evaluates and saves once when a limit is reached.
func (s *Session) reachEnd() {
	s.finished = true
	if s.lastEvalAt != s.trainer.Steps() && s.Config().Run.EvalEvery > 0 {
		s.evaluate()
	}
	if s.lastSaveAt != s.trainer.Steps() {
		s.checkpoint()
	}
	s.setState(StateDone)
}

// evaluate runs an evaluation on the test split; ok is false when it failed.
func (s *Session) evaluate() (r EvalReport, ok bool) {
	prev := s.Status().State
	s.setState(StateEvaluating)
	cfg := s.Config()
	test := s.data.Test()
	n := min(cfg.Run.EvalCount, len(test))
	r, err := Evaluate(s.trainer.EvalModel(), s.task, test[:n], s.trainer.Hyper().HaltMaxSteps, s.trainer.Hyper().BatchSize)
	if err != nil {
		s.fail(fmt.Errorf("evaluation: %w", err))
		s.setState(prev)
		return r, false
	}
	r.Step = s.trainer.Steps()
	s.lastEvalAt = r.Step
	s.History.addEval(r)
	s.mu.Lock()
	s.status.LastEval = &r
	s.mu.Unlock()
	if s.run != nil {
		s.run.logEval(r)
	}
	s.publish(Event{Kind: EventEval, Step: r.Step, Eval: &r})
	s.setState(prev)
	return r, true
}

// checkpoint saves the model and the trainer state into the run folder.
func (s *Session) checkpoint() {
	if s.run == nil {
		s.publish(Event{Kind: EventLog, Step: s.trainer.Steps(), Text: "this session keeps no run folder: nothing saved"})
		return
	}
	path, err := s.run.save(s)
	if err != nil {
		s.fail(fmt.Errorf("saving a checkpoint: %w", err))
		return
	}
	s.lastSaveAt = s.trainer.Steps()
	s.mu.Lock()
	s.status.LastCheckpoint = path
	s.mu.Unlock()
	s.publish(Event{Kind: EventCheckpoint, Step: s.lastSaveAt, Path: path})
}

// fork pauses and returns the path of a checkpoint of this step (an error
// when there is no run folder to save it in).
func (s *Session) fork() any {
	if s.run == nil {
		return errors.New("this session keeps no run folder: a branch needs a saved checkpoint to start from")
	}
	if !s.paused && !s.finished {
		s.paused = true
		s.setState(StatePaused)
	}
	s.mu.Lock()
	last := s.status.LastCheckpoint
	s.mu.Unlock()
	if s.lastSaveAt != s.trainer.Steps() || last == "" {
		s.checkpoint()
		s.mu.Lock()
		last = s.status.LastCheckpoint
		s.mu.Unlock()
		if s.lastSaveAt != s.trainer.Steps() {
			return fmt.Errorf("saving the fork checkpoint at step %d failed", s.trainer.Steps())
		}
	}
	return last
}

// end saves a last checkpoint (when asked and there is something new) and
// stops.
func (s *Session) end(why string, save bool) {
	if save && s.run != nil && s.lastSaveAt != s.trainer.Steps() {
		s.checkpoint()
	}
	s.publish(Event{Kind: EventLog, Step: s.trainer.Steps(), Text: "session " + why})
	s.setState(StateStopped)
}

func (s *Session) finish() {
	if s.run != nil {
		if err := s.run.close(); err != nil {
			s.fail(err)
		}
	}
	s.mu.Lock()
	subs := s.subs
	s.subs = nil
	s.mu.Unlock()
	close(s.done)
	for _, sub := range subs {
		sub.close()
	}
}
