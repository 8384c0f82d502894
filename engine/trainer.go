package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Metrics of one training step. Losses are divided by the batch size as the
// reference logs them; accuracies and MeanSteps are over the sequences that
// halted this step and have at least one scored label (HRM.md §3.2).
type Metrics struct {
	Step                                        int
	LR                                          float64
	Count                                       int // sequences that halted this step
	Loss, LMLoss, QHaltLoss, QContinueLoss      float64
	TokenAccuracy, ExactAccuracy, QHaltAccuracy float64 // 0 when Count == 0
	MeanSteps                                   float64 // mean segments used by halted sequences
	HaltHistogram                               []int   // [k-1]: sequences that halted after k segments, len HaltMaxSteps
	GradNorm                                    float64 // global L2 norm of the dense gradient
}

// Trainer runs ACT training steps (HRM.md §2.2–2.3) on a model. It is not
// safe for concurrent use; between steps the model may be read (Clone).
type Trainer struct {
	m   *Model
	h   Hyper
	pcg *rand.PCG
	rng *rand.Rand

	step      int
	spent     float64 // fraction of a time budget spent (SetTimeSpent)
	trainable []*param
	mom, vel  [][]float32
	ema       [][]float32 // nil when EMA is off
	emaModel  *Model

	carry carry
	lo    *lossOut
	qMain []float32 // q logits of the graded segment while the bootstrap runs
	tgt   []float32 // Q-continue targets
	bzH   []float32 // bootstrap copies of the carry
	bzL   []float32
	ids   []int32   // sign-SGD scratch
	sums  []float32 // sign-SGD scratch

	chunks   []optChunk // the optimizer pass's units of work
	adamK    adamStep   // this step's optimizer constants
	fnUpdate func(lo, hi int)
}

// carry is the per-slot ACT state: latent states, segments run, halted flags
// and the example occupying each slot.
type carry struct {
	zH, zL         []float32
	steps          []int32
	halted         []bool
	inputs, labels []int32
	pids           []int32
}

func newCarry(c Config, b int) carry {
	n := b * c.seq() * c.Hidden
	cr := carry{zH: make([]float32, n), zL: make([]float32, n), steps: make([]int32, b),
		halted: make([]bool, b), inputs: make([]int32, b*c.SeqLen), labels: make([]int32, b*c.SeqLen),
		pids: make([]int32, b)}
	for i := range cr.halted {
		cr.halted[i] = true
	}
	return cr
}

// NewTrainer prepares training of m with hyperparameters h; seed drives the
// exploration draws.
func NewTrainer(m *Model, h Hyper, seed uint64) (*Trainer, error) {
	t := &Trainer{m: m, pcg: rand.NewPCG(seed, 0xda3e39cb94b95bdb)}
	t.rng = rand.New(t.pcg)
	m.allocGrads()
	for _, p := range m.params {
		if p.t.Trainable {
			t.trainable = append(t.trainable, p)
			t.mom = append(t.mom, make([]float32, len(p.t.F32)))
			t.vel = append(t.vel, make([]float32, len(p.t.F32)))
		}
	}
	const chunk = 1 << 14
	for i, p := range t.trainable {
		for lo := 0; lo < len(p.t.F32); lo += chunk {
			t.chunks = append(t.chunks, optChunk{i: i, lo: lo, hi: min(lo+chunk, len(p.t.F32))})
		}
	}
	t.fnUpdate = t.updateChunks
	if err := t.SetHyper(h); err != nil {
		return nil, err
	}
	return t, nil
}

// SetHyper validates h and applies it from the next Step. A batch-size change
// resets the carry (every slot takes a new example).
func (t *Trainer) SetHyper(h Hyper) error {
	if err := h.Validate(); err != nil {
		return err
	}
	if h.BatchSize != t.h.BatchSize {
		b := h.BatchSize
		t.carry = newCarry(t.m.cfg, b)
		t.lo = newLossOut(b)
		t.qMain, t.tgt = make([]float32, 2*b), make([]float32, b)
		t.bzH, t.bzL = make([]float32, len(t.carry.zH)), make([]float32, len(t.carry.zL))
		t.ids, t.sums = make([]int32, b), make([]float32, b*t.m.cfg.PuzzleEmbLen*t.m.cfg.Hidden)
	}
	if h.HCycles > 0 {
		t.m.cfg.HCycles = h.HCycles
	}
	if h.LCycles > 0 {
		t.m.cfg.LCycles = h.LCycles
	}
	if h.HaltThreshold > 0 {
		t.m.cfg.HaltThreshold = h.HaltThreshold
	}
	if h.EMARate == 0 {
		t.ema = nil
	} else if t.ema == nil {
		t.ema = make([][]float32, len(t.trainable))
		for i, p := range t.trainable {
			t.ema[i] = append([]float32(nil), p.t.F32...)
		}
	}
	t.h = h
	return nil
}

// Hyper returns the hyperparameters in force.
func (t *Trainer) Hyper() Hyper { return t.h }

// SetTimeSpent sets the fraction of a time budget spent before the next Step
// (0: no time budget): the cosine follows it where it is ahead of the steps,
// so a budget in minutes anneals on a machine of any speed.
func (t *Trainer) SetTimeSpent(f float64) { t.spent = f }

// Steps is the number of optimizer steps taken.
func (t *Trainer) Steps() int { return t.step }

// Model returns the live training weights.
func (t *Trainer) Model() *Model { return t.m }

// EvalModel returns a model holding the EMA weights when EMA is on (a copy
// refreshed at each call, buffers taken from the live model), else Model().
func (t *Trainer) EvalModel() *Model {
	if t.ema == nil {
		return t.m
	}
	if t.emaModel == nil {
		t.emaModel = t.m.Clone()
	}
	t.emaModel.cfg = t.m.cfg
	k := 0
	for i, p := range t.m.params {
		q := t.emaModel.params[i]
		if p.t.Trainable {
			copy(q.t.F32, t.ema[k])
			k++
		} else {
			copy(q.t.F32, p.t.F32)
		}
	}
	return t.emaModel
}

// resetSlots loads the new batch rows into halted slots and resets their state
// to H_init/L_init; rows of slots still running are dropped (HRM.md §2.2).
func (t *Trainer) resetSlots(b Batch) {
	c := t.m.cfg
	cr := &t.carry
	sd, l := c.seq()*c.Hidden, c.SeqLen
	for i, h := range cr.halted {
		if !h {
			continue
		}
		for p := range c.seq() {
			copy(cr.zH[i*sd+p*c.Hidden:], t.m.hInit.t.F32)
			copy(cr.zL[i*sd+p*c.Hidden:], t.m.lInit.t.F32)
		}
		cr.steps[i] = 0
		copy(cr.inputs[i*l:(i+1)*l], b.Inputs[i*l:])
		copy(cr.labels[i*l:(i+1)*l], b.Labels[i*l:])
		cr.pids[i] = b.PuzzleIDs[i]
	}
}

// Step runs one ACT training step on b (b.Size must equal the batch size):
// reset halted slots, one graded segment, the halting decision with
// exploration, the bootstrap Q-continue target, loss, backward and the
// optimizer updates.
func (t *Trainer) Step(b Batch) (Metrics, error) {
	if b.Size != t.h.BatchSize {
		return Metrics{}, fmt.Errorf("batch: size %d, trainer batch size %d", b.Size, t.h.BatchSize)
	}
	if err := t.m.cfg.check(b, true); err != nil {
		return Metrics{}, err
	}
	t.resetSlots(b)
	m, cr := t.m, &t.carry
	w := m.work(b.Size)
	for _, p := range t.trainable {
		clear(p.g)
	}
	w.segment(cr.zH, cr.zL, cr.inputs, cr.pids, true, nil)
	var target []float32
	if t.halting(w) {
		target = t.tgt
	}
	w.loss(cr.labels, target, 1/float64(b.Size), t.lo)
	w.segmentBack(cr.zH, cr.inputs)
	met := t.metrics(w)
	t.step++
	met.Step = t.step
	met.LR = scheduleLR(t.h, t.step, t.h.LR, t.spent)
	met.GradNorm = t.update(w, met.LR)
	return met, nil
}

// halting advances the step counts, sets the halted flags with exploration
// and, with the Q-continue head, computes the bootstrap targets from one more
// no-grad segment. It reports whether t.tgt holds targets for the loss.
func (t *Trainer) halting(w *workspace) bool {
	cr := &t.carry
	maxSteps := int32(t.h.HaltMaxSteps)
	train := maxSteps > 1
	for i := range cr.halted {
		cr.steps[i]++
		last := cr.steps[i] >= maxSteps
		h := last
		if train {
			qh, qc := w.q[2*i], w.q[2*i+1]
			if t.m.cfg.ACTContinue {
				h = h || qh > qc
			} else {
				h = h || qh > 0
			}
			var minSteps int32
			if t.rng.Float64() < t.h.HaltExplorationProb {
				minSteps = 2 + int32(t.rng.IntN(int(maxSteps)-1))
			}
			h = h && cr.steps[i] >= minSteps
		}
		cr.halted[i] = h
	}
	if !train || !t.m.cfg.ACTContinue {
		return false
	}
	copy(t.qMain, w.q)
	copy(t.bzH, cr.zH)
	copy(t.bzL, cr.zL)
	w.qOnly = true // keep the graded segment's logits for the loss
	w.segment(t.bzH, t.bzL, cr.inputs, cr.pids, false, nil)
	w.qOnly = false
	for i := range t.tgt {
		next := w.q[2*i]
		if cr.steps[i] < maxSteps {
			next = max(next, w.q[2*i+1])
		}
		t.tgt[i] = sigmoid32(next)
	}
	copy(w.q, t.qMain)
	return true
}

// metrics summarises the loss of the step over halted sequences.
func (t *Trainer) metrics(w *workspace) Metrics {
	cr, lo := &t.carry, t.lo
	bs := float64(w.b)
	met := Metrics{LMLoss: lo.lm / bs, QHaltLoss: lo.qHalt / bs, QContinueLoss: lo.qCont / bs,
		HaltHistogram: make([]int, t.h.HaltMaxSteps)}
	met.Loss = met.LMLoss + 0.5*(met.QHaltLoss+met.QContinueLoss)
	var steps float64
	for i, h := range cr.halted {
		if !h || lo.valid[i] == 0 {
			continue
		}
		met.Count++
		met.TokenAccuracy += lo.tokAcc[i]
		if lo.correct[i] {
			met.ExactAccuracy++
		}
		if (w.q[2*i] >= 0) == lo.correct[i] {
			met.QHaltAccuracy++
		}
		steps += float64(cr.steps[i])
		met.HaltHistogram[min(int(cr.steps[i]), t.h.HaltMaxSteps)-1]++
	}
	if met.Count > 0 {
		n := float64(met.Count)
		met.TokenAccuracy /= n
		met.ExactAccuracy /= n
		met.QHaltAccuracy /= n
		met.MeanSteps = steps / n
	}
	return met
}

// update applies the optimizers at learning rate lr and the EMA; it returns
// the global gradient norm. The dense update is one pass over fixed chunks of
// the trainable tensors, spread over the pool; the chunks' sums of squares
// are added in chunk order, so the norm does not depend on the worker count.
func (t *Trainer) update(w *workspace, lr float64) float64 {
	h := t.h
	t.adamK = newAdamStep(lr, h.WeightDecay, h.Beta1, h.Beta2, t.step, h.Optimizer != "adamw", 0)
	if t.ema != nil {
		t.adamK.emaRate = float32(h.EMARate)
	}
	w.sp.run(len(t.chunks), t.fnUpdate)
	var sq float64
	for _, c := range t.chunks {
		sq += c.sq
	}
	if m := t.m; m.puzzle != nil {
		lrp := scheduleLR(h, t.step, h.PuzzleEmbLR, t.spent)
		signSGD(m.puzzle.t.F32, w.puzzleGrad, t.carry.pids, m.cfg.PuzzleEmbLen*m.cfg.Hidden,
			lrp, h.PuzzleEmbWeightDecay, t.ids, t.sums)
	}
	return math.Sqrt(sq)
}

// optChunk is a slice [lo, hi) of trainable tensor i, the unit of the
// parallel optimizer pass, with the sum of its squared gradients.
type optChunk struct {
	i, lo, hi int
	sq        float64
}

// updateChunks runs the optimizer on chunks [lo, hi).
func (t *Trainer) updateChunks(lo, hi int) {
	for c := lo; c < hi; c++ {
		ch := &t.chunks[c]
		p, a, b := t.trainable[ch.i], ch.lo, ch.hi
		var ema []float32
		if t.ema != nil {
			ema = t.ema[ch.i][a:b]
		}
		ch.sq = adamRows(p.t.F32[a:b], p.g[a:b], t.mom[ch.i][a:b], t.vel[ch.i][a:b], ema, &t.adamK)
	}
}
