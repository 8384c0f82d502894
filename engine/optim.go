package engine

import "math"

// scheduleLR is the learning rate at optimizer step t (1-based) for base rate
// base: linear warm-up, then cosine from base down to LRMinRatio·base (HRM.md
// §5.3) as the budget is spent. The budget's progress is the larger of the
// steps' (TotalSteps; 0 or not beyond the warm-up: none) and spent, the
// fraction of a time budget used (0: none), so the cosine reaches its floor
// at whichever limit comes first; with neither the rate is constant after
// warm-up. Past the budget the rate stays at the floor.
func scheduleLR(h Hyper, t int, base, spent float64) float64 {
	if t < h.WarmupSteps {
		return base * float64(t) / float64(h.WarmupSteps)
	}
	progress := spent
	if h.TotalSteps > h.WarmupSteps {
		progress = max(progress, float64(t-h.WarmupSteps)/float64(h.TotalSteps-h.WarmupSteps))
	}
	progress = min(max(progress, 0), 1)
	r := h.LRMinRatio
	return base * (r + (1-r)*0.5*(1+math.Cos(math.Pi*progress)))
}

// adamStep holds the constants of one dense-optimizer step: decoupled weight
// decay, the moment rates and bias corrections, AdamATan2's step (HRM.md
// §5.1: atan2(m, √v̂) in place of the ε division, no ε) or AdamW's
// (m / (√v̂ + 1e-8)), and the EMA rate (0: no EMA).
type adamStep struct {
	decay, b1, b2, step, invBC2, emaRate float32
	atan2                                bool
}

func newAdamStep(lr, wd, beta1, beta2 float64, t int, atan2 bool, ema float64) adamStep {
	return adamStep{
		decay: float32(1 - lr*wd), b1: float32(beta1), b2: float32(beta2),
		step:   float32(lr / (1 - math.Pow(beta1, float64(t)))),
		invBC2: float32(1 / math.Sqrt(1-math.Pow(beta2, float64(t)))),
		atan2:  atan2, emaRate: float32(ema),
	}
}

// goAdam applies one optimizer step to theta (with its gradient g and moments
// m, v) and, when k.emaRate > 0, moves ema towards the new weights; it
// returns Σg² for the gradient norm. The OpenBLAS build runs the same
// arithmetic as a vectorised C loop (kernels_openblas.go).
func goAdam(theta, g, m, v, ema []float32, k *adamStep) float64 {
	const eps = 1e-8
	g, m, v = g[:len(theta)], m[:len(theta)], v[:len(theta)]
	var sq float64
	for i := range theta {
		gi := g[i]
		sq += float64(gi) * float64(gi)
		m[i] += (1 - k.b1) * (gi - m[i])
		v[i] += (1 - k.b2) * (gi*gi - v[i])
		den := float32(math.Sqrt(float64(v[i]))) * k.invBC2
		var u float32
		if k.atan2 {
			u = atan2Pos(m[i], den)
		} else {
			u = m[i] / (den + eps)
		}
		theta[i] = theta[i]*k.decay - k.step*u
	}
	if k.emaRate > 0 {
		r := k.emaRate
		ema = ema[:len(theta)]
		for i, w := range theta {
			ema[i] = r*ema[i] + (1-r)*w
		}
	}
	return sq
}

// atan2Pos is atan2(y, x) for x ≥ 0 in float32 (Cephes atanf: reduction to
// |t| ≤ tan(π/8), then a degree-9 odd polynomial), within 2e-7 of math.Atan2,
// several times faster. atan2Pos(0, 0) = 0 as math.Atan2.
func atan2Pos(y, x float32) float32 {
	ay := y
	if ay < 0 {
		ay = -ay
	}
	var num, den, base float32
	switch {
	case ay > 2.414213562373095*x: // t > tan(3π/8): π/2 − atan(x/|y|)
		num, den, base = -x, ay, math.Pi/2
	case ay > 0.4142135623730950*x: // t > tan(π/8): π/4 + atan((t−1)/(t+1))
		num, den, base = ay-x, ay+x, math.Pi/4
	default:
		num, den = ay, x
	}
	if den == 0 {
		return 0 // y = x = 0
	}
	t := num / den
	z := t * t
	r := (((8.05374449538e-2*z-1.38776856032e-1)*z+1.99777106478e-1)*z-3.33329491539e-1)*z*t + t + base
	if y < 0 {
		return -r
	}
	return r
}

// signSGD updates the puzzle-embedding rows touched by the batch (HRM.md
// §5.2): the row gradients are summed per id, then each touched row decays
// and moves by −lr·sign(sum). Untouched rows are left alone. ids and sums are
// scratch (len ≥ batch, batch×width).
func signSGD(table, rowGrad []float32, pids []int32, width int, lr, wd float64, ids []int32, sums []float32) {
	u := 0
	for b, id := range pids {
		k := 0
		for k < u && ids[k] != id {
			k++
		}
		g := rowGrad[b*width : (b+1)*width]
		s := sums[k*width : (k+1)*width]
		if k == u {
			ids[u] = id
			u++
			copy(s, g)
			continue
		}
		add(s, g)
	}
	decay, step := float32(1-lr*wd), float32(lr)
	for k := range u {
		row := table[int(ids[k])*width : int(ids[k]+1)*width]
		for j, g := range sums[k*width : (k+1)*width] {
			var sg float32
			if g > 0 {
				sg = 1
			} else if g < 0 {
				sg = -1
			}
			row[j] = row[j]*decay - step*sg
		}
	}
}
