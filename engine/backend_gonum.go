//go:build !openblas

package engine

import "runtime"

// Backend reports the active BLAS implementation and its thread count. The
// default build uses gonum's pure-Go BLAS, which runs on up to GOMAXPROCS
// goroutines.
func Backend() (name string, threads int) {
	return "gonum", runtime.GOMAXPROCS(0)
}
