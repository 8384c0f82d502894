package engine

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
)

// native is gonum's pure-Go BLAS, used for the many small per-(batch, head)
// products of attention that run inside the engine's own goroutines: calling
// a multithreaded BLAS from two goroutines at once would oversubscribe the
// cores, while gonum's serial kernel runs on the goroutine that calls it.
var native gonum.Implementation

// mm computes c = alpha*op(a)*op(b) + beta*c for row-major dense matrices
// through blas32 (the active backend). op(a) is m×k, op(b) is k×n, c is m×n;
// lda, ldb, ldc are the row strides.
func mm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	blas32.Gemm(trans(tA), trans(tB), alpha,
		blas32.General{Rows: ar, Cols: ac, Stride: lda, Data: a[:(ar-1)*lda+ac]},
		blas32.General{Rows: br, Cols: bc, Stride: ldb, Data: b[:(br-1)*ldb+bc]},
		beta,
		blas32.General{Rows: m, Cols: n, Stride: ldc, Data: c[:(m-1)*ldc+n]})
}

// mmSmall is mm on gonum's serial pure-Go kernel, splitting the rows of c in
// blocks of at most 64 so that gonum never spawns its own goroutines (it only
// parallelises products with at least four 64×64 output blocks).
func mmSmall(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	const rows = 64
	for i := 0; i < m; i += rows {
		mi := min(rows, m-i)
		aOff := i * lda
		if tA {
			aOff = i
		}
		native.Sgemm(trans(tA), trans(tB), mi, n, k, alpha, a[aOff:], lda, b, ldb, beta, c[i*ldc:], ldc)
	}
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}
