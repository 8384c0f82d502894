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
// a whole segment as one task per share of the batch (runCalls). Both
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
// gradient of its input in place, accumulating parameter gradients. The
// row-wise part (the norms, SwiGLU, attention, RoPE and the products that
// carry the gradient down to the block input) runs as one pool task per
// share of the sequences, like the forward pass; the weight gradients, sums
// over every row, follow in one more pass (mmSum). That is two pool
// hand-offs a block instead of thirteen: at each one the cores wait for the
// slowest.
func (w *workspace) blockBackward(blk *block, dh []float32, c *blockCache) {
	m := w.m
	cfg := m.cfg
	n, d, in := w.b*w.s, cfg.Hidden, m.inner
	w.cur, w.blk, w.dh = c, blk, dh
	if w.b >= poolSize {
		w.sp.run(w.b, w.fnBackSeqs)
	} else {
		w.blockBackSeqs(0, w.b, mm)
	}
	w.prods = append(w.prods[:0],
		product{true, false, d, in, n, w.gDown, d, c.act, in, blk.down.g, in},
		product{true, false, 2 * in, d, n, w.dgu, 2 * in, c.h1, d, blk.gu.g, d})
	if cfg.TokenMixer == "attention" {
		w.prods = append(w.prods,
			product{true, false, d, d, n, w.gMix, d, c.att, d, blk.o.g, d},
			product{true, false, 3 * d, d, n, w.dqkv, 3 * d, c.x, d, blk.qkv.g, d})
	} else {
		j, s, bd := m.innerMix, w.s, w.b*d
		w.prods = append(w.prods,
			product{true, false, s, j, bd, w.gMix, s, c.mixAct, j, blk.mixDn.g, j},
			product{true, false, 2 * j, s, bd, w.dguMix, 2 * j, c.xT, s, blk.mixGU.g, s})
	}
	w.mmSum()
	if blk.conv != nil {
		w.sp.run(d, w.fnConvGrad)
	}
}

// convGradTask adds the local convolution's kernel gradient of the channels
// [lo, hi) (blockBackward's block) from w.gMix and the block's input.
func (w *workspace) convGradTask(lo, hi int) {
	gridConvGrad(w.m.grid, w.blk.conv.g, w.gMix, w.cur.xT, w.b, lo, hi)
}

func (w *workspace) backSeqsTask(lo, hi int) {
	for t0 := lo; t0 < hi; t0 += w.tile {
		w.blockBackSeqs(t0, min(t0+w.tile, hi), mmSmall)
	}
}

// blockBackSeqs is the row-wise part of blockBackward for the sequences
// [b0, b1): it turns w.dh into the gradient of the block input and leaves
// what the weight gradients need in w.gDown (the gradient at the down
// projection's output), w.dgu, w.gMix (at the token mixer's output) and
// w.dqkv or w.dguMix.
func (w *workspace) blockBackSeqs(b0, b1 int, gemm gemmFunc) {
	m := w.m
	cfg := m.cfg
	c, blk, dh := w.cur, w.blk, w.dh
	d, in, s := cfg.Hidden, m.inner, w.s
	r0, r1 := b0*s, b1*s
	n := r1 - r0
	rmsRowsBack(dh, c.h2, c.r2, d, r0, r1)
	copy(w.gDown[r0*d:r1*d], dh[r0*d:r1*d])
	gemm(false, false, n, in, d, 1, dh[r0*d:], d, blk.down.t.F32, in, 0, w.dact[r0*in:], in)
	swigluRowsBack(c.gu, w.dact, w.dgu, in, r0, r1)
	gemm(false, false, n, d, 2*in, 1, w.dgu[r0*2*in:], 2*in, blk.gu.t.F32, d, 1, dh[r0*d:], d)
	if cfg.TokenMixer != "attention" {
		w.mixerBackSeqs(b0, b1, gemm)
		return
	}
	nh := cfg.Heads
	rmsRowsBack(dh, c.h1, c.r1, d, r0, r1)
	copy(w.gMix[r0*d:r1*d], dh[r0*d:r1*d])
	gemm(false, false, n, d, d, 1, dh[r0*d:], d, blk.o.t.F32, d, 0, w.datt[r0*d:], d)
	dp := w.dP[worker(b0, w.b)*s*s:][:s*s]
	attnBackRows(c.qkv, c.probs, w.datt, w.dqkv, dp, s, d, nh, m.attnScale, b0*nh, b1*nh)
	if m.cos != nil {
		ropeRows(w.dqkv, m.cos, m.sin, s, d, d/nh, -1, r0, r1)
	}
	gemm(false, false, n, d, 3*d, 1, w.dqkv[r0*3*d:], 3*d, blk.qkv.t.F32, d, 1, dh[r0*d:], d)
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
	if blk.conv != nil {
		gridConvRows(w.m.grid, c.h1T, c.xT, blk.conv.t.F32, r0, r1, false)
	}
	rmsRows(c.h1T, c.h1T, c.r1, s, w.eps, r0, r1)
	transposeSeqs(c.h1, c.h1T, d, s, b0, b1)
}

// mixerBackSeqs turns w.dh, the gradient of h1, into the gradient of the
// block input for the sequences [b0, b1), through the transposed layout
// (w.datt); w.gMix keeps the normalised gradient and w.dguMix the SwiGLU's
// for the mixer's weight gradients.
func (w *workspace) mixerBackSeqs(b0, b1 int, gemm gemmFunc) {
	c, blk, dh := w.cur, w.blk, w.dh
	j, s, d := w.m.innerMix, w.s, w.m.cfg.Hidden
	r0, r1 := b0*d, b1*d // rows of the transposed layout
	dt := w.datt
	transposeSeqs(dt, dh, s, d, b0, b1)
	rmsRowsBack(dt, c.h1T, c.r1, s, r0, r1)
	copy(w.gMix[r0*s:r1*s], dt[r0*s:r1*s])
	gemm(false, false, r1-r0, j, s, 1, dt[r0*s:], s, blk.mixDn.t.F32, j, 0, w.dactMix[r0*j:], j)
	swigluRowsBack(c.mixGU, w.dactMix, w.dguMix, j, r0, r1)
	gemm(false, false, r1-r0, s, 2*j, 1, w.dguMix[r0*2*j:], 2*j, blk.mixGU.t.F32, s, 1, dt[r0*s:], s)
	if blk.conv != nil {
		gridConvRows(w.m.grid, dt, w.gMix, blk.conv.t.F32, r0, r1, true)
	}
	transposeSeqs(dh, dt, d, s, b0, b1)
}

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

// attnFwd runs attention for the (batch, head) pairs [lo, hi) on the
// projections in cache, serially.
func (w *workspace) attnFwd(cache *blockCache, lo, hi int) {
	c := w.m.cfg
	attnFwdRows(cache.qkv, cache.probs, cache.att, w.s, c.Hidden, c.Heads, w.m.attnScale, lo, hi)
}
