package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"hrmlab/engine"
	"hrmlab/lab"
)

func cmdTrain(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs)
	steps := fs.Int("steps", -1, "stop after `N` steps (default: run.max_steps)")
	minutes := fs.Float64("minutes", -1, "stop after `M` minutes of training (default: run.max_minutes)")
	out := fs.String("out", "", "folder of the runs `DIR` (default: run.out)")
	resume := fs.String("resume", "", "resume from a checkpoint `PATH`, or a run folder (its latest checkpoint); its config is used, -set still applies")
	branch := fs.String("branch", "", "start a new run from the exact state of a checkpoint `PATH` (or a run folder's latest), with the live keys -set changes; its folder records the parent and step")
	initFrom := fs.String("init", "", "start a new run from the weights of a checkpoint `PATH` (hrmlab's or the PyTorch reference's, with its config) and a fresh optimizer; -set still applies")
	asJSON := fs.Bool("json", false, "print JSON lines instead of text")
	if err := parse(fs, args); err != nil {
		return err
	}
	opts := lab.Options{Persist: true, ExitAtEnd: true, Resume: *resume, Branch: *branch}
	var extra []string
	if *steps >= 0 {
		extra = append(extra, "run.max_steps="+strconv.Itoa(*steps))
	}
	if *minutes >= 0 {
		extra = append(extra, "run.max_minutes="+strconv.FormatFloat(*minutes, 'g', -1, 64))
	}
	if *out != "" {
		extra = append(extra, "run.out="+*out)
	}
	var cfg *lab.Config
	var err error
	if *initFrom != "" {
		if *resume+*branch != "" || cf.config != "" || cf.preset != "" {
			return badInput("-init takes the checkpoint's config and starts a run of its own: drop -resume, -branch, -config and -preset")
		}
		cfg, err = lab.InitConfig(*initFrom, append(append([]string(nil), cf.sets...), extra...))
	} else if from := *resume + *branch; from != "" {
		switch {
		case *resume != "" && *branch != "":
			return badInput("-resume continues a run and -branch starts a new one from it: give one")
		case cf.config != "" || cf.preset != "":
			return badInput("-resume and -branch take the checkpoint's config: drop -config/-preset")
		}
		cfg, err = lab.ResumeConfig(from)
		if err == nil {
			err = cfg.ApplySets(append(append([]string(nil), cf.sets...), extra...))
		}
	} else {
		cfg, err = cf.load(extra...)
	}
	if err != nil {
		return err
	}
	if cfg.Run.MaxSteps == 0 && cfg.Run.MaxMinutes == 0 {
		fmt.Fprintln(stderr, "hrmlab: no step or time limit: training until interrupted (Ctrl-C saves a checkpoint)")
	}
	s, err := lab.NewSession(cfg, opts)
	if err != nil {
		return err
	}
	if *initFrom != "" {
		notes, err := s.InitFrom(*initFrom)
		if err != nil {
			return err
		}
		for _, n := range notes {
			fmt.Fprintf(stderr, "hrmlab: note: %s\n", n)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sub := s.Subscribe()
	s.Start(ctx)
	p := &printer{w: stdout, json: *asJSON}
	p.header(s.Status())
	for range sub.Ready() {
		for _, e := range sub.Drain() {
			p.event(e)
		}
	}
	for _, e := range sub.Drain() {
		p.event(e)
	}
	return s.Wait()
}

// printer turns session events into progress lines or JSON lines.
type printer struct {
	w    io.Writer
	json bool
}

// header is the first line: the run, and the kernels it trains on (a speed
// or rounding question starts there).
func (p *printer) header(st lab.Status) {
	b := st.BLAS
	if p.json {
		p.emit("start", map[string]any{"run": st.Run, "dir": st.RunDir, "task": st.Task, "arch": st.Arch,
			"params": st.Params, "backend": b.Backend, "threads": b.Threads, "blas_core": b.Core,
			"blas_threads": b.Threads, "blas_source": b.Source, "cpu": engine.CPU().String(), "step": st.Step})
		return
	}
	fmt.Fprintf(p.w, "run %s (%s) · %s · %s · %d params · %s\n",
		st.Run, st.RunDir, st.Task, st.Arch, st.Params, blasLine(b))
}

func (p *printer) emit(kind string, v any) {
	b, _ := json.Marshal(map[string]any{"kind": kind, "data": v})
	fmt.Fprintf(p.w, "%s\n", b)
}

func (p *printer) event(e lab.Event) {
	switch e.Kind {
	case lab.EventMetrics:
		if !e.Logged {
			return
		}
		m := e.Metrics
		if p.json {
			p.emit("train", map[string]any{"step": m.Step, "loss": m.Loss, "lm_loss": m.LMLoss,
				"q_halt_loss": m.QHaltLoss, "q_continue_loss": m.QContinueLoss, "token_accuracy": m.TokenAccuracy,
				"exact_accuracy": m.ExactAccuracy, "q_halt_accuracy": m.QHaltAccuracy, "mean_steps": m.MeanSteps,
				"lr": m.LR, "grad_norm": m.GradNorm, "steps_per_second": e.StepsPerS, "elapsed_seconds": e.ElapsedSec})
			return
		}
		acc := fmt.Sprintf("tok %.3f  exact %.3f  halt@%.2f", m.TokenAccuracy, m.ExactAccuracy, m.MeanSteps)
		if m.Count == 0 {
			acc = "(no puzzle halted this step)"
		}
		fmt.Fprintf(p.w, "step %6d  loss %.4f  lm %.4f  q %.3f/%.3f  %s  lr %.2e  |g| %.3f  %.1f steps/s\n",
			m.Step, m.Loss, m.LMLoss, m.QHaltLoss, m.QContinueLoss, acc, m.LR, m.GradNorm, e.StepsPerS)
	case lab.EventEval:
		r := e.Eval
		if p.json {
			p.emit("eval", r)
			return
		}
		fmt.Fprintf(p.w, "eval %6d  n %d  exact %.4f  valid %.4f  token %.4f  halt@%.2f  exact@halt %.4f%s\n",
			r.Step, r.N, r.ExactAccuracy, r.ValidAccuracy, r.TokenAccuracy, r.MeanHaltStep, r.ExactAtHalt, passText(r))
	case lab.EventCheckpoint:
		if p.json {
			p.emit("checkpoint", map[string]any{"step": e.Step, "path": e.Path})
			return
		}
		fmt.Fprintf(p.w, "saved  %6d  %s\n", e.Step, e.Path)
	case lab.EventHyper:
		if p.json {
			p.emit("change", map[string]any{"step": e.Step, "key": e.Key, "old": e.Old, "new": e.New})
			return
		}
		fmt.Fprintf(p.w, "set    %6d  %s = %s (was %s)\n", e.Step, e.Key, e.New, e.Old)
	case lab.EventError:
		if p.json {
			p.emit("error", map[string]any{"step": e.Step, "error": e.Err.Error()})
			return
		}
		fmt.Fprintf(p.w, "error  %6d  %v\n", e.Step, e.Err)
	case lab.EventLog:
		if p.json {
			p.emit("log", map[string]any{"step": e.Step, "text": e.Text})
			return
		}
		fmt.Fprintf(p.w, "note   %6d  %s\n", e.Step, e.Text)
	}
}

// passText is the ARC pass@K figures of an evaluation, when it has them.
func passText(r *lab.EvalReport) string {
	if r.PassAt1 == nil {
		return ""
	}
	return fmt.Sprintf("  pass@1 %.4f  pass@2 %.4f", *r.PassAt1, *r.PassAt2)
}
