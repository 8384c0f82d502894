package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// tinyConfig is a small HRM for gradient checks and unit tests.
func tinyConfig() Config {
	c := DefaultHRM()
	c.VocabSize, c.SeqLen, c.NumPuzzleIDs, c.PuzzleEmbLen = 7, 6, 3, 1
	c.Hidden, c.Heads, c.Expansion = 16, 2, 2
	c.HLayers, c.LLayers, c.HCycles, c.LCycles = 1, 1, 1, 1
	return c
}

func newTestModel(t testing.TB, c Config, seed uint64) *Model {
	t.Helper()
	m, err := NewModel(c, seed)
	if err != nil {
		t.Fatal(err)
	}
	m.allocGrads()
	return m
}

// perturb makes the zero-initialised tensors (Q head weight, puzzle table)
// non-trivial so that every gradient path is exercised.
func perturb(m *Model, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, p := range []*param{m.qW, m.puzzle} {
		if p == nil {
			continue
		}
		for i := range p.t.F32 {
			p.t.F32[i] = float32(rng.NormFloat64() * 0.3)
		}
	}
}

// randomBatch draws a batch with some ignored labels.
func randomBatch(c Config, b int, seed uint64) Batch {
	rng := rand.New(rand.NewPCG(seed, 11))
	bt := Batch{Size: b, Inputs: make([]int32, b*c.SeqLen), Labels: make([]int32, b*c.SeqLen), PuzzleIDs: make([]int32, b)}
	for i := range bt.Inputs {
		bt.Inputs[i] = int32(rng.IntN(c.VocabSize))
		bt.Labels[i] = int32(rng.IntN(c.VocabSize))
		if rng.IntN(4) == 0 {
			bt.Labels[i] = IgnoreLabel
		}
	}
	for i := range bt.PuzzleIDs {
		bt.PuzzleIDs[i] = int32(rng.IntN(c.NumPuzzleIDs))
	}
	return bt
}

func randomState(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 13))
	z := make([]float32, n)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	return z
}

// segmentLoss runs one graded segment from a copy of the carry and returns
// the loss (LM + 0.5·(BCE_halt + BCE_cont))/B; with grads it also back-propagates.
func segmentLoss(m *Model, zH0, zL0 []float32, bt Batch, target []float32, grads bool) float64 {
	w := m.work(bt.Size)
	zH, zL := append([]float32(nil), zH0...), append([]float32(nil), zL0...)
	for _, p := range m.params {
		clear(p.g)
	}
	w.segment(zH, zL, bt.Inputs, bt.PuzzleIDs, true, nil)
	lo := newLossOut(bt.Size)
	scale := 1 / float64(bt.Size)
	w.loss(bt.Labels, target, scale, lo)
	if grads {
		w.segmentBack(zH, bt.Inputs)
	}
	return (lo.lm + 0.5*(lo.qHalt+lo.qCont)) * scale
}

// puzzleTableGrad scatters the per-row puzzle gradients into a full-table gradient.
func puzzleTableGrad(m *Model, pids []int32) []float32 {
	w := m.ws
	width := m.cfg.PuzzleEmbLen * m.cfg.Hidden
	g := make([]float32, len(m.puzzle.t.F32))
	for b, id := range pids {
		add(g[int(id)*width:int(id+1)*width], w.puzzleGrad[b*width:(b+1)*width])
	}
	return g
}

// checkDirectional compares the analytic directional derivative <g, u> with
// a central finite difference of f along u, for a random unit direction and
// for the gradient direction.
func checkDirectional(t *testing.T, name string, theta, g []float32, f func() float64, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 17))
	var gn float64
	for _, v := range g {
		gn += float64(v) * float64(v)
	}
	gn = math.Sqrt(gn)
	for trial := range 2 {
		u := make([]float64, len(theta))
		var un float64
		for i := range u {
			if trial == 0 {
				u[i] = rng.NormFloat64()
			} else {
				u[i] = float64(g[i])
			}
			un += u[i] * u[i]
		}
		if un == 0 {
			continue
		}
		un = math.Sqrt(un)
		var analytic float64
		for i := range u {
			u[i] /= un
			analytic += float64(g[i]) * u[i]
		}
		const eps = 1e-2
		orig := append([]float32(nil), theta...)
		step := func(s float64) float64 {
			for i := range theta {
				theta[i] = orig[i] + float32(s*eps*u[i])
			}
			return f()
		}
		fd := (step(1) - step(-1)) / (2 * eps)
		copy(theta, orig)
		if diff := math.Abs(fd - analytic); diff > 2e-2*max(math.Abs(fd), math.Abs(analytic))+2e-4 {
			t.Errorf("%s (direction %d, |g| %.3g): finite difference %.6g, analytic %.6g", name, trial, gn, fd, analytic)
		}
	}
}
