package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"hrmlab/lab"
)

func cmdBench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs)
	steps := fs.Int("steps", 20, "timed training steps `N`")
	warmup := fs.Int("warmup", 3, "untimed warm-up steps")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *steps < 1 || *warmup < 0 {
		return badInput("bench: -steps must be at least 1 and -warmup at least 0")
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	r, err := lab.Bench(cfg, *warmup, *steps)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	fmt.Fprintf(stdout, "%s (%s ×%d threads): %d params, batch %d × %d positions\n", r.Arch, r.Backend, r.Threads, r.Params, r.BatchSize, r.SeqLen)
	fmt.Fprintf(stdout, "  %.4f s/step (median of %d)  %.2f steps/s  %.0f tokens/s  %.1f GFLOPS\n",
		r.StepSeconds, r.Steps, r.StepsPerSecond, r.TokensPerSecond, r.GFLOPS)
	return nil
}
