package engine

import (
	"fmt"
	"testing"
)

// TestSegmentGradients checks every parameter gradient of a whole graded
// segment including the loss against finite differences, for every layer
// variant. With one H and one L cycle the segment has no no-grad calls, so
// the one-step gradient is the exact gradient.
func TestSegmentGradients(t *testing.T) {
	variants := map[string]func(*Config){
		"rope-stablemax": func(*Config) {},
		"learned-softmax": func(c *Config) {
			c.PosEncodings, c.LossType = "learned", "softmax"
		},
		"mlp-mixer-nopos": func(c *Config) {
			c.TokenMixer, c.PosEncodings = "mlp", "none"
		},
		"prefix2-2layers": func(c *Config) {
			c.PuzzleEmbLen, c.HLayers, c.LLayers = 2, 2, 2
		},
		"no-prefix": func(c *Config) {
			c.PuzzleEmbLen = 0
		},
		// TRM with T 1: the only recursion is graded, with full backprop through n+1 = 3 calls.
		"trm-attention": func(c *Config) {
			c.Arch, c.LLayers, c.LCycles, c.PuzzleEmbLen, c.ACTContinue = "trm", 2, 2, 2, false
		},
		"trm-mlp": func(c *Config) {
			c.Arch, c.LCycles, c.TokenMixer, c.PosEncodings = "trm", 2, "mlp", "none"
		},
		// The mixer's local convolution on a 4x4 grid (3x3 kernel) and a 3x3 grid behind two
		// prefix positions (5x5 kernel, wider than the grid).
		"mlp-local-mix": func(c *Config) {
			c.TokenMixer, c.PosEncodings, c.SeqLen, c.LocalMix = "mlp", "none", 16, 3
		},
		"trm-local-mix": func(c *Config) {
			c.Arch, c.LCycles, c.TokenMixer, c.PosEncodings = "trm", 2, "mlp", "none"
			c.SeqLen, c.PuzzleEmbLen, c.LocalMix = 9, 2, 5
		},
	}
	for name, change := range variants {
		t.Run(name, func(t *testing.T) {
			c := tinyConfig()
			change(&c)
			m := newTestModel(t, c, 1)
			perturb(m, 2)
			const b = 3
			bt := randomBatch(c, b, 3)
			n := b * c.seq() * c.Hidden
			zH, zL := randomState(n, 4), randomState(n, 5)
			target := []float32{0.2, 0.7, 0.5}
			f := func() float64 { return segmentLoss(m, zH, zL, bt, target, false) }
			segmentLoss(m, zH, zL, bt, target, true)
			grads := map[string][]float32{}
			for _, p := range m.params {
				if p.g != nil {
					grads[p.t.Name] = append([]float32(nil), p.g...)
				}
			}
			if m.puzzle != nil {
				grads[m.puzzle.t.Name] = puzzleTableGrad(m, bt.PuzzleIDs)
			}
			for i, p := range m.params {
				if g, ok := grads[p.t.Name]; ok {
					checkDirectional(t, p.t.Name, p.t.F32, g, f, uint64(i))
				}
			}
		})
	}
}

// TestOneStepGradient checks that with several cycles the gradient equals
// that of the graded calls alone, started from the state the no-grad calls
// reach (HRM.md §4.1), and that the new carry is the full schedule's result.
func TestOneStepGradient(t *testing.T) {
	c := tinyConfig()
	c.HCycles, c.LCycles = 2, 3
	m := newTestModel(t, c, 1)
	perturb(m, 2)
	const b = 2
	bt := randomBatch(c, b, 3)
	n := b * c.seq() * c.Hidden
	zH, zL := randomState(n, 4), randomState(n, 5)
	target := []float32{0.3, 0.6}
	full := segmentLoss(m, zH, zL, bt, target, true)
	want := map[string][]float32{}
	for _, p := range m.params {
		if p.g != nil {
			want[p.t.Name] = append([]float32(nil), p.g...)
		}
	}
	// Reproduce the no-grad part by hand: L, L, L, H, L, L (N=2, T=3), then one graded L, H.
	w := m.work(b)
	hH, hL := append([]float32(nil), zH...), append([]float32(nil), zL...)
	w.embed(bt.Inputs, bt.PuzzleIDs)
	w.calls = w.calls[:0]
	for _, call := range "LLLHLL" {
		if call == 'L' {
			w.calls = append(w.calls, moduleCall{stack: m.lLevel, h: hL, inj1: hH, inj2: w.x})
		} else {
			w.calls = append(w.calls, moduleCall{stack: m.hLevel, h: hH, inj1: hL})
		}
	}
	w.runCalls(nil)
	m.cfg.HCycles, m.cfg.LCycles = 1, 1
	one := segmentLoss(m, hH, hL, bt, target, true)
	if fmt.Sprint(float32(one)) != fmt.Sprint(float32(full)) {
		t.Errorf("loss: full schedule %v, graded part alone %v", full, one)
	}
	for _, p := range m.params {
		if p.g == nil {
			continue
		}
		for i, v := range p.g {
			if d := v - want[p.t.Name][i]; d > 1e-6 || d < -1e-6 {
				t.Fatalf("%s[%d]: gradient %v with the full schedule, %v from the graded calls", p.t.Name, i, want[p.t.Name][i], v)
			}
		}
	}
}
