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
	compare := fs.String("compare", "", "compare with PyTorch: tools/torchref/bench.py's JSON output `FILE` for the same model")
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
	r, err := lab.Bench(cfg, *warmup, *steps, *compare)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	fmt.Fprintf(stdout, "%s on %s: %d params, batch %d × %d positions\n", r.Arch, blasLine(r.BLASInfo), r.Params, r.BatchSize, r.SeqLen)
	fmt.Fprintf(stdout, "  %.4f s/step (median of %d, fastest %.4f)  %.2f steps/s  %.0f tokens/s  %.1f GFLOPS\n",
		r.StepSeconds, r.Steps, r.MinStepSeconds, r.StepsPerSecond, r.TokensPerSecond, r.GFLOPS)
	if c := r.Compare; c != nil {
		torchBLAS := "OpenBLAS " + c.TorchBLASCore
		if c.TorchBLASCore == "" {
			torchBLAS = "BLAS unknown"
		}
		fmt.Fprintf(stdout, "PyTorch %.3f s/step (%s x%d), hrmlab %.3f s/step (%s): hrmlab is %s (fastest steps; median steps: %s)\n",
			c.TorchMinStepSeconds, torchBLAS, c.TorchThreads, r.MinStepSeconds, r.BLASInfo, faster(c.RatioMin), faster(c.Ratio))
	}
	return nil
}

// faster says a ratio of step times (torch's over hrmlab's) the way round
// that reads: "2.41x faster", "1.30x slower".
func faster(ratio float64) string {
	if ratio >= 1 {
		return fmt.Sprintf("%.2fx faster", ratio)
	}
	return fmt.Sprintf("%.2fx slower", 1/ratio)
}
