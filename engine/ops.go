package engine

import "math"

// Element-wise kernels on row-major float32 data. Each works on a row range
// [lo, hi) so that it can be split over the pool.

// rmsRows normalises rows of width d: y = x / sqrt(mean(x²) + eps), storing
// the factor 1/sqrt(...) per row in r. x and y may alias.
func rmsRows(x, y, r []float32, d int, eps float32, lo, hi int) {
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

// ropeRows rotates the query and key heads (the first 2*heads head-sized
// chunks of each qkv row of width 3*d) in the half-split layout; the row's
// position is row mod s. sign −1 applies the inverse rotation (the backward).
func ropeRows(qkv, cos, sin []float32, s, d, dh int, sign float32, lo, hi int) {
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
