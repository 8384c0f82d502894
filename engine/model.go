package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// param is one model tensor with its gradient. Gradients exist only for
// trainable tensors of a model that is trained (allocGrads); the puzzle
// embedding's gradient is kept sparsely by the workspace.
type param struct {
	t *Tensor
	g []float32
}

// block is one post-norm transformer block: a token mixer (attention or the
// sequence-axis SwiGLU) and a channel SwiGLU, each followed by residual and RMSNorm.
type block struct {
	qkv, o       *param // attention (TokenMixer "attention")
	mixGU, mixDn *param // sequence-axis SwiGLU (TokenMixer "mlp")
	conv         *param // the mixer's local convolution (LocalMix; D×k²)
	gu, down     *param
}

// Model holds the weights of an HRM or TRM model and the workspace of its
// forward and backward passes. A Model is not safe for concurrent use; Clone
// gives an independent copy.
type Model struct {
	cfg    Config
	params []*param // stable order: Tensors()
	byName map[string]*param

	embTok, embPos, puzzle, lmHead, qW, qB, hInit, lInit *param
	hLevel, lLevel                                       []*block

	inner, innerMix int        // SwiGLU inner widths (channel, token mixer)
	grid            *gridConv  // the local convolution's layout (LocalMix)
	cos, sin        []float32  // RoPE tables (S × head size)
	attnScale       float32    // 1/√(head size)
	ws, wsPrev      *workspace // most recent first
}

// NewModel builds a model with JAX-style truncated-normal initialisation
// (HRM.md §1.9), deterministic for seed.
func NewModel(cfg Config, seed uint64) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, byName: map[string]*param{}}
	d, s := cfg.Hidden, cfg.seq()
	m.inner = swigluInner(cfg.Expansion, d)
	m.innerMix = swigluInner(cfg.Expansion, s)
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	add := func(name string, trainable bool, std float64, shape ...int) *param {
		t := &Tensor{Name: name, Shape: shape, Trainable: trainable}
		t.F32 = make([]float32, t.Len())
		truncNormal(rng, t.F32, std)
		p := &param{t: t}
		m.params = append(m.params, p)
		m.byName[name] = p
		return p
	}
	lecun := func(in int) float64 { return 1 / math.Sqrt(float64(in)) }
	m.embTok = add("inner.embed_tokens.embedding_weight", true, lecun(d), cfg.VocabSize, d)
	if cfg.PosEncodings == "learned" {
		m.embPos = add("inner.embed_pos.embedding_weight", true, lecun(d), s, d)
	}
	if cfg.PuzzleEmbLen > 0 {
		m.puzzle = add("inner.puzzle_emb.weights", false, 0, cfg.NumPuzzleIDs, cfg.PuzzleEmbLen*d)
	}
	m.lmHead = add("inner.lm_head.weight", true, lecun(d), cfg.VocabSize, d)
	m.qW = add("inner.q_head.weight", true, 0, 2, d)
	m.qB = add("inner.q_head.bias", true, 0, 2)
	for i := range m.qB.t.F32 {
		m.qB.t.F32[i] = -5
	}
	stack := func(level string, n int) []*block {
		bs := make([]*block, n)
		for i := range bs {
			pre := fmt.Sprintf("inner.%s.layers.%d.", level, i)
			b := &block{}
			if cfg.TokenMixer == "attention" {
				b.qkv = add(pre+"self_attn.qkv_proj.weight", true, lecun(d), 3*d, d)
				b.o = add(pre+"self_attn.o_proj.weight", true, lecun(d), d, d)
			} else {
				b.mixGU = add(pre+"mlp_t.gate_up_proj.weight", true, lecun(s), 2*m.innerMix, s)
				b.mixDn = add(pre+"mlp_t.down_proj.weight", true, lecun(m.innerMix), s, m.innerMix)
				if k := cfg.LocalMix; k > 0 {
					b.conv = add(pre+"mlp_t.local_conv.weight", true, lecun(k*k), d, k*k)
				}
			}
			b.gu = add(pre+"mlp.gate_up_proj.weight", true, lecun(d), 2*m.inner, d)
			b.down = add(pre+"mlp.down_proj.weight", true, lecun(m.inner), d, m.inner)
			bs[i] = b
		}
		return bs
	}
	if cfg.Arch == "hrm" {
		m.hLevel = stack("H_level", cfg.HLayers)
	}
	m.lLevel = stack("L_level", cfg.LLayers)
	m.hInit = add("inner.H_init", false, 1, d)
	m.lInit = add("inner.L_init", false, 1, d)
	if k := cfg.LocalMix; k > 0 {
		m.grid = newGridConv(cfg.PuzzleEmbLen, gridSide(cfg.SeqLen), k, d)
	}
	m.ropeTables()
	m.attnScale = float32(1 / math.Sqrt(float64(cfg.Hidden/cfg.Heads)))
	return m, nil
}

// truncNormal fills x from N(0, c²) truncated to ±2c with c chosen so that the
// realised standard deviation is std (JAX's truncated_normal initializer, as
// the reference's trunc_normal_init_). std 0 gives zeros.
func truncNormal(rng *rand.Rand, x []float32, std float64) {
	if std == 0 {
		clear(x)
		return
	}
	const lower, upper = -2.0, 2.0
	a, b := math.Erf(lower/math.Sqrt2), math.Erf(upper/math.Sqrt2)
	z := (b - a) / 2
	c := 1 / math.Sqrt(2*math.Pi)
	pdfU, pdfL := c*math.Exp(-0.5*lower*lower), c*math.Exp(-0.5*upper*upper)
	comp := std / math.Sqrt(1-(upper*pdfU-lower*pdfL)/z-math.Pow((pdfU-pdfL)/z, 2))
	for i := range x {
		u := a + (b-a)*rng.Float64()
		v := math.Sqrt2 * comp * math.Erfinv(u)
		x[i] = float32(min(max(v, lower*comp), upper*comp))
	}
}

// ropeTables precomputes cos and sin of the half-split rotary embedding for all S positions.
func (m *Model) ropeTables() {
	if m.cfg.PosEncodings != "rope" || m.cfg.TokenMixer != "attention" {
		return
	}
	s, dh := m.cfg.seq(), m.cfg.Hidden/m.cfg.Heads
	m.cos, m.sin = make([]float32, s*dh), make([]float32, s*dh)
	for p := range s {
		for k := range dh / 2 {
			inv := 1 / math.Pow(m.cfg.RopeTheta, float64(2*k)/float64(dh))
			a := float64(p) * inv
			for _, j := range []int{k, k + dh/2} {
				m.cos[p*dh+j] = float32(math.Cos(a))
				m.sin[p*dh+j] = float32(math.Sin(a))
			}
		}
	}
}

// Config returns the model's configuration (with the live cycle counts).
func (m *Model) Config() Config { return m.cfg }

// SetHaltThreshold sets the evaluation halting threshold (Config.HaltThreshold).
func (m *Model) SetHaltThreshold(p float64) error {
	if err := checkHaltThreshold(p); err != nil {
		return err
	}
	m.cfg.HaltThreshold = p
	return nil
}

// Tensors returns every parameter and buffer under the reference state-dict
// names, in a stable order. The slices alias the live weights.
func (m *Model) Tensors() []*Tensor {
	ts := make([]*Tensor, len(m.params))
	for i, p := range m.params {
		ts[i] = p.t
	}
	return ts
}

// NumParams counts trainable parameters; the puzzle-embedding table and
// H_init/L_init are buffers and not counted.
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.params {
		if p.t.Trainable {
			n += len(p.t.F32)
		}
	}
	return n
}

// allocGrads gives every trainable tensor a gradient buffer (once); models
// that only evaluate never pay for them.
func (m *Model) allocGrads() {
	for _, p := range m.params {
		if p.t.Trainable && p.g == nil {
			p.g = make([]float32, len(p.t.F32))
		}
	}
}

// Clone returns a deep copy of the weights (without gradients) with its own workspace.
func (m *Model) Clone() *Model {
	c := &Model{cfg: m.cfg, byName: map[string]*param{}, inner: m.inner, innerMix: m.innerMix,
		grid: m.grid, cos: m.cos, sin: m.sin, attnScale: m.attnScale}
	remap := map[*param]*param{}
	for _, p := range m.params {
		t := *p.t
		t.Shape = slices.Clone(p.t.Shape)
		t.F32 = slices.Clone(p.t.F32)
		q := &param{t: &t}
		c.params = append(c.params, q)
		c.byName[t.Name] = q
		remap[p] = q
	}
	get := func(p *param) *param {
		if p == nil {
			return nil
		}
		return remap[p]
	}
	c.embTok, c.embPos, c.puzzle, c.lmHead = get(m.embTok), get(m.embPos), get(m.puzzle), get(m.lmHead)
	c.qW, c.qB, c.hInit, c.lInit = get(m.qW), get(m.qB), get(m.hInit), get(m.lInit)
	cloneStack := func(bs []*block) []*block {
		out := make([]*block, len(bs))
		for i, b := range bs {
			out[i] = &block{qkv: get(b.qkv), o: get(b.o), mixGU: get(b.mixGU), mixDn: get(b.mixDn),
				conv: get(b.conv), gu: get(b.gu), down: get(b.down)}
		}
		return out
	}
	c.hLevel, c.lLevel = cloneStack(m.hLevel), cloneStack(m.lLevel)
	return c
}

// SetTensor loads one tensor by name (checkpoint load). The error names the
// tensor and the mismatch.
func (m *Model) SetTensor(name string, shape []int, data []float32) error {
	p, ok := m.byName[name]
	if !ok {
		return fmt.Errorf("tensor %s: not a tensor of this %s model", name, m.cfg.Arch)
	}
	if !slices.Equal(shape, p.t.Shape) {
		return fmt.Errorf("tensor %s: shape %v, model has %v", name, shape, p.t.Shape)
	}
	if len(data) != len(p.t.F32) {
		return fmt.Errorf("tensor %s: %d values for shape %v (%d)", name, len(data), shape, len(p.t.F32))
	}
	copy(p.t.F32, data)
	return nil
}

// TrainStepFLOPs estimates the floating-point operations of one training step
// (segment, bootstrap segment, backward of the graded calls) at batch size b:
// 2 FLOPs per multiply-add of every dense product and attention product.
func (m *Model) TrainStepFLOPs(batch int) float64 {
	c := m.cfg
	s, d := float64(c.seq()), float64(c.Hidden)
	var perBlock float64 // multiply-adds per sequence per block forward
	if c.TokenMixer == "attention" {
		perBlock = s*4*d*d + 2*s*s*d
	} else {
		perBlock = 3*float64(m.innerMix)*s*d + float64(c.SeqLen*c.LocalMix*c.LocalMix)*d
	}
	perBlock += s * 3 * float64(m.inner) * d
	var fwdCalls, gradBlocks float64 // block forwards per segment, graded blocks
	if c.Arch == "hrm" {
		fwdCalls = float64(c.HCycles*c.LCycles*c.LLayers + c.HCycles*c.HLayers)
		gradBlocks = float64(c.LLayers + c.HLayers)
	} else {
		fwdCalls = float64(c.HCycles * (c.LCycles + 1) * c.LLayers)
		gradBlocks = float64((c.LCycles + 1) * c.LLayers)
	}
	segments := 1.0
	if c.ACTContinue {
		segments = 2
	}
	heads := s * d * float64(c.VocabSize+2)
	macs := segments*(fwdCalls*perBlock+heads) + 2*(gradBlocks*perBlock+heads)
	return 2 * macs * float64(batch)
}
