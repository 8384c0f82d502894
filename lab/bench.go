package lab

import (
	"time"

	"hrmlab/engine"
)

// BenchReport is what `hrmlab bench` measures: the speed of full training
// steps of the configured model on this machine.
type BenchReport struct {
	Backend         string  `json:"backend"`
	Threads         int     `json:"threads"`
	Arch            string  `json:"arch"`
	Params          int     `json:"params"`
	BatchSize       int     `json:"batch_size"`
	SeqLen          int     `json:"seq_len"`
	Steps           int     `json:"steps"`
	StepSeconds     float64 `json:"step_seconds"` // median of the timed steps
	StepsPerSecond  float64 `json:"steps_per_second"`
	TokensPerSecond float64 `json:"tokens_per_second"`
	GFLOPS          float64 `json:"gflops"`
}

// Bench trains warmup+steps steps of cfg's experiment and times the last
// steps. Nothing is written to disk.
func Bench(cfg *Config, warmup, steps int) (BenchReport, error) {
	d, err := newDataSource(cfg)
	if err != nil {
		return BenchReport{}, err
	}
	m, err := engine.NewModel(modelConfig(cfg, d), uint64(cfg.Run.Seed))
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
	backend, threads := engine.Backend()
	med := median(times)
	seq := d.Task().SeqLen() + cfg.Model.PuzzleEmbLen
	return BenchReport{
		Backend: backend, Threads: threads, Arch: cfg.Model.Arch, Params: m.NumParams(),
		BatchSize: bs, SeqLen: seq, Steps: steps, StepSeconds: med,
		StepsPerSecond: 1 / med, TokensPerSecond: float64(bs*seq) / med,
		GFLOPS: m.TrainStepFLOPs(bs) / med / 1e9,
	}, nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	for i := 1; i < len(s); i++ { // insertion sort: a few hundred values at most
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
