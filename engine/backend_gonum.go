//go:build !openblas

package engine

import (
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
)

// tiledGonum is gonum's pure-Go BLAS with Sgemm parallelised over the
// engine's worker pool: the output is cut into tiles small enough for gonum to
// run each serially (it only spawns goroutines, and allocates, for products
// of four or more 64×64 blocks). The tiling is fixed, so results do not
// depend on the number of workers.
type tiledGonum struct {
	gonum.Implementation
}

func init() {
	blas32.Use(tiledGonum{})
}

// backend reports the active BLAS implementation and its thread count (the
// default build: gonum's pure Go on the engine's GOMAXPROCS workers).
func backend() (name string, threads int) {
	return "gonum", runtime.GOMAXPROCS(0)
}

// serialGemm is the single-threaded kernel of the pool's small products.
var serialGemm sgemmFunc = gonumSerial

// gonumSgemm is gonum's Sgemm as a func value made once (a method value made
// at each call would be allocated).
var gonumSgemm sgemmFunc = gonum.Implementation{}.Sgemm

// Sgemm computes c = alpha*op(a)*op(b) + beta*c, tiled over the worker pool
// in 64×192 tiles.
func (tiledGonum) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	tiledGemm(gonumSgemm, 64, 192, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gonumSerial is gonum's pure-Go Sgemm restricted to its serial path: the rows
// of c go in blocks of 64 and the columns in blocks of 192, so gonum never
// spawns goroutines of its own (it parallelises products of four or more
// 64×64 output blocks).
func gonumSerial(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	const rows, cols = 64, 192
	for i := 0; i < m; i += rows {
		for j := 0; j < n; j += cols {
			aOff, bOff := i*lda, j
			if tA == blas.Trans {
				aOff = i
			}
			if tB == blas.Trans {
				bOff = j * ldb
			}
			gonum.Implementation{}.Sgemm(tA, tB, min(rows, m-i), min(cols, n-j), k, alpha, a[aOff:], lda,
				b[bOff:], ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}

// openblasCore is empty: the pure-Go build has no OpenBLAS kernels to choose.
func openblasCore() string { return "" }

func openblasDynamic() bool { return false }
