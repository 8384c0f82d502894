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
