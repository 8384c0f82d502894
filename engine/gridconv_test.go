package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGridConv checks the local convolution against a direct k×k sum over
// the grid (zero outside it, the prefix positions untouched), its backward
// mode as the transpose (⟨conv x, g⟩ = ⟨x, convᵀ g⟩) and the kernel
// gradient as Σ g·x, for kernels narrower and wider than the grid, and the
// build's kernels against the Go loops.
func TestGridConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		return x
	}
	for _, c := range []struct{ p, side, k int }{{1, 5, 3}, {0, 4, 3}, {2, 3, 5}, {1, 6, 5}} {
		const d, b = 3, 2
		s, kk, h := c.p+c.side*c.side, c.k*c.k, c.k/2
		rows := b * d
		x, g, w := fill(rows*s), fill(rows*s), fill(d*kk)
		gc := newGridConv(c.p, c.side, c.k, d)
		got := make([]float32, rows*s)
		gridConvRows(gc, got, x, w, 0, rows, false)
		for r := range rows {
			for pos := range s {
				var want float64
				if y, xx := (pos-c.p)/c.side, (pos-c.p)%c.side; pos >= c.p {
					for ty := range c.k {
						for tx := range c.k {
							sy, sx := y+ty-h, xx+tx-h
							if sy >= 0 && sy < c.side && sx >= 0 && sx < c.side {
								want += float64(w[(r%d)*kk+ty*c.k+tx]) * float64(x[r*s+c.p+sy*c.side+sx])
							}
						}
					}
				}
				if diff := float64(got[r*s+pos]) - want; diff > 1e-4 || diff < -1e-4 {
					t.Fatalf("p %d side %d k %d: row %d position %d: %v, want %v", c.p, c.side, c.k, r, pos, got[r*s+pos], want)
				}
			}
		}
		back := make([]float32, rows*s)
		gridConvRows(gc, back, g, w, 0, rows, true)
		// The Go loops and the C kernels of the openblas build agree.
		goOut, goBack := make([]float32, rows*s), make([]float32, rows*s)
		goGridConvRows(gc, goOut, x, w, 0, rows, false)
		goGridConvRows(gc, goBack, g, w, 0, rows, true)
		closeTo(t, "grid convolution", got, goOut)
		closeTo(t, "grid convolution backward", back, goBack)
		var lhs, rhs float64
		for i := range got {
			lhs += float64(got[i]) * float64(g[i])
			rhs += float64(x[i]) * float64(back[i])
		}
		if diff := lhs - rhs; diff > 1e-3 || diff < -1e-3 {
			t.Errorf("p %d side %d k %d: <conv x, g> %v, <x, conv^T g> %v", c.p, c.side, c.k, lhs, rhs)
		}
		// ⟨conv_w x, g⟩ is linear in w: its gradient is gridConvGrad's, so each kernel entry's
		// unit vector must give back that entry.
		gw := make([]float32, d*kk)
		gridConvGrad(gc, gw, g, x, b, 0, d)
		goGW := make([]float32, d*kk)
		goGridConvGrad(gc, goGW, g, x, b, 0, d)
		for i := range gw { // sums of about a hundred products, added up in another order by SIMD
			if diff := math.Abs(float64(gw[i] - goGW[i])); diff > 1e-5*max(1, math.Abs(float64(goGW[i]))) {
				t.Errorf("grid convolution kernel gradient %d: %v, the Go loops %v", i, gw[i], goGW[i])
			}
		}
		for i := range w {
			e := make([]float32, d*kk)
			e[i] = 1
			out := make([]float32, rows*s)
			gridConvRows(gc, out, x, e, 0, rows, false)
			var want float64
			for j := range out {
				want += float64(out[j]) * float64(g[j])
			}
			if diff := float64(gw[i]) - want; diff > 1e-3 || diff < -1e-3 {
				t.Errorf("p %d side %d k %d: kernel gradient %d: %v, want %v", c.p, c.side, c.k, i, gw[i], want)
			}
		}
	}
}
