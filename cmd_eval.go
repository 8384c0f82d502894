package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"hrmlab/lab"
	"hrmlab/tasks"
)

func cmdEval(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ckpt := fs.String("checkpoint", "", "checkpoint `PATH` to evaluate, or a run folder (its latest checkpoint), or a PyTorch reference checkpoint with its all_config.yaml (required)")
	data := fs.String("data", "", "evaluate on puzzles from `FILE` (CSV or ARC JSON; a reference dataset folder: its test split) instead of the run's test split")
	n := fs.Int("n", 0, "evaluate the first `N` test puzzles (0: all)")
	segments := segmentsFlag(fs)
	samples, seed := samplesFlags(fs)
	threshold := haltThresholdFlag(fs)
	batch := fs.Int("batch", 0, "puzzles per forward pass (0: the run's train.batch_size)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *ckpt == "" {
		return badInput("eval: -checkpoint is required")
	}
	l, err := openCheckpoint(*ckpt, *data, *threshold, stderr)
	if err != nil {
		return err
	}
	test := l.Test()
	if *n > 0 && *n < len(test) {
		test = test[:*n]
	}
	r, err := lab.EvaluateWith(l.Model, l.Task(), test, lab.EvalOptions{Segments: pick(*segments, l.Config.Model.HaltMaxSteps),
		BatchSize: pick(*batch, l.Config.Train.BatchSize), Samples: *samples, Seed: *seed})
	if err != nil {
		return err
	}
	r.Step = l.Step
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	printEval(stdout, l.Task(), r)
	return nil
}

// openCheckpoint opens a checkpoint for eval and solve, with the halting
// threshold -halt-threshold asks for (0: the checkpoint's), saying on stderr
// what to keep in mind about a reference checkpoint's numbers.
func openCheckpoint(path, data string, threshold float64, stderr io.Writer) (*lab.Loaded, error) {
	l, err := lab.OpenCheckpoint(path, data)
	if err != nil {
		return nil, err
	}
	if threshold != 0 {
		if err := l.Model.SetHaltThreshold(threshold); err != nil {
			return nil, badInput("-halt-threshold: %v", err)
		}
	}
	for _, n := range l.Notes {
		fmt.Fprintf(stderr, "hrmlab: note: %s\n", n)
	}
	return l, nil
}

// segmentsFlag registers -segments (and its older name -max-steps): how many
// supervision segments to run, beyond halt_max_steps if asked (the paper's
// inference-time scaling).
func segmentsFlag(fs *flag.FlagSet) *int {
	m := fs.Int("segments", 0, "segments per puzzle `M`, beyond model.halt_max_steps if you like (0: the run's model.halt_max_steps)")
	fs.IntVar(m, "max-steps", 0, "the same as -segments `M`")
	return m
}

// haltThresholdFlag registers -halt-threshold: how sure the halting head must
// be before the model stops.
func haltThresholdFlag(fs *flag.FlagSet) *float64 {
	return fs.Float64("halt-threshold", 0, "halt a puzzle once sigmoid(q_halt - q_continue) exceeds `P`, in [0.5, 1) (0: the run's model.halt_threshold)")
}

// samplesFlags registers -samples and -seed: test-time scaling under the
// task's symmetries.
func samplesFlags(fs *flag.FlagSet) (*int, *uint64) {
	k := fs.Int("samples", 1, "solve each puzzle under `K` symmetries of its task (Sudoku: digits, bands, rows, transposition; maze: the 8 dihedral maps), map the answers back and choose: valid first, then votes, then q_halt")
	seed := fs.Uint64("seed", 1, "seed of the -samples symmetries")
	return k, seed
}

func pick(flagValue, fallback int) int {
	if flagValue > 0 {
		return flagValue
	}
	return fallback
}

func printEval(w io.Writer, task tasks.Task, r lab.EvalReport) {
	fmt.Fprintf(w, "%s, step %d: %d puzzles, %d segments\n", task.Name(), r.Step, r.N, r.Segments)
	fmt.Fprintf(w, "  exact accuracy   %.4f\n  valid accuracy   %.4f\n  token accuracy   %.4f\n", r.ExactAccuracy, r.ValidAccuracy, r.TokenAccuracy)
	fmt.Fprintf(w, "  mean halt step   %.2f  (exact at the halt step %.4f; halts at q %g)\n", r.MeanHaltStep, r.ExactAtHalt, r.HaltThreshold)
	if r.PassAt1 != nil {
		fmt.Fprintf(w, "  ARC pass@1       %.4f\n  ARC pass@2       %.4f\n", *r.PassAt1, *r.PassAt2)
	}
	if r.ExactOneSample != nil {
		fmt.Fprintf(w, "  %d samples        exact %.4f with one, %.4f by votes alone (no rule check), chosen by %v\n", r.Samples, *r.ExactOneSample, *r.ExactByVotes, r.ChosenBy)
	}
	fmt.Fprintf(w, "  halt histogram   %v\n  exact by segment", r.HaltHistogram)
	for _, a := range r.ExactBySegment {
		fmt.Fprintf(w, " %.3f", a)
	}
	fmt.Fprintln(w)
}

func cmdSolve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("solve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ckpt := fs.String("checkpoint", "", "checkpoint `PATH`, or a run folder (its latest checkpoint), or a PyTorch reference checkpoint with its all_config.yaml (required)")
	puzzle := fs.String("puzzle", "", "the puzzle as `TEXT` in the task's format (e.g. 81 characters of a Sudoku, '.' or '0' blank)")
	data := fs.String("data", "", "take the puzzle from `FILE` (CSV or ARC JSON, or a reference dataset folder); with -index")
	index := fs.Int("index", 0, "which puzzle `I` of -data (0-based)")
	split := fs.String("split", "test", "with a reference dataset folder: its train or test split")
	segments := segmentsFlag(fs)
	samples, seed := samplesFlags(fs)
	threshold := haltThresholdFlag(fs)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *ckpt == "" {
		return badInput("solve: -checkpoint is required")
	}
	if (*puzzle == "") == (*data == "") {
		return badInput("solve: give exactly one of -puzzle TEXT or -data FILE -index I")
	}
	l, err := openCheckpoint(*ckpt, *data, *threshold, stderr)
	if err != nil {
		return err
	}
	task := l.Task()
	var ex tasks.Example
	var broken []string // the rules a typed puzzle's givens break: said, then solved anyway
	hasAnswer := true
	if *puzzle != "" {
		in, err := task.Parse(*puzzle)
		if err != nil {
			return badInput("-puzzle: %v", err)
		}
		if broken = tasks.GivensViolations(task, in); len(broken) > 0 {
			fmt.Fprintf(stderr, "hrmlab: warning: -puzzle breaks the rules: %s (solving it anyway)\n", strings.Join(broken, "; "))
		}
		ex = tasks.Example{Input: in, Label: make([]int32, len(in))}
		for i := range ex.Label {
			ex.Label[i] = tasks.Ignore
		}
		hasAnswer = false
	} else {
		exs, err := l.Split(*split)
		if err != nil {
			return err
		}
		if *index < 0 || *index >= len(exs) {
			return badInput("-index %d: %s has %d puzzles (%s split)", *index, *data, len(exs), *split)
		}
		ex = exs[*index]
	}
	segs := pick(*segments, l.Config.Model.HaltMaxSteps)
	tr, err := lab.Solve(l.Model, task, ex, segs, hasAnswer)
	if err != nil {
		return err
	}
	if *samples > 1 {
		if tr.Candidates, tr.ChosenBy, err = lab.SolveSamples(l.Model, task, ex, segs, *samples, *seed); err != nil {
			return err
		}
	}
	if *asJSON {
		for i := range tr.Segments {
			tr.Segments[i].Confidence, tr.Segments[i].Inner = nil, nil
		}
		return json.NewEncoder(stdout).Encode(struct {
			lab.SolveTrace
			GivensViolations []string `json:"givens_violations,omitempty"`
		}{tr, broken})
	}
	printSolve(stdout, task, tr)
	return nil
}

func printSolve(w io.Writer, task tasks.Task, tr lab.SolveTrace) {
	in := tr.Example.Input
	fmt.Fprintf(w, "puzzle:\n%s", gridText(task, in, nil))
	for _, s := range tr.Segments {
		mark := ""
		if s.Step == tr.HaltStep {
			mark = "  <- would halt here"
		}
		fmt.Fprintf(w, "\nsegment %d: q_halt %.3f q_continue %.3f changed %d exact %v valid %v%s\n%s",
			s.Step, s.QHalt, s.QContinue, s.Changed, s.Exact, s.Valid, mark, gridText(task, in, s.Tokens))
	}
	if len(tr.Candidates) > 0 {
		chosen := 0
		fmt.Fprintf(w, "\n%d test-time samples (answers mapped back):\n", len(tr.Candidates))
		for i, c := range tr.Candidates {
			mark := ""
			if c.Chosen {
				chosen, mark = i, "  <- chosen"
			}
			fmt.Fprintf(w, "  %2d  valid %-5v votes %2d  q_halt %.3f  %s%s\n", i+1, c.Valid, c.Votes, c.QHalt, c.Symmetry, mark)
		}
		fmt.Fprintf(w, "chosen by %s:\n%s", tr.ChosenBy, gridText(task, in, tr.Candidates[chosen].Tokens))
	}
	if tr.HasAnswer {
		fmt.Fprintf(w, "\nanswer:\n%s", gridText(task, in, tr.Example.Label))
	}
}
