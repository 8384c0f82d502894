package engine

import "math"

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

// blockForward applies blk to h (BS×D) in place, recording into c. Both
// residual sums accumulate in h inside the output projections' products
// (beta 1). A graded call keeps its input and post-norm outputs in c for the
// backward pass; a no-grad call (c is the shared scratch) normalises h in
// place and keeps nothing it does not need.
func (w *workspace) blockForward(blk *block, h []float32, c *blockCache) {
	m := w.m
	cfg := m.cfg
	n, d := w.b*w.s, cfg.Hidden
	graded := c != w.scratch
	w.cur, w.blk, w.hcur = c, blk, h
	inPlace := !graded && cfg.TokenMixer == "attention" // the mixer writes c.h1 by transposing
	w.normOut = c.h1
	if inPlace {
		w.normOut = h
	}
	if cfg.TokenMixer == "attention" {
		if graded {
			copy(c.x, h)
		}
		mm(false, true, n, 3*d, d, 1, h, d, blk.qkv.t.F32, d, 0, c.qkv, 3*d)
		if m.cos != nil {
			w.ropeSign = 1
			w.sp.run(n, w.fnRope)
		}
		w.sp.run(w.b*cfg.Heads, w.fnAttnFwd)
		mm(false, true, n, d, d, 1, c.att, d, blk.o.t.F32, d, 1, h, d)
		w.sp.run(n, w.fnRMS1)
	} else {
		w.mixerForward(blk, h, c)
	}
	if !inPlace {
		copy(h, c.h1)
	}
	mm(false, true, n, 2*m.inner, d, 1, h, d, blk.gu.t.F32, d, 0, c.gu, 2*m.inner)
	w.sp.run(n, w.fnSwiglu)
	mm(false, true, n, d, m.inner, 1, c.act, m.inner, blk.down.t.F32, m.inner, 1, h, d)
	w.normOut = h
	if graded {
		w.normOut = c.h2
	}
	w.sp.run(n, w.fnRMS2)
	if graded {
		copy(h, c.h2)
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
			w.ropeSign = -1
			w.sp.run(n, w.fnRopeBack)
		}
		mm(true, false, 3*d, d, n, 1, w.dqkv, 3*d, c.x, d, 1, blk.qkv.g, d)
		mm(false, false, n, d, 3*d, 1, w.dqkv, 3*d, blk.qkv.t.F32, d, 1, dh, d)
		return
	}
	w.mixerBackward(blk, dh, c)
}

// mixerForward is the "mlp" token mixer (TRM's mlp_t) in the transposed
// layout the reference uses: t = hᵀ per sequence (D×S), t = RMSNorm_S(t +
// SwiGLU_S(t)), h1 = tᵀ. Over the whole batch the SwiGLU is two products with
// B·D rows and the norm is over rows of width S.
func (w *workspace) mixerForward(blk *block, h []float32, c *blockCache) {
	j, s, bd := w.m.innerMix, w.s, w.b*w.m.cfg.Hidden
	w.transposeAll(c.xT, h, s, w.m.cfg.Hidden)
	mm(false, true, bd, 2*j, s, 1, c.xT, s, blk.mixGU.t.F32, s, 0, c.mixGU, 2*j)
	w.sp.run(bd, w.fnMix)
	mm(false, true, bd, s, j, 1, c.mixAct, j, blk.mixDn.t.F32, j, 0, c.h1T, s)
	add(c.h1T, c.xT)
	w.sp.run(bd, w.fnRMSMix)
	w.transposeAll(c.h1, c.h1T, w.m.cfg.Hidden, s)
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

func (w *workspace) transpose(lo, hi int) {
	n := w.tRows * w.tCols
	for b := lo; b < hi; b++ {
		src, dst := w.tSrc[b*n:(b+1)*n], w.tDst[b*n:(b+1)*n]
		for r := range w.tRows {
			for c, v := range src[r*w.tCols : (r+1)*w.tCols] {
				dst[c*w.tRows+r] = v
			}
		}
	}
}

// Pool tasks of the block passes; they read their arguments from w.cur, w.blk and w.dh.

// rms1 normalises the residual stream w.hcur (the pre-norm sum of the first
// sub-layer, accumulated in place by blockForward) into h1.
func (w *workspace) rms1(lo, hi int) {
	rmsRows(w.hcur, w.normOut, w.cur.r1, w.m.cfg.Hidden, w.eps, lo, hi)
}

func (w *workspace) rms2(lo, hi int) {
	rmsRows(w.hcur, w.normOut, w.cur.r2, w.m.cfg.Hidden, w.eps, lo, hi)
}

func (w *workspace) rmsMix(lo, hi int) {
	rmsRows(w.cur.h1T, w.cur.h1T, w.cur.r1, w.s, w.eps, lo, hi)
}

func (w *workspace) rms1Back(lo, hi int) {
	rmsRowsBack(w.dh, w.cur.h1, w.cur.r1, w.m.cfg.Hidden, lo, hi)
}

func (w *workspace) rms2Back(lo, hi int) {
	rmsRowsBack(w.dh, w.cur.h2, w.cur.r2, w.m.cfg.Hidden, lo, hi)
}

func (w *workspace) rmsMixBack(lo, hi int) {
	rmsRowsBack(w.dh, w.cur.h1T, w.cur.r1, w.s, lo, hi)
}

func (w *workspace) swiglu(lo, hi int) { swigluRows(w.cur.gu, w.cur.act, w.m.inner, lo, hi) }

func (w *workspace) swigluBack(lo, hi int) {
	swigluRowsBack(w.cur.gu, w.dact, w.dgu, w.m.inner, lo, hi)
}

func (w *workspace) mixSwiglu(lo, hi int) {
	swigluRows(w.cur.mixGU, w.cur.mixAct, w.m.innerMix, lo, hi)
}

func (w *workspace) mixSwigluBack(lo, hi int) {
	swigluRowsBack(w.cur.mixGU, w.dact, w.dgu, w.m.innerMix, lo, hi)
}

func (w *workspace) rope(lo, hi int) {
	c := w.m.cfg
	ropeRows(w.cur.qkv, w.m.cos, w.m.sin, w.s, c.Hidden, c.Hidden/c.Heads, w.ropeSign, lo, hi)
}

func (w *workspace) ropeBack(lo, hi int) {
	c := w.m.cfg
	ropeRows(w.dqkv, w.m.cos, w.m.sin, w.s, c.Hidden, c.Hidden/c.Heads, w.ropeSign, lo, hi)
}

// attnFwd runs scaled dot-product attention for the (batch, head) pairs in [lo, hi).
func (w *workspace) attnFwd(lo, hi int) {
	c := w.m.cfg
	s, d, nh := w.s, c.Hidden, c.Heads
	dh := d / nh
	scale := float32(1 / math.Sqrt(float64(dh)))
	for bh := lo; bh < hi; bh++ {
		b, h := bh/nh, bh%nh
		base := b*s*3*d + h*dh
		q, k, v := w.cur.qkv[base:], w.cur.qkv[base+d:], w.cur.qkv[base+2*d:]
		p := w.cur.probs[bh*s*s : (bh+1)*s*s]
		mmSmall(false, true, s, s, dh, scale, q, 3*d, k, 3*d, 0, p, s)
		softmaxRows(p, s, 0, s)
		mmSmall(false, false, s, dh, s, 1, p, s, v, 3*d, 0, w.cur.att[b*s*d+h*dh:], d)
	}
}

// attnBack writes the gradients of q, k (before the RoPE backward) and v into w.dqkv.
func (w *workspace) attnBack(lo, hi int) {
	c := w.m.cfg
	s, d, nh := w.s, c.Hidden, c.Heads
	dh := d / nh
	scale := float32(1 / math.Sqrt(float64(dh)))
	dp := w.dP[worker(lo, w.b*nh)*s*s:][:s*s]
	for bh := lo; bh < hi; bh++ {
		b, h := bh/nh, bh%nh
		base := b*s*3*d + h*dh
		q, k, v := w.cur.qkv[base:], w.cur.qkv[base+d:], w.cur.qkv[base+2*d:]
		dq, dk, dv := w.dqkv[base:], w.dqkv[base+d:], w.dqkv[base+2*d:]
		p := w.cur.probs[bh*s*s : (bh+1)*s*s]
		do := w.datt[b*s*d+h*dh:]
		mmSmall(true, false, s, dh, s, 1, p, s, do, d, 0, dv, 3*d)
		mmSmall(false, true, s, s, dh, 1, do, d, v, 3*d, 0, dp, s)
		softmaxRowsBack(p, dp, s, 0, s)
		mmSmall(false, false, s, dh, s, scale, dp, s, k, 3*d, 0, dq, 3*d)
		mmSmall(true, false, s, dh, s, scale, dp, s, q, 3*d, 0, dk, 3*d)
	}
}
