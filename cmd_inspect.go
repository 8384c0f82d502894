package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"hrmlab/lab"
)

// cmdInspect describes a checkpoint: an hrmlab one, or the PyTorch
// reference's (torch.save or safetensors, with the all_config.yaml beside it).
func cmdInspect(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "a reference dataset `DIR` whose dataset.json gives the sequence length the tensors may not")
	asJSON := fs.Bool("json", false, "print one JSON object (the config as lab.toml text)")
	if err := parseFlags(fs, args, " PATH"); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return badInput("inspect: want one checkpoint PATH, got %d arguments", fs.NArg())
	}
	in, err := lab.Inspect(fs.Arg(0), *data)
	if err != nil {
		return err
	}
	text, err := in.Config.Encode()
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(struct {
			*lab.Inspection
			Config string `json:"config"`
		}{in, string(text)})
	}
	m := in.Config.Model
	fmt.Fprintf(stdout, "%s: %s, step %d\n", in.Path, in.Format, in.Step)
	fmt.Fprintf(stdout, "model: %s, hidden %d, %d heads, %d H and %d L layers, %d/%d cycles, %d segments, %s, %d parameters\n",
		m.Arch, m.Hidden, m.Heads, m.HLayers, m.LLayers, m.HCycles, m.LCycles, m.HaltMaxSteps, m.TokenMixer, in.Params)
	fmt.Fprintf(stdout, "task: %s %d", in.Config.Task.Kind, in.Config.Task.Size)
	if in.Config.Task.Data != "" {
		fmt.Fprintf(stdout, " (data %s)", in.Config.Task.Data)
	}
	fmt.Fprintln(stdout)
	for _, n := range in.Notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	fmt.Fprintf(stdout, "\ntensors:\n")
	for _, t := range in.Tensors {
		fmt.Fprintf(stdout, "  %-52s %-4s %v\n", t.Name, t.DType, t.Shape)
	}
	fmt.Fprintf(stdout, "\nconfig (as lab.toml):\n%s", text)
	return nil
}
