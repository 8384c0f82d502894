//go:build openblas

package engine

// The openblas build already goes through cgo, so its hottest element-wise
// kernels are C loops: the SiLU gates and softmax rows (one exp per value)
// in AVX2 intrinsics where the CPU has them, the others vectorised by the
// compiler, GCC's target_clones picking an AVX2 or AVX-512 copy at load time
// and falling back to SSE2. They compute the same Cephes exp as exp32, so
// both builds agree to float32 rounding.

/*
#cgo CFLAGS: -O3 -fopenmp-simd
#cgo LDFLAGS: -lm
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cblas.h>
#include <immintrin.h>

// Without this, GCC keeps comparisons as branches (one may raise a
// floating-point exception flag) and vectorises loops with them only in the
// AVX-512 copy, which masks them. Nothing here reads the flags, and the
// values are the same.
#pragma GCC optimize("no-trapping-math")

// GCC 12 can dispatch on the x86-64-v3 level (AVX2 with FMA, every Haswell or
// Zen); a plain "avx2" copy has no FMA, and the exp loops run 1.6 times slower.
#if defined(__clang__) || __GNUC__ < 12
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES __attribute__((target_clones("avx512f", "arch=x86-64-v3", "default")))
#endif

static inline float hrm_exp(float x) {
	x = x > 88.37626f ? 88.37626f : x;
	x = x < -87.33654f ? -87.33654f : x;
	float n = (x * 1.442695040888963f + 12582912.0f) - 12582912.0f; // round to nearest
	float r = x - n * 0.693359375f + n * 2.12194440e-4f;
	float p = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r +
		4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f;
	float y = p * r * r + r + 1.0f;
	int32_t e = ((int32_t)n + 127) << 23;
	float s;
	memcpy(&s, &e, 4);
	return y * s;
}

// The SiLU and softmax loops, written with AVX2 and FMA intrinsics: left to
// the vectoriser, GCC turns hrm_exp's clamps into blends and, for the SiLU,
// a second division for the clamped case, and the x86-64-v3 copy ran 2.3 ns
// per value on a Zen 3 core; this runs 0.74 ns with the same polynomial and
// agrees with the Go loops to float32 rounding (TestKernels). Every
// x86-64-v3 CPU (Haswell, Zen and later, the AVX-512 ones too) takes it;
// older CPUs run the plain loops below.
#define V3 __attribute__((target("avx2,fma")))

V3 static inline __m256 hrm_exp8(__m256 x) {
	x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.33654f)), _mm256_set1_ps(88.37626f));
	__m256 big = _mm256_set1_ps(12582912.0f);
	__m256 n = _mm256_sub_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.442695040888963f), big), big);
	__m256 r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x));
	__m256 p = _mm256_fmadd_ps(_mm256_set1_ps(1.9875691500e-4f), r, _mm256_set1_ps(1.3981999507e-3f));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
	__m256 y = _mm256_add_ps(_mm256_fmadd_ps(_mm256_mul_ps(p, r), r, r), _mm256_set1_ps(1.0f));
	__m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23);
	return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

// 1/(1 + exp(-g)) for eight values.
V3 static inline __m256 hrm_sigmoid8(__m256 g) {
	__m256 one = _mm256_set1_ps(1.0f);
	return _mm256_div_ps(one, _mm256_add_ps(one, hrm_exp8(_mm256_sub_ps(_mm256_setzero_ps(), g))));
}

static int hrm_v3;

__attribute__((constructor)) static void hrm_detect(void) {
	__builtin_cpu_init();
	hrm_v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// act = silu(g)⊙u for columns [j0, w) of one row, as the vector loop and
// goSwigluRows compute it (g·sigmoid(g)·u).
static void hrm_swiglu_tail(const float *g, const float *u, float *a, long j0, long w) {
	#pragma omp simd
	for (long j = j0; j < w; j++) {
		a[j] = g[j] * (1.0f / (1.0f + hrm_exp(-g[j]))) * u[j];
	}
}

V3 static void hrm_swiglu_v3(const float *gu, float *act, long lo, long hi, long w) {
	long w8 = w & ~7L;
	for (long i = lo; i < hi; i++) {
		const float *g = gu + i * 2 * w, *u = g + w;
		float *a = act + i * w;
		for (long j = 0; j < w8; j += 8) {
			__m256 gv = _mm256_loadu_ps(g + j);
			_mm256_storeu_ps(a + j, _mm256_mul_ps(_mm256_mul_ps(gv, hrm_sigmoid8(gv)), _mm256_loadu_ps(u + j)));
		}
		hrm_swiglu_tail(g, u, a, w8, w);
	}
}

void hrm_swiglu(const float *gu, float *act, long lo, long hi, long w) {
	if (hrm_v3) {
		hrm_swiglu_v3(gu, act, lo, hi, w);
		return;
	}
	for (long i = lo; i < hi; i++) {
		const float *g = gu + i * 2 * w;
		hrm_swiglu_tail(g, g + w, act + i * w, 0, w);
	}
}

// d(gate) and d(up) from d(act) for columns [j0, w) of one row.
static void hrm_swiglu_back_tail(const float *g, const float *u, const float *da, float *dg, float *du, long j0, long w) {
	#pragma omp simd
	for (long j = j0; j < w; j++) {
		float sg = 1.0f / (1.0f + hrm_exp(-g[j]));
		du[j] = da[j] * g[j] * sg;
		dg[j] = da[j] * u[j] * sg * (1.0f + g[j] * (1.0f - sg));
	}
}

V3 static void hrm_swiglu_back_v3(const float *gu, const float *dact, float *dgu, long lo, long hi, long w) {
	long w8 = w & ~7L;
	__m256 one = _mm256_set1_ps(1.0f);
	for (long i = lo; i < hi; i++) {
		const float *g = gu + i * 2 * w, *u = g + w, *da = dact + i * w;
		float *dg = dgu + i * 2 * w, *du = dg + w;
		for (long j = 0; j < w8; j += 8) {
			__m256 gv = _mm256_loadu_ps(g + j), dv = _mm256_loadu_ps(da + j), sg = hrm_sigmoid8(gv);
			_mm256_storeu_ps(du + j, _mm256_mul_ps(_mm256_mul_ps(dv, gv), sg));
			__m256 f = _mm256_fmadd_ps(gv, _mm256_sub_ps(one, sg), one);
			_mm256_storeu_ps(dg + j, _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(dv, _mm256_loadu_ps(u + j)), sg), f));
		}
		hrm_swiglu_back_tail(g, u, da, dg, du, w8, w);
	}
}

void hrm_swiglu_back(const float *gu, const float *dact, float *dgu, long lo, long hi, long w) {
	if (hrm_v3) {
		hrm_swiglu_back_v3(gu, dact, dgu, lo, hi, w);
		return;
	}
	for (long i = lo; i < hi; i++) {
		const float *g = gu + i * 2 * w;
		float *dg = dgu + i * 2 * w;
		hrm_swiglu_back_tail(g, g + w, dact + i * w, dg, dg + w, 0, w);
	}
}

// row[j] = exp(row[j] - m) for j in [j0, n); returns their sum.
static float hrm_exp_tail(float *row, float m, long j0, long n) {
	float s = 0;
	#pragma omp simd reduction(+:s)
	for (long j = j0; j < n; j++) {
		row[j] = hrm_exp(row[j] - m);
		s += row[j];
	}
	return s;
}

V3 static float hrm_exp_row_v3(float *row, float m, long n) {
	long n8 = n & ~7L;
	__m256 mv = _mm256_set1_ps(m), sv = _mm256_setzero_ps();
	for (long j = 0; j < n8; j += 8) {
		__m256 e = hrm_exp8(_mm256_sub_ps(_mm256_loadu_ps(row + j), mv));
		_mm256_storeu_ps(row + j, e);
		sv = _mm256_add_ps(sv, e);
	}
	float lanes[8];
	_mm256_storeu_ps(lanes, sv);
	float s = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
	return s + hrm_exp_tail(row, m, n8, n);
}

void hrm_softmax(float *x, long rows, long n) {
	for (long i = 0; i < rows; i++) {
		float *row = x + i * n;
		float m = row[0];
		for (long j = 1; j < n; j++) {
			m = row[j] > m ? row[j] : m;
		}
		float s = hrm_v3 ? hrm_exp_row_v3(row, m, n) : hrm_exp_tail(row, m, 0, n);
		float inv = 1.0f / s;
		#pragma omp simd
		for (long j = 0; j < n; j++) {
			row[j] *= inv;
		}
	}
}
// RMSNorm of rows [lo, hi) of width d (goRmsRows); x and y may alias.
CLONES void hrm_rms(const float *x, float *y, float *r, long d, float eps, long lo, long hi) {
	for (long i = lo; i < hi; i++) {
		const float *xr = x + i * d;
		float *yr = y + i * d;
		float s = 0;
		#pragma omp simd reduction(+:s)
		for (long j = 0; j < d; j++) {
			s += xr[j] * xr[j];
		}
		float f = 1.0f / sqrtf(s / (float)d + eps);
		r[i] = f;
		#pragma omp simd
		for (long j = 0; j < d; j++) {
			yr[j] = xr[j] * f;
		}
	}
}

// The token mixer's local convolution for the rows [r0, r1) (goGridConvRows);
// runs holds four longs a run: the kernel tap, the output's and the input's
// first position, the length. back runs the transpose.
CLONES void hrm_grid_conv(float *dst, const float *src, const float *w, const long *runs, long nruns,
		long s, long d, long kk, long r0, long r1, int back) {
	for (long r = r0; r < r1; r++) {
		float *dr = dst + r * s;
		const float *sr = src + r * s, *wr = w + (r % d) * kk;
		for (long u = 0; u < nruns; u++) {
			const long *ru = runs + 4 * u;
			float wt = wr[ru[0]];
			float *out = dr + (back ? ru[2] : ru[1]);
			const float *in = sr + (back ? ru[1] : ru[2]);
			long n = ru[3];
			#pragma omp simd
			for (long j = 0; j < n; j++) {
				out[j] += wt * in[j];
			}
		}
	}
}

// The local convolution's kernel gradient for the channels [c0, c1) over b
// sequences (goGridConvGrad).
CLONES void hrm_grid_conv_grad(float *gw, const float *g, const float *x, const long *runs, long nruns,
		long s, long d, long kk, long b, long c0, long c1) {
	for (long c = c0; c < c1; c++) {
		float *gwc = gw + c * kk;
		for (long q = 0; q < b; q++) {
			const float *gr = g + (q * d + c) * s, *xr = x + (q * d + c) * s;
			for (long u = 0; u < nruns; u++) {
				const long *ru = runs + 4 * u;
				const float *go = gr + ru[1], *xi = xr + ru[2];
				long n = ru[3];
				float acc = 0;
				#pragma omp simd reduction(+:acc)
				for (long j = 0; j < n; j++) {
					acc += go[j] * xi[j];
				}
				gwc[ru[0]] += acc;
			}
		}
	}
}

// Half-split rotary embedding of the q and k heads of rows [lo, hi) (goRopeRows).
CLONES void hrm_rope(float *qkv, const float *cs, const float *sn, long s, long d, long dh, float sign,
		long lo, long hi) {
	long half = dh / 2;
	for (long i = lo; i < hi; i++) {
		long p = i % s;
		const float *c = cs + p * dh, *n = sn + p * dh;
		float *row = qkv + i * 3 * d;
		for (long h = 0; h < 2 * d; h += dh) {
			float *v = row + h;
			#pragma omp simd
			for (long j = 0; j < half; j++) {
				float a = v[j], b = v[j + half];
				v[j] = a * c[j] - sign * b * n[j];
				v[j + half] = b * c[j + half] + sign * a * n[j + half];
			}
		}
	}
}

// Attention of the (batch, head) pairs [lo, hi) (goAttnFwd), the products on
// single-threaded OpenBLAS: one cgo call for the range instead of three per pair.
void hrm_attn_fwd(const float *qkv, float *probs, float *att, long s, long d, long nh, float scale,
		long lo, long hi) {
	long dh = d / nh;
	for (long bh = lo; bh < hi; bh++) {
		long b = bh / nh, h = bh % nh;
		const float *q = qkv + b * s * 3 * d + h * dh;
		float *p = probs + bh * s * s;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s, s, dh, scale, q, 3 * d, q + d, 3 * d, 0.0f, p, s);
		hrm_softmax(p, s, s);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s, dh, s, 1.0f, p, s, q + 2 * d, 3 * d, 0.0f,
			att + b * s * d + h * dh, d);
	}
}

// The attention backward of the pairs [lo, hi) (goAttnBack); dp is S×S scratch.
void hrm_attn_back(const float *qkv, const float *probs, const float *datt, float *dqkv, float *dp,
		long s, long d, long nh, float scale, long lo, long hi) {
	long dh = d / nh;
	for (long bh = lo; bh < hi; bh++) {
		long b = bh / nh, h = bh % nh, base = b * s * 3 * d + h * dh;
		const float *q = qkv + base, *k = q + d, *v = q + 2 * d;
		float *dq = dqkv + base, *dk = dq + d, *dv = dq + 2 * d;
		const float *p = probs + bh * s * s, *o = datt + b * s * d + h * dh;
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, s, dh, s, 1.0f, p, s, o, d, 0.0f, dv, 3 * d);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s, s, dh, 1.0f, o, d, v, 3 * d, 0.0f, dp, s);
		for (long i = 0; i < s; i++) { // softmax backward: p*(dp - sum(dp*p))
			const float *pr = p + i * s;
			float *gr = dp + i * s, dot = 0;
			for (long j = 0; j < s; j++) {
				dot += pr[j] * gr[j];
			}
			for (long j = 0; j < s; j++) {
				gr[j] = pr[j] * (gr[j] - dot);
			}
		}
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s, dh, s, scale, dp, s, k, 3 * d, 0.0f, dq, 3 * d);
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, s, dh, s, scale, dp, s, q, 3 * d, 0.0f, dk, 3 * d);
	}
}

// One optimizer step on n weights (goAdam in optim.go, the same arithmetic);
// returns the sum of squared gradients. sqrtf's errno path keeps GCC from
// vectorising the loop (cgo refuses -fno-math-errno), but compiled C still
// runs it twice as fast as Go, near the memory bandwidth of its six arrays.
CLONES double hrm_adam(float *theta, const float *g, float *m, float *v, float *ema, long n,
		float decay, float b1, float b2, float step, float inv_bc2, int use_atan2, float ema_rate) {
	double sq = 0;
	#pragma omp simd reduction(+:sq)
	for (long i = 0; i < n; i++) {
		float gi = g[i];
		sq += (double)gi * (double)gi;
		float mi = m[i] + (1.0f - b1) * (gi - m[i]);
		float vi = v[i] + (1.0f - b2) * (gi * gi - v[i]);
		m[i] = mi;
		v[i] = vi;
		float den = sqrtf(vi) * inv_bc2;
		float u;
		if (use_atan2) {
			// atan2Pos: Cephes atanf after reduction to |t| <= tan(pi/8)
			float ay = fabsf(mi);
			int big = ay > 2.414213562373095f * den, mid = ay > 0.4142135623730950f * den;
			float num = big ? -den : (mid ? ay - den : ay);
			float dd = big ? ay : (mid ? ay + den : den);
			float base = big ? 1.5707963267948966f : (mid ? 0.7853981633974483f : 0.0f);
			float t = dd == 0.0f ? 0.0f : num / (dd == 0.0f ? 1.0f : dd);
			float z = t * t;
			float r = (((8.05374449538e-2f * z - 1.38776856032e-1f) * z + 1.99777106478e-1f) * z -
				3.33329491539e-1f) * z * t + t + base;
			u = mi < 0.0f ? -r : r;
		} else {
			u = mi / (den + 1e-8f);
		}
		theta[i] = theta[i] * decay - step * u;
	}
	if (ema_rate > 0.0f) {
		#pragma omp simd
		for (long i = 0; i < n; i++) {
			ema[i] = ema_rate * ema[i] + (1.0f - ema_rate) * theta[i];
		}
	}
	return sq;
}
*/
import "C"

import "unsafe"

func fptr(x []float32) *C.float { return (*C.float)(unsafe.Pointer(unsafe.SliceData(x))) }

// swigluRows computes act = silu(gate)⊙up for rows [lo, hi) (see goSwigluRows).
func swigluRows(gu, act []float32, w int, lo, hi int) {
	if hi > lo {
		C.hrm_swiglu(fptr(gu), fptr(act), C.long(lo), C.long(hi), C.long(w))
	}
}

// swigluRowsBack writes d(gate_up) from d(act) into dgu (see goSwigluRowsBack).
func swigluRowsBack(gu, dact, dgu []float32, w int, lo, hi int) {
	if hi > lo {
		C.hrm_swiglu_back(fptr(gu), fptr(dact), fptr(dgu), C.long(lo), C.long(hi), C.long(w))
	}
}

// softmaxRows replaces each row of width n in [lo, hi) by its softmax (see goSoftmaxRows).
func softmaxRows(x []float32, n int, lo, hi int) {
	if hi > lo {
		C.hrm_softmax(fptr(x[lo*n:]), C.long(hi-lo), C.long(n))
	}
}

// adamRows runs one optimizer step on a chunk of weights (see goAdam).
func adamRows(theta, g, m, v, ema []float32, k *adamStep) float64 {
	if len(theta) == 0 {
		return 0
	}
	var e *C.float
	if k.emaRate > 0 {
		e = fptr(ema[:len(theta)])
	}
	atan2 := C.int(0)
	if k.atan2 {
		atan2 = 1
	}
	g, m, v = g[:len(theta)], m[:len(theta)], v[:len(theta)]
	return float64(C.hrm_adam(fptr(theta), fptr(g), fptr(m), fptr(v), e, C.long(len(theta)),
		C.float(k.decay), C.float(k.b1), C.float(k.b2), C.float(k.step), C.float(k.invBC2), atan2, C.float(k.emaRate)))
}

// rmsRows normalises rows [lo, hi) of width d (see goRmsRows).
func rmsRows(x, y, r []float32, d int, eps float32, lo, hi int) {
	if hi > lo {
		C.hrm_rms(fptr(x), fptr(y), fptr(r), C.long(d), C.float(eps), C.long(lo), C.long(hi))
	}
}

// ropeRows rotates the q and k heads of rows [lo, hi) (see goRopeRows).
func ropeRows(qkv, cos, sin []float32, s, d, dh int, sign float32, lo, hi int) {
	if hi > lo {
		C.hrm_rope(fptr(qkv), fptr(cos), fptr(sin), C.long(s), C.long(d), C.long(dh), C.float(sign), C.long(lo), C.long(hi))
	}
}

// attnFwdRows runs attention for the (batch, head) pairs [lo, hi) (see goAttnFwd).
func attnFwdRows(qkv, probs, att []float32, s, d, nh int, scale float32, lo, hi int) {
	if hi > lo {
		C.hrm_attn_fwd(fptr(qkv), fptr(probs), fptr(att), C.long(s), C.long(d), C.long(nh), C.float(scale), C.long(lo), C.long(hi))
	}
}

// attnBackRows is the attention backward of the pairs [lo, hi) (see goAttnBack).
func attnBackRows(qkv, probs, datt, dqkv, dp []float32, s, d, nh int, scale float32, lo, hi int) {
	if hi > lo {
		C.hrm_attn_back(fptr(qkv), fptr(probs), fptr(datt), fptr(dqkv), fptr(dp), C.long(s), C.long(d), C.long(nh),
			C.float(scale), C.long(lo), C.long(hi))
	}
}

func runsPtr(runs []convRun) *C.long { return (*C.long)(unsafe.Pointer(unsafe.SliceData(runs))) }

// gridConvRows runs the token mixer's local convolution (see goGridConvRows).
func gridConvRows(gc *gridConv, dst, src, w []float32, r0, r1 int, back bool) {
	if r1 > r0 {
		var b C.int
		if back {
			b = 1
		}
		C.hrm_grid_conv(fptr(dst), fptr(src), fptr(w), runsPtr(gc.runs), C.long(len(gc.runs)), C.long(gc.s),
			C.long(gc.d), C.long(gc.kk), C.long(r0), C.long(r1), b)
	}
}

// gridConvGrad adds the local convolution's kernel gradient (see goGridConvGrad).
func gridConvGrad(gc *gridConv, gw, g, x []float32, b, c0, c1 int) {
	if c1 > c0 {
		C.hrm_grid_conv_grad(fptr(gw), fptr(g), fptr(x), runsPtr(gc.runs), C.long(len(gc.runs)), C.long(gc.s),
			C.long(gc.d), C.long(gc.kk), C.long(b), C.long(c0), C.long(c1))
	}
}
