package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"hrmlab/lab"
	"hrmlab/tui"
)

// cmdLab opens the interactive lab on the chosen experiment.
func cmdLab(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hrmlab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs)
	resume := fs.String("resume", "", "open the lab resuming a checkpoint `PATH`, or a run folder (its latest checkpoint)")
	load := fs.String("load", "", "open the Solve screen on a checkpoint `PATH` (a run folder's latest, or a PyTorch reference checkpoint with its all_config.yaml); training waits, paused")
	if err := parse(fs, args); err != nil {
		return err
	}
	var cfg *lab.Config
	var err error
	if *resume != "" {
		cfg, err = lab.ResumeConfig(*resume)
		if err == nil {
			err = cfg.ApplySets(cf.sets)
		}
	} else {
		cfg, err = cf.load()
	}
	if err != nil {
		return err
	}
	var loaded *lab.Loaded
	if *load != "" {
		if loaded, err = lab.OpenCheckpoint(*load, ""); err != nil {
			return err
		}
	}
	if !isTerminal(stdout) {
		return badInput("standard output is not a terminal, so the interactive lab cannot draw.\n" +
			"Train headless instead, for example:\n  hrmlab train -steps 2000\n" +
			"(see 'hrmlab help' for every command)")
	}
	return tui.Run(cfg, lab.Options{Persist: true, Resume: *resume, StartPaused: loaded != nil}, loaded, *load)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func cmdConfig(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf configFlags
	cf.register(fs)
	keys := fs.Bool("keys", false, "list every key with its value, whether it is live, and its help, as a Markdown table")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	if *keys {
		fmt.Fprintln(stdout, "| key | value | live | meaning |\n| --- | --- | --- | --- |")
		for _, f := range lab.Fields(cfg) {
			live := ""
			if f.Live {
				live = "live"
			}
			fmt.Fprintf(stdout, "| `%s` | `%s` | %s | %s |\n", f.Key, f.Value, live, f.Help)
		}
		return nil
	}
	text, err := cfg.Encode()
	if err != nil {
		return err
	}
	_, err = stdout.Write(text)
	return err
}

func cmdPresets(stdout io.Writer) error {
	for _, p := range lab.Presets() {
		fmt.Fprintf(stdout, "%-18s %s\n", p.Name, p.Summary)
	}
	return nil
}
