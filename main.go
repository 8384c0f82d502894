// Command hrmlab is HRM Lab: train and study recursive reasoning models (HRM
// and TRM) on puzzles in the terminal. With no subcommand it opens the
// interactive lab; the subcommands script everything the lab does.
package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"hrmlab/engine"
	"hrmlab/lab"
)

//go:embed lab.toml
var defaultConfig []byte

// exit statuses of the scriptable contract (LAB.md)
const (
	exitOK       = 0
	exitFailure  = 1
	exitBadInput = 2
)

const usage = `HRM Lab: train and study recursive reasoning models (HRM, TRM) on puzzles.

Usage:
  hrmlab [-config FILE] [-preset NAME] [-set KEY=VALUE]... [-resume PATH] [-load PATH]   the interactive lab (TUI)
  hrmlab train [-config FILE] [-preset NAME] [-set KEY=VALUE]... [-steps N] [-minutes M] [-out DIR] [-resume PATH | -branch PATH] [-json]
  hrmlab eval  -checkpoint PATH [-data FILE] [-n N] [-segments M] [-samples K] [-halt-threshold P] [-json]
  hrmlab solve -checkpoint PATH (-puzzle TEXT | -data FILE -index I [-split train|test]) [-segments M] [-samples K] [-halt-threshold P] [-json]
  hrmlab inspect [-data DIR] [-json] PATH                           a checkpoint (hrmlab or PyTorch reference): config, tensors, parameters
  hrmlab bench [-config FILE] [-preset NAME] [-set KEY=VALUE]... [-steps N] [-compare TORCH.json] [-json]
  hrmlab data  generate [-config FILE] [-preset NAME] [-set KEY=VALUE]... [-split train|test] [-n N] -out FILE.csv
  hrmlab data  export   [-config FILE] [-preset NAME] [-set KEY=VALUE]... -out DIR
  hrmlab data  show     [-config FILE] [-preset NAME] [-set KEY=VALUE]... [-data FILE] [-split train|test] [-index I]
  hrmlab compare RUN_DIR... [-json] [-png FILE] [-x step|time]     compare runs: a table, the keys that differ, overlaid curves
  hrmlab config [-config FILE] [-preset NAME] [-set KEY=VALUE]...   print the resolved lab.toml
  hrmlab presets                                                    list the named presets
  hrmlab env [-seconds S] [-json]                                   Go, BLAS kernels, CPU and an SGEMM speed, for bug reports

Run 'hrmlab COMMAND -h' for the flags of a command.
Exit status: 0 success, 2 bad input, 1 other failures.
`

func main() {
	engine.Start(os.Stderr) // may restart the process with better OpenBLAS kernels
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if err := lab.SetDefaultText(defaultConfig); err != nil {
		fmt.Fprintln(stderr, "hrmlab:", err)
		return exitFailure
	}
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "":
		err = cmdLab(args, stdout, stderr)
	case "train":
		err = cmdTrain(args, stdout, stderr)
	case "eval":
		err = cmdEval(args, stdout, stderr)
	case "solve":
		err = cmdSolve(args, stdout, stderr)
	case "inspect":
		err = cmdInspect(args, stdout, stderr)
	case "bench":
		err = cmdBench(args, stdout, stderr)
	case "data":
		err = cmdData(args, stdout, stderr)
	case "compare":
		err = cmdCompare(args, stdout, stderr)
	case "config":
		err = cmdConfig(args, stdout, stderr)
	case "presets":
		err = cmdPresets(stdout)
	case "env":
		err = cmdEnv(args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = badInput("unknown command %q\n\n%s", cmd, usage)
	}
	return exitStatus(err, stderr)
}

func exitStatus(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		return exitBadInput // the flag package has printed the problem
	case lab.IsInputError(err):
		fmt.Fprintln(stderr, "hrmlab:", err)
		return exitBadInput
	default:
		fmt.Fprintln(stderr, "hrmlab:", err)
		return exitFailure
	}
}

// errUsage marks a flag error the flag package has already reported.
var errUsage = errors.New("usage")

func badInput(format string, args ...any) error {
	return &lab.InputError{Err: fmt.Errorf(format, args...)}
}

// multiFlag collects a repeated flag (-set).
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// configFlags are the flags that choose an experiment.
type configFlags struct {
	config, preset string
	sets           multiFlag
}

func (c *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "lab.toml `FILE` (default: the embedded lab.toml)")
	fs.StringVar(&c.preset, "preset", "", "a named preset `NAME` (see 'hrmlab presets')")
	fs.Var(&c.sets, "set", "override a key, `KEY=VALUE` (repeatable), e.g. -set train.lr=3e-4")
}

// load resolves the config: the default, a preset or a file, then the -set
// flags and any extra overrides (from other flags), merged and validated once.
func (c *configFlags) load(extra ...string) (*lab.Config, error) {
	return lab.Experiment(c.config, c.preset, append(append([]string(nil), c.sets...), extra...))
}

// parseFlags parses flags, turning a flag error into errUsage (exit status
// 2), and leaves the operands, which the usage line names, in fs.Args.
func parseFlags(fs *flag.FlagSet, args []string, operands string) error {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage of hrmlab %s%s:\n", fs.Name(), operands)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// parse parses flags, turning a flag error into errUsage (exit status 2);
// a command that takes no operands refuses them.
func parse(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args, ""); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badInput("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}
