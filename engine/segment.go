package engine

import "math"

// workspace holds every buffer of the forward and backward passes for one
// batch size, so that a warmed-up step allocates nothing.
type workspace struct {
	m    *Model
	b, s int
	tile int // sequences a pool task takes through a block at once (tileRows)
	eps  float32
	sp   *splitter

	x                     []float32 // input embedding (BS×D)
	datt, dqkv, dact, dgu []float32 // backward scratch (blockBackSeqs)
	gDown, gMix           []float32 // gradients kept for the weight gradients (BS×D)
	dactMix, dguMix       []float32 // the token mixer's ((B·D)×J, (B·D)×2J)
	dP                    []float32 // per-worker scratch
	dz                    []float32 // gradient of the state being back-propagated (BS×D)
	logits, dlogits       []float32 // all positions (BS×V); prefix rows unused
	q, dq                 []float32 // (B×2): q_halt, q_continue logits and their gradients
	puzzleGrad            []float32 // (B×P·D) gradient of the gathered puzzle rows
	scratch               *blockCache
	gradL, gradH          []*blockCache   // graded calls of an HRM segment
	gradNet               [][]*blockCache // graded calls of a TRM recursion (n+1 net calls)
	dx                    []float32       // TRM: gradient of x summed over the latent calls

	// blockBackward's arguments (backSeqsTask)
	dh    []float32
	cur   *blockCache
	blk   *block
	qOnly bool // heads computes only the Q logits (the bootstrap segment)

	calls   []moduleCall // the segment's module calls (runCalls)
	callIdx int          // the call moduleTask runs

	prods                                     []product // mmSum's products
	fnCalls, fnModule, fnBackSeqs, fnProducts func(lo, hi int)
	fnConvGrad                                func(lo, hi int)
}

// tileRows is about how many positions a pool task runs through a block
// (and, forward, through all of a segment's calls) before it takes the next
// ones. A task's share of the batch in one piece made every intermediate
// (the SwiGLU's gate/up rows above all) a matrix of megabytes that one
// product wrote to memory and the next read back; in tiles of a few hundred
// rows it stays in the core's cache. The products get fewer rows each: on
// the AMD EPYC (docs/performance.md) 256 and 512 ran level for the maze and
// 256 best for the lab size, while 128 was slower for both.
const tileRows = 256

// work returns the model's workspace for batch size b, building it on first
// use. The two most recent workspaces are kept, so that evaluation at another
// batch size between training steps does not rebuild the training workspace.
func (m *Model) work(b int) *workspace {
	if m.ws != nil && m.ws.b == b {
		return m.ws
	}
	if m.wsPrev != nil && m.wsPrev.b == b {
		m.ws, m.wsPrev = m.wsPrev, m.ws
		return m.ws
	}
	c := m.cfg
	s, d := c.seq(), c.Hidden
	n := b * s
	w := &workspace{m: m, b: b, s: s, tile: max(1, tileRows/s), eps: float32(c.RMSNormEps), sp: newSplitter()}
	mixW := b * m.innerMix * d
	w.x, w.datt, w.dz = make([]float32, n*d), make([]float32, n*d), make([]float32, n*d)
	if c.Arch == "trm" {
		w.dx = make([]float32, n*d)
	}
	w.dqkv, w.gDown, w.gMix = make([]float32, n*3*d), make([]float32, n*d), make([]float32, n*d)
	w.dact, w.dgu = make([]float32, n*m.inner), make([]float32, n*2*m.inner)
	if c.TokenMixer != "attention" {
		w.dactMix, w.dguMix = make([]float32, mixW), make([]float32, 2*mixW)
	}
	w.dP = make([]float32, poolSize*s*s)
	w.logits, w.dlogits = make([]float32, n*c.VocabSize), make([]float32, n*c.VocabSize)
	w.q, w.dq = make([]float32, 2*b), make([]float32, 2*b)
	w.puzzleGrad = make([]float32, b*c.PuzzleEmbLen*d)
	w.scratch = newBlockCache(m, b)
	for range m.lLevel {
		w.gradL = append(w.gradL, newBlockCache(m, b))
	}
	for range m.hLevel {
		w.gradH = append(w.gradH, newBlockCache(m, b))
	}
	w.fnCalls, w.fnModule, w.fnBackSeqs, w.fnProducts = w.callsTask, w.moduleTask, w.backSeqsTask, w.products
	w.fnConvGrad = w.convGradTask
	m.ws, m.wsPrev = w, m.ws
	return w
}

// embed computes x = √D·[E_puz[pid]; E_tok[tokens]] (learned positions:
// √D·0.7071·(… + E_pos)) into w.x.
func (w *workspace) embed(inputs, pids []int32) {
	m := w.m
	c := m.cfg
	d, p, s := c.Hidden, c.PuzzleEmbLen, w.s
	scale := float32(math.Sqrt(float64(d)))
	for b := range w.b {
		xb := w.x[b*s*d : (b+1)*s*d]
		if p > 0 {
			copy(xb[:p*d], m.puzzle.t.F32[int(pids[b])*p*d:])
		}
		for i, t := range inputs[b*c.SeqLen : (b+1)*c.SeqLen] {
			copy(xb[(p+i)*d:(p+i+1)*d], m.embTok.t.F32[int(t)*d:])
		}
		if m.embPos != nil {
			for i, v := range m.embPos.t.F32 {
				xb[i] = 0.707106781 * (xb[i] + v)
			}
		}
		for i := range xb {
			xb[i] *= scale
		}
	}
}

// embedBack accumulates the gradients of the embeddings from dx (= w.dz).
func (w *workspace) embedBack(inputs []int32) {
	m := w.m
	c := m.cfg
	d, p, s := c.Hidden, c.PuzzleEmbLen, w.s
	scale := float32(math.Sqrt(float64(d)))
	if m.embPos != nil {
		scale *= 0.707106781
	}
	for b := range w.b {
		db := w.dz[b*s*d : (b+1)*s*d]
		if p > 0 {
			pg := w.puzzleGrad[b*p*d : (b+1)*p*d]
			for i, v := range db[:p*d] {
				pg[i] = scale * v
			}
		}
		for i, t := range inputs[b*c.SeqLen : (b+1)*c.SeqLen] {
			g := m.embTok.g[int(t)*d : int(t+1)*d]
			for j, v := range db[(p+i)*d : (p+i+1)*d] {
				g[j] += scale * v
			}
		}
		if m.embPos != nil {
			for i, v := range db {
				m.embPos.g[i] += scale * v
			}
		}
	}
}

// moduleCall is one module call of a segment: stack applied in place to h +
// inj1 (+ inj2), keeping activations in caches (nil: a no-grad call). update
// marks HRM's H updates and TRM's answer updates, after which a segment's
// callback runs.
type moduleCall struct {
	stack         []*block
	h, inj1, inj2 []float32
	caches        []*blockCache
	update        bool
}

// runCalls applies the segment's module calls w.calls in order. The
// sequences are independent until the backward pass, so with at least one
// sequence per worker and no callback the batch is shared out once for the
// whole segment, each share running every call serially (one pool hand-off
// a segment). With a callback each call is shared out on its own, and a
// smaller batch runs on the caller with the products tiled over the pool.
func (w *workspace) runCalls(onUpdate func()) {
	if onUpdate == nil && w.b >= poolSize {
		w.sp.run(w.b, w.fnCalls)
		return
	}
	for i := range w.calls {
		if w.b >= poolSize {
			w.callIdx = i
			w.sp.run(w.b, w.fnModule)
		} else {
			w.moduleSeqs(&w.calls[i], 0, w.b, mm)
		}
		if w.calls[i].update && onUpdate != nil {
			onUpdate()
		}
	}
}

func (w *workspace) callsTask(lo, hi int) { w.callsSeqs(w.calls, lo, hi) }

func (w *workspace) moduleTask(lo, hi int) { w.callsSeqs(w.calls[w.callIdx:w.callIdx+1], lo, hi) }

// callsSeqs runs calls, in order, for the sequences [lo, hi), a tile of them
// through all the calls before the next tile.
func (w *workspace) callsSeqs(calls []moduleCall, lo, hi int) {
	for t0 := lo; t0 < hi; t0 += w.tile {
		t1 := min(t0+w.tile, hi)
		for i := range calls {
			w.moduleSeqs(&calls[i], t0, t1, mmSmall)
		}
	}
}

// moduleSeqs runs call for the sequences [b0, b1).
func (w *workspace) moduleSeqs(call *moduleCall, b0, b1 int, gemm gemmFunc) {
	n := w.s * w.m.cfg.Hidden
	h := call.h[b0*n : b1*n]
	inj1 := call.inj1[b0*n : b1*n]
	if call.inj2 != nil {
		inj2 := call.inj2[b0*n : b1*n]
		for i := range h {
			h[i] += inj1[i] + inj2[i]
		}
	} else {
		add(h, inj1)
	}
	for k, blk := range call.stack {
		c := w.scratch
		if call.caches != nil {
			c = call.caches[k]
		}
		w.blockForward(blk, call.h, c, b0, b1, gemm)
	}
}

// moduleBack back-propagates w.dz through a stack's graded calls, in place.
func (w *workspace) moduleBack(stack []*block, caches []*blockCache) {
	for k := len(stack) - 1; k >= 0; k-- {
		w.blockBackward(stack[k], w.dz, caches[k])
	}
}

// segmentHRM runs one HRM segment (HRM.md §1.7) on the carry (zH, zL), in
// place: N·T L calls and N H calls, all without kept activations except, when
// graded, the last L and last H calls. onH, if set, runs after every H update.
func (w *workspace) segmentHRM(zH, zL []float32, inputs, pids []int32, graded bool, onH func()) {
	m := w.m
	w.embed(inputs, pids)
	n, t := m.cfg.HCycles, m.cfg.LCycles
	w.calls = w.calls[:0]
	for i := range n {
		for j := range t {
			var caches []*blockCache
			if graded && i == n-1 && j == t-1 {
				caches = w.gradL
			}
			w.calls = append(w.calls, moduleCall{stack: m.lLevel, h: zL, inj1: zH, inj2: w.x, caches: caches})
		}
		var caches []*blockCache
		if graded && i == n-1 {
			caches = w.gradH
		}
		w.calls = append(w.calls, moduleCall{stack: m.hLevel, h: zH, inj1: zL, caches: caches, update: true})
	}
	w.runCalls(onH)
	w.heads(zH)
}

// segmentHRMBack back-propagates the loss gradients in w.dlogits and w.dq
// through the graded calls of the last segmentHRM (whose output state is zH).
func (w *workspace) segmentHRMBack(zH []float32, inputs []int32) {
	w.headsBack(zH)
	w.moduleBack(w.m.hLevel, w.gradH)
	w.moduleBack(w.m.lLevel, w.gradL)
	w.embedBack(inputs)
}

// heads computes the LM logits at every position and the Q logits at position 0.
func (w *workspace) heads(zH []float32) {
	m := w.m
	c := m.cfg
	n, d, v := w.b*w.s, c.Hidden, c.VocabSize
	if !w.qOnly {
		mm(false, true, n, v, d, 1, zH, d, m.lmHead.t.F32, d, 0, w.logits, v)
	}
	mm(false, true, w.b, 2, d, 1, zH, w.s*d, m.qW.t.F32, d, 0, w.q, 2)
	for b := range w.b {
		w.q[2*b] += m.qB.t.F32[0]
		w.q[2*b+1] += m.qB.t.F32[1]
	}
}

// headsBack sets w.dz to the gradient of the loss with respect to zH and
// accumulates the head gradients.
func (w *workspace) headsBack(zH []float32) {
	m := w.m
	c := m.cfg
	n, d, v := w.b*w.s, c.Hidden, c.VocabSize
	mm(false, false, n, d, v, 1, w.dlogits, v, m.lmHead.t.F32, d, 0, w.dz, d)
	mm(true, false, v, d, n, 1, w.dlogits, v, zH, d, 1, m.lmHead.g, d)
	mm(false, false, w.b, d, 2, 1, w.dq, 2, m.qW.t.F32, d, 1, w.dz, w.s*d)
	mm(true, false, 2, d, w.b, 1, w.dq, 2, zH, w.s*d, 1, m.qW.g, d)
	for b := range w.b {
		m.qB.g[0] += w.dq[2*b]
		m.qB.g[1] += w.dq[2*b+1]
	}
}
