package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"hrmlab/lab"
	"hrmlab/tasks"
)

const dataUsage = `Usage:
  hrmlab data generate [-config FILE] [-preset NAME] [-set KEY=VALUE]... [-split train|test] [-n N] -out FILE.csv
  hrmlab data export   [-config FILE] [-preset NAME] [-set KEY=VALUE]... -out DIR
  hrmlab data show     [-config FILE] [-preset NAME] [-set KEY=VALUE]... [-data FILE] [-split train|test] [-index I]
`

func cmdData(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return badInput("data: want generate, export or show\n\n%s", dataUsage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("data "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs)
	var split, out, data *string
	var n, index *int
	refConfig := new(bool)
	switch sub {
	case "generate":
		split = fs.String("split", "test", "which split: train or test")
		n = fs.Int("n", 0, "puzzles to write `N` (0: the whole split; a fresh training stream needs -n)")
		out = fs.String("out", "", "CSV `FILE` to write (required)")
	case "export":
		out = fs.String("out", "", "`DIR` for the reference's .npy layout (required)")
		refConfig = fs.Bool("reference-config", false, "also write DIR/reference_train.sh: the reference's pretrain.py command line (torchrun, Hydra overrides) that trains this lab.toml")
	case "show":
		data = fs.String("data", "", "show a puzzle of `FILE` (CSV or ARC JSON) instead of the config's data")
		split = fs.String("split", "test", "which split: train or test")
		index = fs.Int("index", 0, "which puzzle `I` (0-based)")
	default:
		return badInput("data: unknown subcommand %q\n\n%s", sub, dataUsage)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	if data != nil && *data != "" {
		if err := cfg.Set("task.data", *data); err != nil {
			return err
		}
	}
	if out != nil && *out == "" {
		return badInput("data %s: -out is required", sub)
	}
	ds, err := lab.NewDataset(cfg)
	if err != nil {
		return err
	}
	switch sub {
	case "generate":
		return dataGenerate(ds, cfg, *split, *n, *out, stdout)
	case "export":
		if err := ds.Export(*out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "exported %d train and %d test examples (%s) to %s\n", len(ds.Train), len(ds.Test), ds.Task.Name(), *out)
		if *refConfig {
			return writeReferenceScript(cfg, ds.TrainIndex, *out, stdout)
		}
		return nil
	default:
		return dataShow(ds, *split, *index, stdout)
	}
}

// writeReferenceScript writes DIR/reference_train.sh, the reference's
// training command for the config and the exported data, and prints it.
func writeReferenceScript(cfg *lab.Config, train tasks.Index, dir string, stdout io.Writer) error {
	r, err := lab.ReferenceRunFor(cfg, dir, train)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "reference_train.sh")
	if err := os.WriteFile(path, []byte(r.Script()), 0o755); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: in a checkout of https://github.com/%s run\n\n%s\n", path, r.Repo, r.Command)
	for _, n := range r.Notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	return nil
}

// splitExamples returns the examples of a split; a fresh training stream is
// drawn from the sampler.
func splitExamples(ds *tasks.Dataset, cfg *lab.Config, split string, n int) ([]tasks.Example, error) {
	switch split {
	case "test":
		return ds.Test, nil
	case "train":
		if !ds.Fresh() {
			return ds.Train, nil
		}
		if n <= 0 {
			return nil, badInput("-split train: the training stream is generated fresh (task.train_count = 0): give -n")
		}
		in, lab, ids, err := ds.NewSampler(uint64(cfg.Run.Seed)).Next(n)
		if err != nil {
			return nil, err
		}
		L := ds.Task.SeqLen()
		out := make([]tasks.Example, n)
		for i := range out {
			out[i] = tasks.Example{Input: in[i*L : (i+1)*L], Label: lab[i*L : (i+1)*L], PuzzleID: ids[i]}
		}
		return out, nil
	}
	return nil, badInput("-split %q: want train or test", split)
}

func dataGenerate(ds *tasks.Dataset, cfg *lab.Config, split string, n int, out string, stdout io.Writer) error {
	if ds.Task.Name() == "arc" {
		return badInput("data generate: ARC puzzles are JSON tasks; use 'hrmlab data export' for the reference layout")
	}
	exs, err := splitExamples(ds, cfg, split, n)
	if err != nil {
		return err
	}
	if n > 0 && n < len(exs) {
		exs = exs[:n]
	}
	recs := make([]tasks.Record, len(exs))
	for i, ex := range exs {
		recs[i] = tasks.Record{Source: "hrmlab", Example: ex}
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := tasks.WriteCSV(w, ds.Task, recs, false); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d %s puzzles (%s split) to %s\n", len(recs), ds.Task.Name(), split, out)
	return nil
}

func dataShow(ds *tasks.Dataset, split string, index int, stdout io.Writer) error {
	exs := ds.Test
	if split == "train" {
		exs = ds.Train
	}
	if index < 0 || index >= len(exs) {
		return badInput("-index %d: the %s split has %d puzzles", index, split, len(exs))
	}
	ex := exs[index]
	fmt.Fprintf(stdout, "%s, %s puzzle %d of %d (puzzle id %d)\n\nquestion:\n%s\nanswer:\n%s",
		ds.Task.Name(), split, index, len(exs), ex.PuzzleID, gridText(ds.Task, ex.Input, nil), gridText(ds.Task, ex.Input, ex.Label))
	return nil
}

// gridText draws a grid as plain text, a row a line.
func gridText(t tasks.Task, input, pred []int32) string {
	g := t.Grid(input, pred)
	var b strings.Builder
	for r := 0; r < g.Rows; r++ {
		b.WriteString("  ")
		for c := 0; c < g.Cols; c++ {
			cell := g.Cells[r*g.Cols+c]
			text := cell.Text
			switch {
			case cell.Pad:
				text = " "
			case cell.Color >= 0:
				text = fmt.Sprint(cell.Color)
			case text == "":
				text = "."
			}
			b.WriteString(text)
			if g.Box[1] > 0 && (c+1)%g.Box[1] == 0 && c+1 < g.Cols {
				b.WriteString(" |")
			}
			b.WriteString(" ")
		}
		b.WriteString("\n")
		if g.Box[0] > 0 && (r+1)%g.Box[0] == 0 && r+1 < g.Rows {
			b.WriteString("\n")
		}
	}
	return b.String()
}
