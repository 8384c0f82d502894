package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"hrmlab/lab"
	"hrmlab/lab/runplot"
)

func cmdCompare(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object")
	png := fs.String("png", "", "draw the overlaid curves to the PNG `FILE`")
	x := fs.String("x", "step", "x axis of the curves: `step` or time (training time)")
	// the run folders may come before or after the flags
	var dirs []string
	for {
		if err := parseFlags(fs, args, " RUN_DIR..."); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		dirs = append(dirs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(dirs) == 0 {
		return badInput("compare: name one or more run folders (runs/<name>)")
	}
	if *x != "step" && *x != "time" {
		return badInput("compare: -x %q: want step or time", *x)
	}
	var runs []*lab.RunLog
	for _, d := range dirs {
		r, err := lab.ReadRun(d)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	res, err := lab.Compare(runs)
	if err != nil {
		return err
	}
	res.X = *x
	if *png != "" {
		if err := runplot.Draw(runs, runplot.Options{ByTime: *x == "time"}, *png); err != nil {
			return err
		}
		res.PNG = *png
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	printCompare(stdout, res)
	return nil
}

func printCompare(w io.Writer, res *lab.RunComparison) {
	// names left, figures right: pad the names, then let tabwriter align
	nameW := len("run")
	for _, r := range res.Runs {
		nameW = max(nameW, len(r.Name))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\tsteps\ttime\tsteps/s\tparams\tlast exact\tbest exact\t\n", nameW, "run")
	acc := func(v *float64, step int) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf("%.3f @%d", *v, step)
	}
	for _, r := range res.Runs {
		fmt.Fprintf(tw, "%-*s\t%d\t%s\t%.2f\t%d\t%s\t%s\t\n", nameW, r.Name, r.Steps, seconds(r.TrainSeconds), r.StepsPerSec, r.Params,
			acc(r.LastEvalExact, r.LastEvalStep), acc(r.BestEvalExact, r.BestEvalStep))
	}
	tw.Flush()
	if len(res.Runs) > 1 {
		if len(res.Keys) == 0 {
			fmt.Fprintln(w, "\nthe runs' lab.toml files agree on every key (but the runs' names, folders and parents)")
		} else {
			fmt.Fprintln(w)
		}
	}
	for _, r := range res.Runs {
		var parts []string
		for _, k := range res.Keys {
			parts = append(parts, k+"="+r.Differs[k])
		}
		if r.Parent != "" {
			parts = append(parts, fmt.Sprintf("(branched from %s at step %d)", r.Parent, r.ParentStep))
		}
		if n := len(r.LiveChanges); n > 0 {
			parts = append(parts, fmt.Sprintf("(%d live changes: see lab.toml)", n))
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "%s: %s\n", r.Name, strings.Join(parts, " "))
		}
	}
	if res.PNG != "" {
		fmt.Fprintf(w, "curves by %s: %s\n", res.X, res.PNG)
	}
}

// seconds formats a training time: tenths under a minute, whole seconds above.
func seconds(s float64) string {
	if s < 60 {
		return fmt.Sprintf("%.1fs", s)
	}
	return time.Duration(s * float64(time.Second)).Round(time.Second).String()
}
