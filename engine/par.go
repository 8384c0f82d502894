package engine

import (
	"runtime"
	"sync"
)

// The engine's element-wise and attention work is split over a fixed pool of
// worker goroutines plus the calling goroutine, one per core (at most
// GOMAXPROCS, which Start sets one above the cores in the OpenBLAS build). Tasks carry a
// func value created once per workspace (a method value stored in a field),
// so dispatching work allocates nothing. BLAS calls are never made from pool
// tasks except gonum's serial small-matrix kernel, so OpenBLAS threads and
// pool workers do not compete for the cores at the same time.

type task struct {
	fn     func(lo, hi int)
	lo, hi int
	done   chan struct{}
}

var (
	poolOnce sync.Once
	poolCh   chan task
	poolSize int // goroutines working on one call, including the caller
)

func startPool() {
	poolSize = min(max(runtime.GOMAXPROCS(0), 1), runtime.NumCPU(), 8)
	poolCh = make(chan task)
	for range poolSize - 1 {
		go func() {
			for t := range poolCh {
				t.fn(t.lo, t.hi)
				t.done <- struct{}{}
			}
		}()
	}
}

// splitter runs fn over [0, n) in contiguous chunks on the pool; each caller
// owns one splitter (its done channel) so concurrent models do not mix signals.
type splitter struct {
	done chan struct{}
}

func newSplitter() *splitter {
	poolOnce.Do(startPool)
	return &splitter{done: make(chan struct{}, poolSize)}
}

// run calls fn(lo, hi) over a partition of [0, n) and returns when all chunks
// are done. Chunks are disjoint, so fn may write per-index outputs freely.
func (s *splitter) run(n int, fn func(lo, hi int)) {
	parts := min(poolSize, n)
	if parts <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	for p := 1; p < parts; p++ {
		poolCh <- task{fn: fn, lo: p * n / parts, hi: (p + 1) * n / parts, done: s.done}
	}
	fn(0, n/parts)
	for p := 1; p < parts; p++ {
		<-s.done
	}
}

// worker returns which chunk of a run a range belongs to, for per-worker scratch.
func worker(lo, n int) int {
	parts := min(poolSize, n)
	if parts <= 1 {
		return 0
	}
	for p := parts - 1; p > 0; p-- {
		if lo >= p*n/parts {
			return p
		}
	}
	return 0
}
