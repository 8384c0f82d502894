package engine

// TRM (TRM.md §1.1–1.3): one net of LLayers blocks makes both updates. One
// recursion is n = LCycles latent updates z ← net(z + y + x) and one answer
// update y ← net(y + z); a segment runs T = HCycles recursions, the first T−1
// without gradient and the last with full backpropagation through its n+1
// calls. The carry's zH is y and zL is z, as in the reference code.

// trmCaches returns the block caches of the n+1 graded calls, rebuilding them
// when LCycles changed (memory grows with n, as full backprop requires).
func (w *workspace) trmCaches() [][]*blockCache {
	n := w.m.cfg.LCycles
	if len(w.gradNet) != n+1 {
		w.gradNet = make([][]*blockCache, n+1)
		for i := range w.gradNet {
			for range w.m.lLevel {
				w.gradNet[i] = append(w.gradNet[i], newBlockCache(w.m, w.b))
			}
		}
	}
	return w.gradNet
}

// segmentTRM runs one TRM supervision step on the carry (y = zH, z = zL) in
// place; onY, if set, runs after every answer update.
func (w *workspace) segmentTRM(zH, zL []float32, inputs, pids []int32, graded bool, onY func()) {
	m := w.m
	w.embed(inputs, pids)
	t, n := m.cfg.HCycles, m.cfg.LCycles
	var caches [][]*blockCache
	if graded {
		caches = w.trmCaches()
	}
	w.calls = w.calls[:0]
	for i := range t {
		last := graded && i == t-1
		for j := range n {
			var c []*blockCache
			if last {
				c = caches[j]
			}
			w.calls = append(w.calls, moduleCall{stack: m.lLevel, h: zL, inj1: zH, inj2: w.x, caches: c})
		}
		var c []*blockCache
		if last {
			c = caches[n]
		}
		w.calls = append(w.calls, moduleCall{stack: m.lLevel, h: zH, inj1: zL, caches: c, update: true})
	}
	w.runCalls(onY)
	w.heads(zH)
}

// segmentTRMBack back-propagates w.dlogits and w.dq through the last
// recursion of segmentTRM. The y entering that recursion comes from the
// no-grad region, so only the chain through z reaches x.
func (w *workspace) segmentTRMBack(zH []float32, inputs []int32) {
	m := w.m
	n := m.cfg.LCycles
	caches := w.gradNet
	w.headsBack(zH)
	w.moduleBack(m.lLevel, caches[n]) // w.dz: gradient of y + z_n, i.e. of z_n
	clear(w.dx)
	for j := n - 1; j >= 0; j-- {
		w.moduleBack(m.lLevel, caches[j]) // gradient of z_j + y + x
		add(w.dx, w.dz)
	}
	copy(w.dz, w.dx)
	w.embedBack(inputs)
}

// segment runs one supervision step of the model's architecture.
func (w *workspace) segment(zH, zL []float32, inputs, pids []int32, graded bool, onH func()) {
	if w.m.cfg.Arch == "trm" {
		w.segmentTRM(zH, zL, inputs, pids, graded, onH)
		return
	}
	w.segmentHRM(zH, zL, inputs, pids, graded, onH)
}

// segmentBack back-propagates the loss gradients through the last graded segment.
func (w *workspace) segmentBack(zH []float32, inputs []int32) {
	if w.m.cfg.Arch == "trm" {
		w.segmentTRMBack(zH, inputs)
		return
	}
	w.segmentHRMBack(zH, inputs)
}
