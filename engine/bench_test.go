package engine

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// benchTrainStep times one full training step (segment, bootstrap segment,
// backward, optimizer) and reports the effective GFLOPS of TrainStepFLOPs.
func benchTrainStep(b *testing.B, c Config, batch int, ema float64) {
	m, err := NewModel(c, 1)
	if err != nil {
		b.Fatal(err)
	}
	h := Hyper{EMARate: ema, BatchSize: batch, LR: 1e-4, LRMinRatio: 1, WarmupSteps: 10, WeightDecay: 0.1, Beta1: 0.9, Beta2: 0.95,
		Optimizer: "adam_atan2", PuzzleEmbLR: 1e-2, PuzzleEmbWeightDecay: 0.1, HaltMaxSteps: 16, HaltExplorationProb: 0.1}
	tr, err := NewTrainer(m, h, 1)
	if err != nil {
		b.Fatal(err)
	}
	bt := randomBatch(c, batch, 1)
	for range 2 { // warm-up: workspaces
		if _, err := tr.Step(bt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	fastest := time.Duration(math.MaxInt64)
	for b.Loop() {
		start := time.Now()
		if _, err := tr.Step(bt); err != nil {
			b.Fatal(err)
		}
		fastest = min(fastest, time.Since(start))
	}
	b.ReportMetric(m.TrainStepFLOPs(batch)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
	// the fastest step, comparable with bench.py's min_step_seconds on a shared machine
	b.ReportMetric(fastest.Seconds(), "min-s/step")
}

// The training-step benchmarks use the configurations of tools/torchref/bench.py,
// so that the figures compare with PyTorch on the same machine.

// BenchmarkTrainStepLab: D 128, 4 heads, 2+2 layers, 2/2 cycles, batch 64, 81 cells + 1.
func BenchmarkTrainStepLab(b *testing.B) {
	c := DefaultHRM()
	c.Hidden, c.Heads, c.HLayers, c.LLayers = 128, 4, 2, 2
	benchTrainStep(b, c, 64, 0)
}

// BenchmarkTrainStepDefault: the lab's default experiment (lab.toml): D 64,
// 4 heads, 2+2 layers, 2/2 cycles, batch 64, 4x4 Sudoku (16 cells + 1, vocab 6).
func BenchmarkTrainStepDefault(b *testing.B) {
	c := DefaultHRM()
	c.Hidden, c.Heads, c.HLayers, c.LLayers, c.VocabSize, c.SeqLen = 64, 4, 2, 2, 6, 16
	benchTrainStep(b, c, 64, 0.995)
}

// BenchmarkTrainStepRef: the reference size, D 512, 8 heads, 4+4 layers, batch 16.
func BenchmarkTrainStepRef(b *testing.B) {
	benchTrainStep(b, DefaultHRM(), 16, 0)
}

// trmLab is TRM at lab size as tools/torchref/bench.py: D 128, 4 heads, one
// 2-layer net, T 2, n 3, 16 prefix positions, EMA 0.999.
func trmLab() Config {
	c := DefaultTRM()
	c.Hidden, c.Heads, c.HCycles, c.LCycles = 128, 4, 2, 3
	return c
}

// BenchmarkTrainStepTRMLab: TRM at lab size with attention, batch 64.
func BenchmarkTrainStepTRMLab(b *testing.B) {
	benchTrainStep(b, trmLab(), 64, 0.999)
}

// BenchmarkTrainStepTRMLabMLP: TRM at lab size with the mlp token mixer and no positions, batch 64.
func BenchmarkTrainStepTRMLabMLP(b *testing.B) {
	c := trmLab()
	c.TokenMixer, c.PosEncodings = "mlp", "none"
	benchTrainStep(b, c, 64, 0.999)
}

// BenchmarkSGEMM measures the backend's throughput on a 5184×256×1024 product.
func BenchmarkSGEMM(b *testing.B) {
	const m, n, k = 5184, 256, 1024
	rng := rand.New(rand.NewPCG(1, 1))
	a, x, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range a {
		a[i] = rng.Float32()
	}
	for i := range x {
		x[i] = rng.Float32()
	}
	b.ReportAllocs()
	for b.Loop() {
		mm(false, false, m, n, k, 1, a, k, x, n, 0, c, n)
	}
	b.ReportMetric(2*m*n*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}
