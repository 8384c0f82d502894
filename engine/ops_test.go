package engine

import (
	"fmt"
	"math"
	"testing"
)

func TestExp32(t *testing.T) {
	var worst float64
	for x := -87.0; x <= 88; x += 0.00731 {
		want := math.Exp(float64(float32(x)))
		got := float64(exp32(float32(x)))
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 3e-7 {
		t.Errorf("exp32 max relative error %.3g", worst)
	}
	if exp32(100) != float32(math.Inf(1)) || exp32(-100) != 0 || !math.IsNaN(float64(exp32(float32(math.NaN())))) {
		t.Error("exp32 limits")
	}
}

func BenchmarkSwiGLU(b *testing.B) {
	const rows, w = 512, 512
	gu, act := randomState(rows*2*w, 1), make([]float32, rows*w)
	for b.Loop() {
		swigluRows(gu, act, w, 0, rows)
	}
	b.ReportMetric(float64(rows*w)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
}

// TestKernels compares the build's kernels (C in the openblas build: SwiGLU,
// softmax, RMSNorm, RoPE, attention, the optimizer) with the Go reference loops.
func TestKernels(t *testing.T) {
	const rows, w = 5, 37
	gu, dact := randomState(rows*2*w, 1), randomState(rows*w, 2)
	for i := range gu {
		gu[i] *= 4
	}
	a1, a2 := make([]float32, rows*w), make([]float32, rows*w)
	swigluRows(gu, a1, w, 1, rows)
	goSwigluRows(gu, a2, w, 1, rows)
	closeTo(t, "swiglu", a1, a2)
	d1, d2 := make([]float32, rows*2*w), make([]float32, rows*2*w)
	swigluRowsBack(gu, dact, d1, w, 0, rows)
	goSwigluRowsBack(gu, dact, d2, w, 0, rows)
	closeTo(t, "swiglu backward", d1, d2)
	s1, s2 := append([]float32(nil), gu...), append([]float32(nil), gu...)
	softmaxRows(s1, 2*w, 1, rows)
	goSoftmaxRows(s2, 2*w, 1, rows)
	closeTo(t, "softmax", s1, s2)
	r1, r2 := make([]float32, rows), make([]float32, rows)
	y1, y2 := make([]float32, rows*2*w), make([]float32, rows*2*w)
	rmsRows(gu, y1, r1, 2*w, 1e-5, 1, rows)
	goRmsRows(gu, y2, r2, 2*w, 1e-5, 1, rows)
	closeTo(t, "rms", y1, y2)
	closeTo(t, "rms factors", r1, r2)
	// attention and RoPE on a batch of 2 sequences of 5 rows, d 8, 2 heads
	const b, s, d, nh = 2, 5, 8, 2
	qkv := randomState(b*s*3*d, 7)
	cos, sin := randomState(s*d/nh, 8), randomState(s*d/nh, 9)
	q1, q2 := append([]float32(nil), qkv...), append([]float32(nil), qkv...)
	ropeRows(q1, cos, sin, s, d, d/nh, -1, 1, b*s)
	goRopeRows(q2, cos, sin, s, d, d/nh, -1, 1, b*s)
	closeTo(t, "rope", q1, q2)
	var p, att, dqkv [2][]float32
	datt, dp := randomState(b*s*d, 10), make([]float32, s*s)
	for i := range p {
		p[i], att[i], dqkv[i] = make([]float32, b*nh*s*s), make([]float32, b*s*d), make([]float32, b*s*3*d)
	}
	attnFwdRows(qkv, p[0], att[0], s, d, nh, 0.5, 1, b*nh)
	goAttnFwd(qkv, p[1], att[1], s, d, nh, 0.5, 1, b*nh)
	closeTo(t, "attention probabilities", p[0], p[1])
	closeTo(t, "attention", att[0], att[1])
	attnBackRows(qkv, p[0], datt, dqkv[0], dp, s, d, nh, 0.5, 1, b*nh)
	goAttnBack(qkv, p[1], datt, dqkv[1], dp, s, d, nh, 0.5, 1, b*nh)
	closeTo(t, "attention backward", dqkv[0], dqkv[1])
	// the optimizer step, both rules, with the EMA, from non-zero moments
	for _, atan2 := range []bool{true, false} {
		k := newAdamStep(3e-3, 0.1, 0.9, 0.95, 7, atan2, 0.99)
		var th, m, v, e [2][]float32
		for i := range th {
			th[i], m[i], e[i] = randomState(rows*w, 3), randomState(rows*w, 4), randomState(rows*w, 5)
			v[i] = randomState(rows*w, 6)
			for j := range v[i] {
				v[i][j] *= v[i][j]
			}
		}
		sq1 := adamRows(th[0], dact, m[0], v[0], e[0], &k)
		sq2 := goAdam(th[1], dact, m[1], v[1], e[1], &k)
		if math.Abs(sq1-sq2) > 1e-9*sq2 {
			t.Fatalf("adam atan2=%v: sum of squares %v vs %v", atan2, sq1, sq2)
		}
		for i, what := range []string{"theta", "m", "v", "ema"} {
			closeTo(t, fmt.Sprintf("adam atan2=%v %s", atan2, what), [][]float32{th[0], m[0], v[0], e[0]}[i], [][]float32{th[1], m[1], v[1], e[1]}[i])
		}
	}
}

func closeTo(t *testing.T, what string, a, b []float32) {
	t.Helper()
	for i := range a {
		if d := math.Abs(float64(a[i] - b[i])); d > 1e-6*max(1, math.Abs(float64(b[i]))) {
			t.Fatalf("%s[%d]: %v vs %v", what, i, a[i], b[i])
		}
	}
}

// fdCheck compares the gradient grad of f at x with central finite
// differences, coordinate by coordinate (float64 objective, float32 data).
func fdCheck(t *testing.T, what string, x, grad []float32, f func() float64) {
	t.Helper()
	const eps = 1e-2
	for i := range x {
		orig := x[i]
		x[i] = orig + eps
		up := f()
		x[i] = orig - eps
		down := f()
		x[i] = orig
		fd := (up - down) / (2 * eps)
		if d := math.Abs(fd - float64(grad[i])); d > 1e-2*max(math.Abs(fd), 1e-1) {
			t.Fatalf("%s: d/dx[%d] finite difference %.6g, backward %.6g", what, i, fd, grad[i])
		}
	}
}

// weighted is Σ w_i y_i in float64, the scalar objective of the layer checks.
func weighted(w, y []float32) float64 {
	var s float64
	for i := range y {
		s += float64(w[i]) * float64(y[i])
	}
	return s
}

// TestLayerGradients checks each element-wise layer's backward against finite
// differences: RMSNorm, RoPE, SwiGLU and the
// attention softmax. Linear layers, attention and embeddings are checked
// through whole segments (TestSegmentGradients).
func TestLayerGradients(t *testing.T) {
	const rows, d, s = 3, 8, 4
	t.Run("rms-rows", func(t *testing.T) {
		x, w := randomState(rows*d, 1), randomState(rows*d, 2)
		y, r := make([]float32, rows*d), make([]float32, rows)
		f := func() float64 { rmsRows(x, y, r, d, 1e-5, 0, rows); return weighted(w, y) }
		f()
		g := append([]float32(nil), w...)
		rmsRowsBack(g, y, r, d, 0, rows)
		fdCheck(t, "rms rows", x, g, f)
	})
	t.Run("rope", func(t *testing.T) {
		c := tinyConfig()
		c.SeqLen, c.PuzzleEmbLen = s-1, 1
		m := newTestModel(t, c, 1)
		dh := c.Hidden / c.Heads
		qkv, w := randomState(rows*3*c.Hidden, 5), randomState(rows*3*c.Hidden, 6)
		y := make([]float32, len(qkv))
		f := func() float64 {
			copy(y, qkv)
			ropeRows(y, m.cos, m.sin, s, c.Hidden, dh, 1, 0, rows)
			return weighted(w, y)
		}
		g := append([]float32(nil), w...)
		ropeRows(g, m.cos, m.sin, s, c.Hidden, dh, -1, 0, rows)
		for i := 2 * c.Hidden; i < len(g); i += 3 * c.Hidden { // v is not rotated
			copy(g[i:i+c.Hidden], w[i:i+c.Hidden])
		}
		fdCheck(t, "rope", qkv, g, f)
	})
	t.Run("swiglu", func(t *testing.T) {
		gu, w := randomState(rows*2*d, 7), randomState(rows*d, 8)
		act, g := make([]float32, rows*d), make([]float32, rows*2*d)
		f := func() float64 { swigluRows(gu, act, d, 0, rows); return weighted(w, act) }
		swigluRowsBack(gu, w, g, d, 0, rows)
		fdCheck(t, "swiglu", gu, g, f)
	})
	t.Run("softmax", func(t *testing.T) {
		x, w := randomState(rows*d, 9), randomState(rows*d, 10)
		p := make([]float32, rows*d)
		f := func() float64 { copy(p, x); softmaxRows(p, d, 0, rows); return weighted(w, p) }
		f()
		g := append([]float32(nil), w...)
		softmaxRowsBack(p, g, d, 0, rows)
		fdCheck(t, "softmax", x, g, f)
	})
}
