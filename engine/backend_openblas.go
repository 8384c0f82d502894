//go:build openblas

package engine

// The openblas build plugs OpenBLAS into gonum's blas32 interface through a
// small cgo shim instead of gonum.org/v1/netlib: netlib's only published
// version (2019) predates gonum v0.17's blas.Float32 interface and does not
// build against it. The shim embeds gonum's implementation (so every routine
// exists) and overrides the dense products the engine uses, Sgemm and Sgemv,
// with cblas_sgemm and cblas_sgemv on row-major data.
//
// OpenBLAS runs single-threaded: a product is split into row blocks that the
// engine's worker pool (GOMAXPROCS goroutines) computes concurrently. OpenBLAS's
// own threads busy-wait between calls and would compete with the pool's
// element-wise and attention work for the same cores.

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
char *openblas_get_corename(void);
char *openblas_get_config(void);
*/
import "C"

import (
	"strings"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
)

type openBLAS struct {
	gonum.Implementation
}

func init() {
	C.openblas_set_num_threads(1)
	blas32.Use(openBLAS{})
}

func cTrans(t blas.Transpose) C.enum_CBLAS_TRANSPOSE {
	if t == blas.NoTrans {
		return C.CblasNoTrans
	}
	return C.CblasTrans
}

// Sgemm computes c = alpha*op(a)*op(b) + beta*c with OpenBLAS, in row blocks
// of at least 64 rows over the worker pool.
func (openBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	poolOnce.Do(startPool)
	tm := max(64, (m+poolSize-1)/poolSize)
	tiledGemm(sgemm, tm, n, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// serialGemm is the single-threaded kernel of the pool's small products.
var serialGemm sgemmFunc = sgemm

// sgemm is one single-threaded cblas_sgemm call.
func sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		gonum.Implementation{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	C.cblas_sgemm(C.CblasRowMajor, cTrans(tA), cTrans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), (*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb), C.float(beta),
		(*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}

// Sgemv computes y = alpha*op(a)*x + beta*y with OpenBLAS.
func (openBLAS) Sgemv(tA blas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	if m == 0 || n == 0 {
		return
	}
	C.cblas_sgemv(C.CblasRowMajor, cTrans(tA), C.blasint(m), C.blasint(n), C.float(alpha),
		(*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda), (*C.float)(unsafe.Pointer(&x[0])), C.blasint(incX),
		C.float(beta), (*C.float)(unsafe.Pointer(&y[0])), C.blasint(incY))
}

// backend reports the active BLAS implementation and its thread count: the
// pool's workers, each running single-threaded OpenBLAS
// (openblas_get_num_threads reports 1 per call).
func backend() (name string, threads int) {
	poolOnce.Do(startPool)
	return "openblas", poolSize * int(C.openblas_get_num_threads())
}

// openblasCore is the name of the kernels OpenBLAS chose when it loaded.
func openblasCore() string {
	return strings.TrimSpace(C.GoString(C.openblas_get_corename()))
}

// openblasDynamic says whether this OpenBLAS chooses its kernels at load time
// (DYNAMIC_ARCH), the only kind that OPENBLAS_CORETYPE steers.
func openblasDynamic() bool {
	return strings.Contains(C.GoString(C.openblas_get_config()), "DYNAMIC_ARCH")
}
