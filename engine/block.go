package engine

// blockCache holds what one block call keeps for its backward pass. The
// no-grad calls all share one scratch cache; the graded calls of a segment
// each have their own, so memory does not depend on the number of cycles.
type blockCache struct {
	x      []float32 // block input (BS×D)
	qkv    []float32 // projections with RoPE applied to q and k (BS×3D)
	probs  []float32 // attention probabilities (B×H×S×S)
	att    []float32 // attention output before o_proj (BS×D)
	xT     []float32 // token mixer: input transposed to (B, D, S)
	mixGU  []float32 // token mixer: gate/up ((B·D)×2J)
	mixAct []float32 // token mixer: activation ((B·D)×J)
	h1T    []float32 // token mixer: h1 transposed ((B·D)×S)
	h1, r1 []float32 // after the first residual+norm, and its norm factors
	gu     []float32 // channel gate/up (BS×2I)
	act    []float32 // channel activation (BS×I)
	h2, r2 []float32 // block output and norm factors
}

func newBlockCache(m *Model, b int) *blockCache {
	c := m.cfg
	s, d := c.seq(), c.Hidden
	n := b * s
	bc := &blockCache{
		x: make([]float32, n*d), h1: make([]float32, n*d), h2: make([]float32, n*d),
		r2: make([]float32, n), gu: make([]float32, n*2*m.inner), act: make([]float32, n*m.inner),
	}
	if c.TokenMixer == "attention" {
		bc.qkv = make([]float32, n*3*d)
		bc.probs = make([]float32, b*c.Heads*s*s)
		bc.att = make([]float32, n*d)
		bc.r1 = make([]float32, n)
	} else {
		bc.xT, bc.h1T = make([]float32, n*d), make([]float32, n*d)
		bc.mixGU = make([]float32, b*2*m.innerMix*d)
		bc.mixAct = make([]float32, b*m.innerMix*d)
		bc.r1 = make([]float32, b*d)
	}
	return bc
}

// gemmFunc is the dense product of a forward pass: mm (tiled over the pool)
// when one goroutine runs the whole batch, mmSmall (serial) inside a pool task.
type gemmFunc func(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// blockForward applies blk in place to the sequences [b0, b1) of h (BS×D),
// recording into c. Every step is row-wise or per sequence, so the pool runs
// a whole module call as one task per share of the batch (moduleSeqs). Both
// residual sums accumulate in h inside the output projections' products
// (beta 1). A graded call keeps its input and post-norm outputs in c for the
// backward pass; a no-grad call (c is the shared scratch) normalises h in
// place and keeps nothing it does not need.
func (w *workspace) blockForward(blk *block, h []float32, c *blockCache, b0, b1 int, gemm gemmFunc) {
	m := w.m
	cfg := m.cfg
	d, nh := cfg.Hidden, cfg.Heads
	r0, r1 := b0*w.s, b1*w.s // rows
	n := r1 - r0
	hr := h[r0*d : r1*d]
	graded := c != w.scratch
	h1 := c.h1 // the first sub-layer's post-norm output
	if cfg.TokenMixer == "attention" {
		if graded {
			copy(c.x[r0*d:r1*d], hr)
		} else {
			h1 = h
		}
		gemm(false, true, n, 3*d, d, 1, hr, d, blk.qkv.t.F32, d, 0, c.qkv[r0*3*d:], 3*d)
		if m.cos != nil {
			ropeRows(c.qkv, m.cos, m.sin, w.s, d, d/nh, 1, r0, r1)
		}
		w.attnFwd(c, b0*nh, b1*nh)
		gemm(false, true, n, d, d, 1, c.att[r0*d:], d, blk.o.t.F32, d, 1, hr, d)
		rmsRows(h, h1, c.r1, d, w.eps, r0, r1)
	} else {
		w.mixerForward(blk, h, c, b0, b1, gemm)
	}
	if graded || cfg.TokenMixer != "attention" {
		copy(hr, c.h1[r0*d:r1*d])
	}
	in := m.inner
	gemm(false, true, n, 2*in, d, 1, hr, d, blk.gu.t.F32, d, 0, c.gu[r0*2*in:], 2*in)
	swigluRows(c.gu, c.act, in, r0, r1)
	gemm(false, true, n, d, in, 1, c.act[r0*in:], in, blk.down.t.F32, in, 1, hr, d)
	if graded {
		rmsRows(h, c.h2, c.r2, d, w.eps, r0, r1)
		copy(hr, c.h2[r0*d:r1*d])
	} else {
		rmsRows(h, h, c.r2, d, w.eps, r0, r1)
	}
}

// blockBackward turns dh, the gradient of the block output, into the
// gradient of its input in place, accumulating parameter gradients.
func (w *workspace) blockBackward(blk *block, dh []float32, c *blockCache) {
	m := w.m
	cfg := m.cfg
	n, d, in := w.b*w.s, cfg.Hidden, m.inner
	w.cur, w.blk, w.dh = c, blk, dh
	w.sp.run(n, w.fnRMS2Back)
	mm(false, false, n, in, d, 1, dh, d, blk.down.t.F32, in, 0, w.dact, in)
	mm(true, false, d, in, n, 1, dh, d, c.act, in, 1, blk.down.g, in)
	w.sp.run(n, w.fnSwigluBack)
	mm(true, false, 2*in, d, n, 1, w.dgu, 2*in, c.h1, d, 1, blk.gu.g, d)
	mm(false, false, n, d, 2*in, 1, w.dgu, 2*in, blk.gu.t.F32, d, 1, dh, d)
	if cfg.TokenMixer == "attention" {
		w.sp.run(n, w.fnRMS1Back)
		mm(false, false, n, d, d, 1, dh, d, blk.o.t.F32, d, 0, w.datt, d)
		mm(true, false, d, d, n, 1, dh, d, c.att, d, 1, blk.o.g, d)
		w.sp.run(w.b*cfg.Heads, w.fnAttnBack)
		if m.cos != nil {
			w.sp.run(n, w.fnRopeBack)
		}
		mm(true, false, 3*d, d, n, 1, w.dqkv, 3*d, c.x, d, 1, blk.qkv.g, d)
		mm(false, false, n, d, 3*d, 1, w.dqkv, 3*d, blk.qkv.t.F32, d, 1, dh, d)
		return
	}
	w.mixerBackward(blk, dh, c)
}

// mixerForward is the "mlp" token mixer (TRM's mlp_t) for the sequences
// [b0, b1), in the transposed layout the reference uses: t = hᵀ per sequence
// (D×S), t = RMSNorm_S(t + SwiGLU_S(t)), h1 = tᵀ. Over the sequences the
// SwiGLU is two products with (b1−b0)·D rows and the norm is over rows of
// width S.
func (w *workspace) mixerForward(blk *block, h []float32, c *blockCache, b0, b1 int, gemm gemmFunc) {
	j, s, d := w.m.innerMix, w.s, w.m.cfg.Hidden
	r0, r1 := b0*d, b1*d // rows of the transposed layout
	transposeSeqs(c.xT, h, s, d, b0, b1)
	gemm(false, true, r1-r0, 2*j, s, 1, c.xT[r0*s:], s, blk.mixGU.t.F32, s, 0, c.mixGU[r0*2*j:], 2*j)
	swigluRows(c.mixGU, c.mixAct, j, r0, r1)
	gemm(false, true, r1-r0, s, j, 1, c.mixAct[r0*j:], j, blk.mixDn.t.F32, j, 0, c.h1T[r0*s:], s)
	add(c.h1T[r0*s:r1*s], c.xT[r0*s:r1*s])
	rmsRows(c.h1T, c.h1T, c.r1, s, w.eps, r0, r1)
	transposeSeqs(c.h1, c.h1T, d, s, b0, b1)
}

// mixerBackward turns dh, the gradient of h1, into the gradient of the block
// input in place, accumulating the mixer's weight gradients. w.datt holds the
// transposed gradient.
func (w *workspace) mixerBackward(blk *block, dh []float32, c *blockCache) {
	j, s, bd := w.m.innerMix, w.s, w.b*w.m.cfg.Hidden
	dt := w.datt
	w.transposeAll(dt, dh, s, w.m.cfg.Hidden)
	w.dh = dt
	w.sp.run(bd, w.fnRMSMixBack)
	mm(false, false, bd, j, s, 1, dt, s, blk.mixDn.t.F32, j, 0, w.dact, j)
	mm(true, false, s, j, bd, 1, dt, s, c.mixAct, j, 1, blk.mixDn.g, j)
	w.sp.run(bd, w.fnMixBack)
	mm(true, false, 2*j, s, bd, 1, w.dgu, 2*j, c.xT, s, 1, blk.mixGU.g, s)
	mm(false, false, bd, s, 2*j, 1, w.dgu, 2*j, blk.mixGU.t.F32, s, 1, dt, s)
	w.transposeAll(dh, dt, w.m.cfg.Hidden, s)
	w.dh = dh
}

// transposeAll sets dst[b] = src[b]ᵀ for each of the batch's rows×cols matrices.
func (w *workspace) transposeAll(dst, src []float32, rows, cols int) {
	w.tDst, w.tSrc, w.tRows, w.tCols = dst, src, rows, cols
	w.sp.run(w.b, w.fnTranspose)
}

func (w *workspace) transpose(lo, hi int) { transposeSeqs(w.tDst, w.tSrc, w.tRows, w.tCols, lo, hi) }

// transposeSeqs sets dst[b] = src[b]ᵀ for the rows×cols matrices of the
// sequences [lo, hi).
func transposeSeqs(dst, src []float32, rows, cols, lo, hi int) {
	n := rows * cols
	for b := lo; b < hi; b++ {
		src, dst := src[b*n:(b+1)*n], dst[b*n:(b+1)*n]
		for r := range rows {
			for c, v := range src[r*cols : (r+1)*cols] {
				dst[c*rows+r] = v
			}
		}
	}
}

// Pool tasks of the block passes; they read their arguments from w.cur, w.blk and w.dh.

func (w *workspace) rms1Back(lo, hi int) {
	rmsRowsBack(w.dh, w.cur.h1, w.cur.r1, w.m.cfg.Hidden, lo, hi)
}

func (w *workspace) rms2Back(lo, hi int) {
	rmsRowsBack(w.dh, w.cur.h2, w.cur.r2, w.m.cfg.Hidden, lo, hi)
}

func (w *workspace) rmsMixBack(lo, hi int) {
	rmsRowsBack(w.dh, w.cur.h1T, w.cur.r1, w.s, lo, hi)
}

func (w *workspace) swigluBack(lo, hi int) {
	swigluRowsBack(w.cur.gu, w.dact, w.dgu, w.m.inner, lo, hi)
}

func (w *workspace) mixSwigluBack(lo, hi int) {
	swigluRowsBack(w.cur.mixGU, w.dact, w.dgu, w.m.innerMix, lo, hi)
}

func (w *workspace) ropeBack(lo, hi int) {
	c := w.m.cfg
	ropeRows(w.dqkv, w.m.cos, w.m.sin, w.s, c.Hidden, c.Hidden/c.Heads, -1, lo, hi)
}

// attnFwd runs attention for the (batch, head) pairs [lo, hi) on the
// projections in cache, serially.
func (w *workspace) attnFwd(cache *blockCache, lo, hi int) {
	c := w.m.cfg
	attnFwdRows(cache.qkv, cache.probs, cache.att, w.s, c.Hidden, c.Heads, w.m.attnScale, lo, hi)
}

// attnBack writes the gradients of q, k (before the RoPE backward) and v into w.dqkv.
func (w *workspace) attnBack(lo, hi int) {
	c := w.m.cfg
	s := w.s
	dp := w.dP[worker(lo, w.b*c.Heads)*s*s:][:s*s]
	attnBackRows(w.cur.qkv, w.cur.probs, w.datt, w.dqkv, dp, s, c.Hidden, c.Heads, w.m.attnScale, lo, hi)
}
