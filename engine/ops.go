package engine

import "math"

// Element-wise kernels on row-major float32 data. Each works on a row range
// [lo, hi) so that it can be split over the pool.

// goRmsRows normalises rows of width d: y = x / sqrt(mean(x²) + eps), storing
// the factor 1/sqrt(...) per row in r. x and y may alias.
func goRmsRows(x, y, r []float32, d int, eps float32, lo, hi int) {
	for i := lo; i < hi; i++ {
		xr := x[i*d : (i+1)*d]
		var s float32
		for _, v := range xr {
			s += v * v
		}
		f := float32(1 / math.Sqrt(float64(s/float32(d)+eps)))
		r[i] = f
		yr := y[i*d : (i+1)*d]
		for j, v := range xr {
			yr[j] = v * f
		}
	}
}

// rmsRowsBack turns dy into dx in place: dx = r·(dy − y·(Σ dy·y)/d).
func rmsRowsBack(dy, y, r []float32, d int, lo, hi int) {
	for i := lo; i < hi; i++ {
		g := dy[i*d : (i+1)*d]
		yr := y[i*d : (i+1)*d]
		var s float32
		for j, v := range g {
			s += v * yr[j]
		}
		s /= float32(d)
		f := r[i]
		for j, v := range g {
			g[j] = f * (v - yr[j]*s)
		}
	}
}

func sigmoid32(x float32) float32 { return 1 / (1 + exp32(-x)) }

// exp32 is e^x in float32 (Cephes expf: range reduction by ln 2 and a degree-6
// polynomial), relative error about 1e-7, several times faster than math.Exp.
// Results below the smallest normal float32 are flushed to 0; NaN stays NaN.
func exp32(x float32) float32 {
	const magic = 12582912 // 1.5·2^23: adding it rounds a float32 to an integer
	if x > 88.37626 {
		return float32(math.Inf(1))
	}
	if x < -87.33654 {
		return 0
	}
	t := x*1.442695040888963 + magic
	n := t - magic
	r := x - n*0.693359375 + n*2.12194440e-4
	p := ((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r + 5.0000001201e-1
	y := p*r*r + r + 1
	return y * math.Float32frombits((math.Float32bits(t)-(math.Float32bits(magic)-127))<<23)
}

// goSwigluRows computes act = silu(gate)⊙up for rows whose gate_up row holds
// the gate in its first w values and the up projection in the next w.
func goSwigluRows(gu, act []float32, w int, lo, hi int) {
	for i := lo; i < hi; i++ {
		g := gu[i*2*w : i*2*w+w]
		u := gu[i*2*w+w : (i+1)*2*w]
		a := act[i*w : (i+1)*w]
		for j, gv := range g {
			a[j] = gv * sigmoid32(gv) * u[j]
		}
	}
}

// goSwigluRowsBack writes d(gate_up) from d(act) into dgu.
func goSwigluRowsBack(gu, dact, dgu []float32, w int, lo, hi int) {
	for i := lo; i < hi; i++ {
		g := gu[i*2*w : i*2*w+w]
		u := gu[i*2*w+w : (i+1)*2*w]
		da := dact[i*w : (i+1)*w]
		dg := dgu[i*2*w : i*2*w+w]
		du := dgu[i*2*w+w : (i+1)*2*w]
		for j, gv := range g {
			sg := sigmoid32(gv)
			du[j] = da[j] * gv * sg
			dg[j] = da[j] * u[j] * sg * (1 + gv*(1-sg))
		}
	}
}

// goRopeRows rotates the query and key heads (the first 2*heads head-sized
// chunks of each qkv row of width 3*d) in the half-split layout; the row's
// position is row mod s. sign −1 applies the inverse rotation (the backward).
func goRopeRows(qkv, cos, sin []float32, s, d, dh int, sign float32, lo, hi int) {
	half := dh / 2
	for i := lo; i < hi; i++ {
		p := i % s
		c, sn := cos[p*dh:(p+1)*dh], sin[p*dh:(p+1)*dh]
		row := qkv[i*3*d : i*3*d+2*d]
		for h := 0; h < 2*d; h += dh {
			v := row[h : h+dh]
			for j := range half {
				a, b := v[j], v[j+half]
				v[j] = a*c[j] - sign*b*sn[j]
				v[j+half] = b*c[j+half] + sign*a*sn[j+half]
			}
		}
	}
}

// goSoftmaxRows replaces each row of width n by its softmax.
func goSoftmaxRows(x []float32, n int, lo, hi int) {
	for i := lo; i < hi; i++ {
		row := x[i*n : (i+1)*n]
		m := row[0]
		for _, v := range row {
			m = max(m, v)
		}
		var s float32
		for j, v := range row {
			e := exp32(v - m)
			row[j] = e
			s += e
		}
		inv := 1 / s
		for j := range row {
			row[j] *= inv
		}
	}
}

// add sets dst[i] += src[i].
func add(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

// softmaxRowsBack turns dp, the gradient of softmax outputs p (rows of width
// n), into the gradient of the inputs in place: p⊙(dp − Σ dp⊙p).
func softmaxRowsBack(p, dp []float32, n int, lo, hi int) {
	for i := lo; i < hi; i++ {
		pr, gr := p[i*n:(i+1)*n], dp[i*n:(i+1)*n]
		var dot float32
		for j, pv := range pr {
			dot += pv * gr[j]
		}
		for j, pv := range pr {
			gr[j] = pv * (gr[j] - dot)
		}
	}
}

// goAttnFwd runs scaled dot-product attention for the (batch, head) pairs
// [lo, hi) of a batch whose rows hold q, k and v (width 3d, sequences of s
// rows, nh heads): probs (B×H×S×S) gets the attention probabilities and att
// (BS×d) the heads' outputs side by side.
func goAttnFwd(qkv, probs, att []float32, s, d, nh int, scale float32, lo, hi int) {
	dh := d / nh
	for bh := lo; bh < hi; bh++ {
		b, h := bh/nh, bh%nh
		base := b*s*3*d + h*dh
		q, k, v := qkv[base:], qkv[base+d:], qkv[base+2*d:]
		p := probs[bh*s*s : (bh+1)*s*s]
		mmSmall(false, true, s, s, dh, scale, q, 3*d, k, 3*d, 0, p, s)
		goSoftmaxRows(p, s, 0, s)
		mmSmall(false, false, s, dh, s, 1, p, s, v, 3*d, 0, att[b*s*d+h*dh:], d)
	}
}

// goAttnBack writes the gradients of q, k (before the RoPE backward) and v
// into dqkv for the pairs [lo, hi), from the output gradient datt; dp (S×S)
// is scratch.
func goAttnBack(qkv, probs, datt, dqkv, dp []float32, s, d, nh int, scale float32, lo, hi int) {
	dh := d / nh
	for bh := lo; bh < hi; bh++ {
		b, h := bh/nh, bh%nh
		base := b*s*3*d + h*dh
		q, k, v := qkv[base:], qkv[base+d:], qkv[base+2*d:]
		dq, dk, dv := dqkv[base:], dqkv[base+d:], dqkv[base+2*d:]
		p := probs[bh*s*s : (bh+1)*s*s]
		do := datt[b*s*d+h*dh:]
		mmSmall(true, false, s, dh, s, 1, p, s, do, d, 0, dv, 3*d)
		mmSmall(false, true, s, s, dh, 1, do, d, v, 3*d, 0, dp, s)
		softmaxRowsBack(p, dp, s, 0, s)
		mmSmall(false, false, s, dh, s, scale, dp, s, k, 3*d, 0, dq, 3*d)
		mmSmall(true, false, s, dh, s, scale, dp, s, q, 3*d, 0, dk, 3*d)
	}
}
