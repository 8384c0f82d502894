package engine

import (
	"math"
	"testing"
)

// TestAdamFirstStep checks both update rules against their closed form at
// t = 1, where m = (1−β1)g and the corrected √v̂ = |g|: AdamATan2 moves every
// weight by lr/(1−β1)·atan2((1−β1)g, |g|) = ±lr·atan(0.1)/0.1 (the reference
// corrects m outside the atan2), AdamW by lr·g/(|g|+ε) ≈ ±lr, both after the
// decoupled decay.
func TestAdamFirstStep(t *testing.T) {
	const lr, wd = 0.01, 0.5
	g := []float32{0.3, -2, 1e-3}
	for _, atan2 := range []bool{true, false} {
		theta := []float32{1, 1, -1}
		m, v := make([]float32, 3), make([]float32, 3)
		k := newAdamStep(lr, wd, 0.9, 0.95, 1, atan2, 0)
		adamRows(theta, g, m, v, nil, &k)
		for i, gi := range g {
			mag := 1.0
			if atan2 {
				mag = math.Atan(0.1) / 0.1
			}
			want := float64([]float32{1, 1, -1}[i])*(1-lr*wd) - lr*mag*math.Copysign(1, float64(gi))
			if math.Abs(float64(theta[i])-want) > 1e-5 {
				t.Errorf("atan2=%v: theta[%d] = %v, want %v", atan2, i, theta[i], want)
			}
		}
	}
}

// atan2Pos agrees with math.Atan2 to float32 rounding over the whole range
// of the update's arguments (y any sign, x ≥ 0), including the zeros.
func TestAtan2Pos(t *testing.T) {
	vals := []float32{0, 1e-30, 1e-8, 1e-3, 0.1, 0.4142, 0.4143, 0.5, 1, 2.4142, 2.4143, 3, 1e3, 1e8, 1e30}
	worst := 0.0
	for _, y := range vals {
		for _, x := range vals {
			for _, sy := range []float32{1, -1} {
				got := float64(atan2Pos(sy*y, x))
				want := math.Atan2(float64(sy*y), float64(x))
				if e := math.Abs(got - want); e > 2.5e-7*math.Max(math.Abs(want), 1e-30) && e > 1e-37 {
					t.Errorf("atan2Pos(%g, %g) = %.9g, want %.9g", sy*y, x, got, want)
				}
				if math.Abs(want) > 1e-30 { // float32 holds it
					worst = math.Max(worst, math.Abs(got-want)/math.Abs(want))
				}
			}
		}
	}
	t.Logf("worst relative error %.2g", worst)
}
