package lab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"time"

	"hrmlab/engine"
)

// BenchReport is what `hrmlab bench` measures: the speed of full training
// steps of the configured model on this machine.
type BenchReport struct {
	engine.BLASInfo          // backend, blas_core, blas_threads and how the core was chosen
	Threads         int      `json:"threads"` // the BLAS threads again, under the name scripts have read since the start
	CPU             string   `json:"cpu"`
	CPUFeatures     []string `json:"cpu_features"`
	BenchModel
	Params          int     `json:"params"`
	Steps           int     `json:"steps"`
	StepSeconds     float64 `json:"step_seconds"`     // median of the timed steps
	MinStepSeconds  float64 `json:"min_step_seconds"` // the fastest timed step: the steadier figure on a shared machine
	StepsPerSecond  float64 `json:"steps_per_second"`
	TokensPerSecond float64 `json:"tokens_per_second"`
	GFLOPS          float64 `json:"gflops"`
	// Compare is set by `bench -compare`: the same model timed by PyTorch.
	Compare *Comparison `json:"compare,omitempty"`
}

// BenchModel is the model and batch a benchmark ran, under the names that
// tools/torchref/bench.py writes too, so that its results can be matched
// with hrmlab's (bench.py --like reads them back).
type BenchModel struct {
	Arch                string  `json:"arch"`
	Hidden              int     `json:"hidden"`
	Heads               int     `json:"heads"`
	Expansion           float64 `json:"expansion"`
	HLayers             int     `json:"h_layers"` // 0 for TRM, which has no H module
	LLayers             int     `json:"l_layers"`
	HCycles             int     `json:"h_cycles"`
	LCycles             int     `json:"l_cycles"`
	PuzzleEmbLen        int     `json:"puzzle_emb_len"`
	PuzzleIDs           int     `json:"puzzle_ids"` // rows of the puzzle-embedding table
	TokenMixer          string  `json:"token_mixer"`
	LocalMix            int     `json:"local_mix,omitempty"`
	PosEncodings        string  `json:"pos_encodings"`
	Loss                string  `json:"loss"`
	Vocab               int     `json:"vocab"`
	GridCells           int     `json:"grid_cells"` // L: the puzzle's cells (hrm_ref.py's Config.seq_len)
	SeqLen              int     `json:"seq_len"`    // S = puzzle_emb_len + grid_cells: the positions of every hidden state
	BatchSize           int     `json:"batch_size"`
	ACTContinue         bool    `json:"act_continue"`
	HaltMaxSteps        int     `json:"halt_max_steps"`
	HaltExplorationProb float64 `json:"halt_exploration_prob"`
	EMA                 float64 `json:"ema"`
}

// benchModel is the model mc of cfg's experiment, as a benchmark reports it.
func benchModel(cfg *Config, mc engine.Config) BenchModel {
	h := mc.HLayers
	if mc.Arch == "trm" {
		h = 0 // TRM ignores the key; say what runs
	}
	return BenchModel{
		Arch: mc.Arch, Hidden: mc.Hidden, Heads: mc.Heads, Expansion: mc.Expansion,
		HLayers: h, LLayers: mc.LLayers, HCycles: mc.HCycles, LCycles: mc.LCycles,
		PuzzleEmbLen: mc.PuzzleEmbLen, PuzzleIDs: mc.NumPuzzleIDs, TokenMixer: mc.TokenMixer,
		LocalMix:     mc.LocalMix,
		PosEncodings: mc.PosEncodings, Loss: mc.LossType, Vocab: mc.VocabSize,
		GridCells: mc.SeqLen, SeqLen: mc.PuzzleEmbLen + mc.SeqLen, BatchSize: cfg.Train.BatchSize,
		ACTContinue: mc.ACTContinue, HaltMaxSteps: cfg.Model.HaltMaxSteps,
		HaltExplorationProb: cfg.Model.HaltExplorationProb, EMA: cfg.Train.EMA,
	}
}

// Bench trains warmup+steps steps of cfg's experiment and times the last
// steps. With torchFile, the output of tools/torchref/bench.py, it sets
// Compare from the file's result for the same model, found before the
// training so that a wrong file fails at once. Nothing is written to disk.
func Bench(cfg *Config, warmup, steps int, torchFile string) (BenchReport, error) {
	d, err := newDataSource(cfg)
	if err != nil {
		return BenchReport{}, err
	}
	mc := modelConfig(cfg, d)
	bm := benchModel(cfg, mc)
	var torch torchBench
	if torchFile != "" {
		if torch, err = findTorch(torchFile, bm); err != nil {
			return BenchReport{}, err
		}
	}
	m, err := engine.NewModel(mc, uint64(cfg.Run.Seed))
	if err != nil {
		return BenchReport{}, &InputError{Err: err}
	}
	tr, err := engine.NewTrainer(m, hyperOf(cfg), uint64(cfg.Run.Seed))
	if err != nil {
		return BenchReport{}, &InputError{Err: err}
	}
	bs := cfg.Train.BatchSize
	var b engine.Batch
	times := make([]float64, 0, steps)
	for i := 0; i < warmup+steps; i++ {
		if err := d.Next(&b, bs); err != nil {
			return BenchReport{}, err
		}
		t0 := time.Now()
		if _, err := tr.Step(b); err != nil {
			return BenchReport{}, err
		}
		if i >= warmup {
			times = append(times, time.Since(t0).Seconds())
		}
	}
	blas, cpu := engine.BLAS(), engine.CPU()
	med := median(times)
	r := BenchReport{
		BLASInfo: blas, Threads: blas.Threads, CPU: cpu.String(), CPUFeatures: cpu.Features(),
		BenchModel: bm, Params: m.NumParams(), Steps: steps,
		StepSeconds: med, MinStepSeconds: slices.Min(times),
		StepsPerSecond: 1 / med, TokensPerSecond: float64(bs*bm.SeqLen) / med,
		GFLOPS: m.TrainStepFLOPs(bs) / med / 1e9,
	}
	if torchFile != "" {
		r.Compare = &Comparison{
			TorchStepSeconds: torch.StepSeconds, TorchMedianStepSeconds: torch.median(), TorchMinStepSeconds: torch.MinStepSeconds,
			TorchThreads: torch.Threads, TorchBLASCore: torch.BLASCore,
			Ratio: torch.median() / r.StepSeconds, RatioMin: torch.MinStepSeconds / r.MinStepSeconds,
		}
	}
	return r, nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// Comparison is a PyTorch timing of the same model beside hrmlab's.
type Comparison struct {
	TorchStepSeconds       float64 `json:"torch_step_seconds"`        // bench.py's mean step
	TorchMedianStepSeconds float64 `json:"torch_median_step_seconds"` // bench.py's median step (its mean from a bench.py without one)
	TorchMinStepSeconds    float64 `json:"torch_min_step_seconds"`    // bench.py's fastest step
	TorchThreads           int     `json:"torch_threads"`
	TorchBLASCore          string  `json:"torch_blas_core"` // the OpenBLAS kernels torch ran ("" when bench.py could not tell)
	// Ratio is torch's median step over hrmlab's median step; RatioMin the
	// fastest step of each, which other work on the machine disturbs least.
	// Above 1, hrmlab is faster.
	Ratio    float64 `json:"ratio"`
	RatioMin float64 `json:"ratio_min"`
}

// torchBench is one result of tools/torchref/bench.py.
type torchBench struct {
	Threads           int     `json:"threads"`
	BLASCore          string  `json:"blas_core"`
	StepSeconds       float64 `json:"step_seconds"`
	MedianStepSeconds float64 `json:"median_step_seconds"`
	MinStepSeconds    float64 `json:"min_step_seconds"`
}

// median is the median step, or the mean where bench.py did not report one.
func (t torchBench) median() float64 {
	if t.MedianStepSeconds > 0 {
		return t.MedianStepSeconds
	}
	return t.StepSeconds
}

// compareKeys are the BenchModel fields that decide the work of a step:
// two timings compare only where they all agree.
var compareKeys = []string{"arch", "hidden", "heads", "expansion", "h_layers", "l_layers", "h_cycles", "l_cycles",
	"batch_size", "seq_len", "vocab", "puzzle_emb_len", "token_mixer", "act_continue"}

// findTorch reads path, the output of tools/torchref/bench.py (one JSON
// object or JSON lines), and returns its first result for model m. A
// missing or malformed file, or one with no result for m, is an InputError
// naming the file (and the first key that differs).
func findTorch(path string, m BenchModel) (torchBench, error) {
	if m.LocalMix != 0 {
		return torchBench{}, inputErrorf("%s: model.local_mix = %d: the PyTorch models have no local convolution to time against", path, m.LocalMix)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return torchBench{}, &InputError{Err: err}
	}
	mine, err := jsonFields(m)
	if err != nil {
		return torchBench{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	var firstDiff string
	n := 0
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return torchBench{}, inputErrorf("%s: not bench.py output: %v", path, err)
		}
		n++
		var theirs map[string]any
		var t torchBench
		if err := json.Unmarshal(raw, &theirs); err != nil {
			return torchBench{}, inputErrorf("%s: result %d is not a JSON object: %v", path, n, err)
		}
		if err := json.Unmarshal(raw, &t); err != nil {
			return torchBench{}, inputErrorf("%s: result %d: %v", path, n, err)
		}
		if diff := differ(mine, theirs); diff != "" {
			if firstDiff == "" {
				firstDiff = diff
			}
			continue
		}
		if t.StepSeconds <= 0 || t.MinStepSeconds <= 0 {
			return torchBench{}, inputErrorf("%s: result %d has no positive step_seconds and min_step_seconds", path, n)
		}
		return t, nil
	}
	const hint = "tools/torchref/bench.py --like FILE times the model of an `hrmlab bench -json` FILE"
	switch n {
	case 0:
		return torchBench{}, inputErrorf("%s: empty: want the JSON output of tools/torchref/bench.py", path)
	case 1:
		return torchBench{}, inputErrorf("%s: %s (%s)", path, firstDiff, hint)
	}
	return torchBench{}, inputErrorf("%s: none of its %d results is this model; the first: %s (%s)", path, n, firstDiff, hint)
}

// jsonFields is v as a JSON object decoded into a map, so that its fields
// compare with another file's under the same names and types.
func jsonFields(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// differ names the first compareKeys field where theirs is not mine, with
// both values; "" when they all agree.
func differ(mine, theirs map[string]any) string {
	for _, k := range compareKeys {
		t, ok := theirs[k]
		switch {
		case !ok:
			return fmt.Sprintf("no %q key (an older bench.py?)", k)
		case !reflect.DeepEqual(t, mine[k]): // DeepEqual: a malformed value may be a list
			return fmt.Sprintf("%s is %v there and %v in this model", k, t, mine[k])
		}
	}
	return ""
}
