//go:build !openblas

package engine

// The default build runs the element-wise kernels in Go.

func swigluRows(gu, act []float32, w int, lo, hi int) { goSwigluRows(gu, act, w, lo, hi) }

func swigluRowsBack(gu, dact, dgu []float32, w int, lo, hi int) {
	goSwigluRowsBack(gu, dact, dgu, w, lo, hi)
}

func softmaxRows(x []float32, n int, lo, hi int) { goSoftmaxRows(x, n, lo, hi) }

func adamRows(theta, g, m, v, ema []float32, k *adamStep) float64 {
	return goAdam(theta, g, m, v, ema, k)
}

func rmsRows(x, y, r []float32, d int, eps float32, lo, hi int) { goRmsRows(x, y, r, d, eps, lo, hi) }

func ropeRows(qkv, cos, sin []float32, s, d, dh int, sign float32, lo, hi int) {
	goRopeRows(qkv, cos, sin, s, d, dh, sign, lo, hi)
}

func attnFwdRows(qkv, probs, att []float32, s, d, nh int, scale float32, lo, hi int) {
	goAttnFwd(qkv, probs, att, s, d, nh, scale, lo, hi)
}

func attnBackRows(qkv, probs, datt, dqkv, dp []float32, s, d, nh int, scale float32, lo, hi int) {
	goAttnBack(qkv, probs, datt, dqkv, dp, s, d, nh, scale, lo, hi)
}

func gridConvRows(gc *gridConv, dst, src, w []float32, r0, r1 int, back bool) {
	goGridConvRows(gc, dst, src, w, r0, r1, back)
}

func gridConvGrad(gc *gridConv, gw, g, x []float32, b, c0, c1 int) {
	goGridConvGrad(gc, gw, g, x, b, c0, c1)
}
