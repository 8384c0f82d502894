package engine

import "math"

// SegmentOutput is what Run reports after each evaluation segment.
type SegmentOutput struct {
	Preds      []int32   // Size*SeqLen argmax tokens
	Confidence []float32 // Size*SeqLen probability of the argmax token (under the model's loss: stablemax or softmax)
	QHalt      []float32 // Size, sigmoid(q_halt logit)
	QContinue  []float32 // Size, sigmoid(q_continue logit); 0 when the model has no continue head
	WouldHalt  []bool    // Size, the halting rule without exploration: sigmoid(q_halt − q_continue) > Config.HaltThreshold (no continue head: sigmoid(q_halt)); at 0.5, training's rule
	Inner      [][]int32 // only when inner is requested: provisional predictions after each H update (HRM) / y update (TRM), each Size*SeqLen
}

// Run evaluates b for `segments` supervision steps from a fresh carry, with no
// halting (every example runs all segments, as the reference evaluation), and
// calls fn after each segment (seg is 1-based). With inner, the provisional
// answer after every H update (the LM head applied to z_H at that point,
// HRM.md §11.1) is reported too. The output's slices are reused between calls
// of fn. Labels are not needed. Run uses the model's workspace: do not run it
// concurrently with training on the same Model (use Clone).
func (m *Model) Run(b Batch, segments int, inner bool, fn func(seg int, out *SegmentOutput)) error {
	if err := m.cfg.check(b, false); err != nil {
		return err
	}
	c := m.cfg
	n := b.Size * c.SeqLen
	w := m.work(b.Size)
	cr := newCarry(c, b.Size)
	sd := c.seq() * c.Hidden
	for i := range b.Size {
		for p := range c.seq() {
			copy(cr.zH[i*sd+p*c.Hidden:], m.hInit.t.F32)
			copy(cr.zL[i*sd+p*c.Hidden:], m.lInit.t.F32)
		}
	}
	out := &SegmentOutput{Preds: make([]int32, n), Confidence: make([]float32, n),
		QHalt: make([]float32, b.Size), QContinue: make([]float32, b.Size), WouldHalt: make([]bool, b.Size)}
	var onH func()
	if inner {
		onH = func() {
			w.heads(cr.zH)
			preds := make([]int32, n)
			w.decode(preds, nil)
			out.Inner = append(out.Inner, preds)
		}
	}
	margin := c.haltMargin()
	for seg := 1; seg <= segments; seg++ {
		out.Inner = out.Inner[:0]
		w.segment(cr.zH, cr.zL, b.Inputs, b.PuzzleIDs, false, onH)
		w.decode(out.Preds, out.Confidence)
		for i := range b.Size {
			qh, qc := w.q[2*i], w.q[2*i+1]
			out.QHalt[i] = sigmoid32(qh)
			if c.ACTContinue {
				out.QContinue[i] = sigmoid32(qc)
				out.WouldHalt[i] = qh-qc > margin
			} else {
				out.QContinue[i] = 0
				out.WouldHalt[i] = qh > margin
			}
		}
		fn(seg, out)
	}
	return nil
}

// decode writes the argmax token of every grid position of w.logits and,
// when conf is not nil, its probability.
func (w *workspace) decode(preds []int32, conf []float32) {
	c := w.m.cfg
	v, p := c.VocabSize, c.PuzzleEmbLen
	for b := range w.b {
		for i := range c.SeqLen {
			row := (b*w.s + p + i) * v
			z := w.logits[row : row+v]
			k := argmax(z)
			preds[b*c.SeqLen+i] = int32(k)
			if conf == nil {
				continue
			}
			var sum, top float64
			for j, x := range z {
				var e float64
				if c.LossType == "stablemax" {
					e, _ = stablemax(float64(x))
				} else {
					e = math.Exp(float64(x - z[k]))
				}
				sum += e
				if j == k {
					top = e
				}
			}
			conf[b*c.SeqLen+i] = float32(top / sum)
		}
	}
}
