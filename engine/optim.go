package engine

import "math"

// scheduleLR is the learning rate at optimizer step t (1-based) for base rate
// base: linear warm-up, then cosine from base down to LRMinRatio·base at
// TotalSteps (HRM.md §5.3); constant after warm-up when TotalSteps is 0 or
// not beyond the warm-up. Past TotalSteps the rate stays at the floor.
func scheduleLR(h Hyper, t int, base float64) float64 {
	if t < h.WarmupSteps {
		return base * float64(t) / float64(h.WarmupSteps)
	}
	if h.TotalSteps <= h.WarmupSteps {
		return base
	}
	progress := min(float64(t-h.WarmupSteps)/float64(h.TotalSteps-h.WarmupSteps), 1)
	r := h.LRMinRatio
	return base * (r + (1-r)*0.5*(1+math.Cos(math.Pi*progress)))
}

// adam updates one tensor with decoupled weight decay, the moment updates and
// bias correction, then either AdamATan2's step (HRM.md §5.1: atan2(m, √v̂)
// in place of the ε division, no ε) or AdamW's (m / (√v̂ + 1e-8)).
func adam(theta, g, m, v []float32, lr, wd, beta1, beta2 float64, t int, atan2 bool) {
	const eps = 1e-8
	decay := float32(1 - lr*wd)
	b1, b2 := float32(beta1), float32(beta2)
	step := float32(lr / (1 - math.Pow(beta1, float64(t))))
	bc2 := float32(math.Sqrt(1 - math.Pow(beta2, float64(t))))
	g, m, v = g[:len(theta)], m[:len(theta)], v[:len(theta)]
	for i := range theta {
		gi := g[i]
		m[i] += (1 - b1) * (gi - m[i])
		v[i] += (1 - b2) * (gi*gi - v[i])
		den := float32(math.Sqrt(float64(v[i]))) / bc2
		var u float32
		if atan2 {
			u = float32(math.Atan2(float64(m[i]), float64(den)))
		} else {
			u = m[i] / (den + eps)
		}
		theta[i] = theta[i]*decay - step*u
	}
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
