package engine

import "math"

// lossOut holds the per-sequence results of the loss of one segment.
type lossOut struct {
	lm, qHalt, qCont float64   // sums over the batch (HRM.md §3)
	correct          []bool    // sequence exactly correct on its valid labels
	tokAcc           []float64 // fraction of valid labels predicted correctly
	valid            []int     // number of valid labels
}

func newLossOut(b int) *lossOut {
	return &lossOut{correct: make([]bool, b), tokAcc: make([]float64, b), valid: make([]int, b)}
}

// stablemax s(z) and its derivative (HRM.md §3.1).
func stablemax(z float64) (s, ds float64) {
	if z >= 0 {
		return z + 1, 1
	}
	s = 1 / (1 - z + 1e-30)
	return s, s * s
}

// tokenLoss returns −log p_y of one row of logits and writes ∂ℓ/∂z·scale to
// grad. stable selects stablemax, otherwise softmax; float64 throughout.
func tokenLoss(z []float32, y int, stable bool, scale float64, grad []float32) float64 {
	if stable {
		var sum float64
		for _, v := range z {
			s, _ := stablemax(float64(v))
			sum += s
		}
		sy, dsy := stablemax(float64(z[y]))
		for k, v := range z {
			_, ds := stablemax(float64(v))
			g := ds / sum
			if k == y {
				g -= dsy / sy
			}
			grad[k] = float32(g * scale)
		}
		return -math.Log(sy / sum)
	}
	mx := float64(z[0])
	for _, v := range z {
		mx = max(mx, float64(v))
	}
	var sum float64
	for _, v := range z {
		sum += math.Exp(float64(v) - mx)
	}
	for k, v := range z {
		g := math.Exp(float64(v)-mx) / sum
		if k == y {
			g--
		}
		grad[k] = float32(g * scale)
	}
	return -(float64(z[y]) - mx - math.Log(sum))
}

// bce is binary cross-entropy with logits and its gradient σ(x) − t.
func bce(x, t float64) (loss, grad float64) {
	loss = max(x, 0) - x*t + math.Log1p(math.Exp(-math.Abs(x)))
	return loss, 1/(1+math.Exp(-x)) - t
}

func argmax(z []float32) int {
	best := 0
	for k, v := range z {
		if v > z[best] {
			best = k
		}
	}
	return best
}

// loss computes the segment loss of HRM.md §3 from w.logits and w.q and
// writes the gradients of (LM + 0.5·(BCE_halt + BCE_cont))·scale into
// w.dlogits and w.dq. targetCont nil means no Q-continue loss.
func (w *workspace) loss(labels []int32, targetCont []float32, scale float64, out *lossOut) {
	c := w.m.cfg
	v, p, l := c.VocabSize, c.PuzzleEmbLen, c.SeqLen
	stable := c.LossType == "stablemax"
	out.lm, out.qHalt, out.qCont = 0, 0, 0
	clear(w.dlogits)
	for b := range w.b {
		lab := labels[b*l : (b+1)*l]
		n, right := 0, 0
		for _, y := range lab {
			if y != IgnoreLabel {
				n++
			}
		}
		div := float64(max(n, 1))
		var seq float64
		for i, y := range lab {
			if y == IgnoreLabel {
				continue
			}
			row := (b*w.s + p + i) * v
			z := w.logits[row : row+v]
			seq += tokenLoss(z, int(y), stable, scale/div, w.dlogits[row:row+v])
			if argmax(z) == int(y) {
				right++
			}
		}
		out.lm += seq / div
		out.valid[b] = n
		out.correct[b] = right == n
		out.tokAcc[b] = float64(right) / div
		target := 0.0
		if out.correct[b] {
			target = 1
		}
		lh, gh := bce(float64(w.q[2*b]), target)
		out.qHalt += lh
		w.dq[2*b] = float32(0.5 * scale * gh)
		w.dq[2*b+1] = 0
		if targetCont != nil {
			lc, gc := bce(float64(w.q[2*b+1]), float64(targetCont[b]))
			out.qCont += lc
			w.dq[2*b+1] = float32(0.5 * scale * gc)
		}
	}
}
