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
