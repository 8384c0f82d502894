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
		adam(theta, g, m, v, lr, wd, 0.9, 0.95, 1, atan2)
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
