package engine

import (
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

// TestKernels compares the build's SwiGLU and softmax kernels (C in the
// openblas build) with the Go reference loops.
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
}

func closeTo(t *testing.T, what string, a, b []float32) {
	t.Helper()
	for i := range a {
		if d := math.Abs(float64(a[i] - b[i])); d > 1e-6*max(1, math.Abs(float64(b[i]))) {
			t.Fatalf("%s[%d]: %v vs %v", what, i, a[i], b[i])
		}
	}
}
