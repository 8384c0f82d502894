package engine

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

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

// mmSmall is mm on the backend's single-threaded kernel (serialGemm), for the
// small per-(batch, head) products of attention that run inside the worker
// pool's goroutines.
func mmSmall(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	serialGemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// sgemmFunc is a row-major Sgemm kernel.
type sgemmFunc func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// gemmJob is one Sgemm cut into tiles of c, numbered row-major, that the
// worker pool computes with a serial kernel.
type gemmJob struct {
	kernel        sgemmFunc
	tA, tB        blas.Transpose
	m, n, k       int
	alpha, beta   float32
	a, b, c       []float32
	lda, ldb, ldc int
	tm, tn        int // tile size
	tilesN        int
	run           func(lo, hi int)
	sp            *splitter
}

// gemmJobs recycles jobs (and their splitters) so that a product allocates nothing.
var gemmJobs = make(chan *gemmJob, 16)

// tiledGemm computes c = alpha*op(a)*op(b) + beta*c with kernel on tm×tn
// tiles of c spread over the worker pool. The tiling does not depend on the
// number of workers, so results do not either.
func tiledGemm(kernel sgemmFunc, tm, tn int, tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	tilesM, tilesN := (m+tm-1)/tm, (n+tn-1)/tn
	if tilesM*tilesN <= 1 || k == 0 {
		kernel(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	var j *gemmJob
	select {
	case j = <-gemmJobs:
	default:
		j = &gemmJob{sp: newSplitter()}
		j.run = j.tiles
	}
	j.kernel, j.tA, j.tB, j.m, j.n, j.k, j.alpha, j.beta = kernel, tA, tB, m, n, k, alpha, beta
	j.a, j.b, j.c, j.lda, j.ldb, j.ldc, j.tm, j.tn, j.tilesN = a, b, c, lda, ldb, ldc, tm, tn, tilesN
	j.sp.run(tilesM*tilesN, j.run)
	j.a, j.b, j.c, j.kernel = nil, nil, nil, nil
	select {
	case gemmJobs <- j:
	default:
	}
}

// tiles computes the output tiles [lo, hi).
func (j *gemmJob) tiles(lo, hi int) {
	for t := lo; t < hi; t++ {
		i0, c0 := (t/j.tilesN)*j.tm, (t%j.tilesN)*j.tn
		subGemm(j.kernel, j.tA == blas.Trans, j.tB == blas.Trans, i0, min(i0+j.tm, j.m), c0, min(c0+j.tn, j.n), j.k,
			j.alpha, j.a, j.lda, j.b, j.ldb, j.beta, j.c, j.ldc)
	}
}

// subGemm computes rows [i0, i1) and columns [j0, j1) of c = alpha*op(a)*op(b)
// + beta*c with kernel.
func subGemm(kernel sgemmFunc, tA, tB bool, i0, i1, j0, j1, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if i1 <= i0 || j1 <= j0 {
		return
	}
	aOff, bOff := i0*lda, j0
	if tA {
		aOff = i0
	}
	if tB {
		bOff = j0 * ldb
	}
	kernel(trans(tA), trans(tB), i1-i0, j1-j0, k, alpha, a[aOff:], lda, b[bOff:], ldb, beta, c[i0*ldc+j0:], ldc)
}

// product is one c += op(a)·op(b) of a group that mmSum runs together.
type product struct {
	tA, tB  bool
	m, n, k int
	a       []float32
	lda     int
	b       []float32
	ldb     int
	c       []float32
	ldc     int
}

// mmSum computes c += op(a)·op(b) for every product of w.prods in one pass
// over the pool (the weight gradients of a block: sums over every row of the
// batch, some with too few output rows to split by rows). Each product is cut
// into one piece per worker, by rows or, where it has fewer rows than
// columns, by columns; worker p computes piece p of every product, so the
// shares are even whatever the products' sizes.
func (w *workspace) mmSum() {
	w.sp.run(poolSize, w.fnProducts)
}

func (w *workspace) products(lo, hi int) {
	for piece := lo; piece < hi; piece++ {
		for i := range w.prods {
			p := &w.prods[i]
			i0, i1, j0, j1 := 0, p.m, 0, p.n
			if p.m >= p.n {
				i0, i1 = piece*p.m/poolSize, (piece+1)*p.m/poolSize
			} else {
				j0, j1 = piece*p.n/poolSize, (piece+1)*p.n/poolSize
			}
			subGemm(serialGemm, p.tA, p.tB, i0, i1, j0, j1, p.k, 1, p.a, p.lda, p.b, p.ldb, 1, p.c, p.ldc)
		}
	}
}
