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

// Backend reports the active BLAS implementation and its thread count (the
// default build: gonum's pure Go on the engine's GOMAXPROCS workers).
func Backend() (name string, threads int) {
	return "gonum", runtime.GOMAXPROCS(0)
}

const tileRows, tileCols = 64, 192

// gemmJob is one Sgemm split into tiles; tiles are numbered row-major.
type gemmJob struct {
	tA, tB        blas.Transpose
	m, n, k       int
	alpha, beta   float32
	a, b, c       []float32
	lda, ldb, ldc int
	tilesN        int
	run           func(lo, hi int)
	sp            *splitter
}

// gemmJobs hands each caller goroutine's Sgemm a preallocated job; Sgemm calls
// come from one goroutine per model, so a small free list suffices.
var gemmJobs = make(chan *gemmJob, 16)

func getJob() *gemmJob {
	select {
	case j := <-gemmJobs:
		return j
	default:
		j := &gemmJob{sp: newSplitter()}
		j.run = j.tiles
		return j
	}
}

// Sgemm computes c = alpha*op(a)*op(b) + beta*c, tiled over the worker pool.
func (tiledGonum) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	tilesM, tilesN := (m+tileRows-1)/tileRows, (n+tileCols-1)/tileCols
	if tilesM*tilesN <= 1 || k == 0 {
		gonum.Implementation{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	j := getJob()
	j.tA, j.tB, j.m, j.n, j.k, j.alpha, j.beta = tA, tB, m, n, k, alpha, beta
	j.a, j.b, j.c, j.lda, j.ldb, j.ldc, j.tilesN = a, b, c, lda, ldb, ldc, tilesN
	j.sp.run(tilesM*tilesN, j.run)
	j.a, j.b, j.c = nil, nil, nil
	select {
	case gemmJobs <- j:
	default:
	}
}

// tiles computes the output tiles [lo, hi) serially.
func (j *gemmJob) tiles(lo, hi int) {
	for t := lo; t < hi; t++ {
		i0, c0 := (t/j.tilesN)*tileRows, (t%j.tilesN)*tileCols
		mi, ni := min(tileRows, j.m-i0), min(tileCols, j.n-c0)
		aOff := i0 * j.lda
		if j.tA == blas.Trans {
			aOff = i0
		}
		bOff := c0
		if j.tB == blas.Trans {
			bOff = c0 * j.ldb
		}
		gonum.Implementation{}.Sgemm(j.tA, j.tB, mi, ni, j.k, j.alpha, j.a[aOff:], j.lda, j.b[bOff:], j.ldb,
			j.beta, j.c[i0*j.ldc+c0:], j.ldc)
	}
}
