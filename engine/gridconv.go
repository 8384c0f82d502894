package engine

// The token mixer's local convolution (Config.LocalMix): beside the
// sequence-axis SwiGLU, each channel of the transposed layout (a row of S
// positions: the P prefix positions, then the side×side grid row by row) gets
// a k×k convolution over the grid with that channel's own kernel, zero
// outside the grid; the prefix positions neither give nor get anything. One
// kernel serves every cell, so a rule about a cell's neighbours learnt at one
// place holds at all of them, which the position-to-position SwiGLU has to
// learn cell by cell.

// convRun is a stretch of n consecutive grid cells whose output starts at
// position o and whose input, for kernel tap t, starts at position i. The C
// kernels read it as four longs (int is 64 bits wide wherever cgo builds).
type convRun struct{ t, o, i, n int }

// gridConv is the shape of the local convolution: its runs over the grid,
// the S positions of a row of the transposed layout, the D channels (row r
// is channel r mod D) and the k² taps of a kernel.
type gridConv struct {
	runs     []convRun
	s, d, kk int
}

// newGridConv lays out a k×k kernel over a side×side grid that starts at
// position p, for d channels: for each tap, the cells it reaches inside the
// grid, a run per grid row (one run for the taps of the middle column, whose
// rows join up).
func newGridConv(p, side, k, d int) *gridConv {
	var runs []convRun
	h := k / 2
	for ty := range k {
		for tx := range k {
			dy, dx := ty-h, tx-h
			y0, y1 := max(0, -dy), min(side, side-dy)
			x0, x1 := max(0, -dx), min(side, side-dx)
			if y0 >= y1 || x0 >= x1 {
				continue
			}
			t := ty*k + tx
			if dx == 0 {
				o := p + y0*side
				runs = append(runs, convRun{t, o, o + dy*side, (y1 - y0) * side})
				continue
			}
			for y := y0; y < y1; y++ {
				o := p + y*side + x0
				runs = append(runs, convRun{t, o, o + dy*side + dx, x1 - x0})
			}
		}
	}
	return &gridConv{runs: runs, s: p + side*side, d: d, kk: k * k}
}

// goGridConvRows adds to the rows [r0, r1) of dst the convolution of src's
// rows with w (D×k²): dst[o] +=
// w[t]·src[i]. back runs the transpose instead, the input gradient from an
// output gradient src: dst[i] += w[t]·src[o].
func goGridConvRows(gc *gridConv, dst, src, w []float32, r0, r1 int, back bool) {
	s, kk := gc.s, gc.kk
	for r := r0; r < r1; r++ {
		dr, sr, wr := dst[r*s:(r+1)*s], src[r*s:(r+1)*s], w[(r%gc.d)*kk:][:kk]
		for _, u := range gc.runs {
			wt := wr[u.t]
			if back {
				out, in := dr[u.i:u.i+u.n], sr[u.o:u.o+u.n]
				for j, v := range in {
					out[j] += wt * v
				}
			} else {
				out, in := dr[u.o:u.o+u.n], sr[u.i:u.i+u.n]
				for j, v := range in {
					out[j] += wt * v
				}
			}
		}
	}
}

// goGridConvGrad adds to gw (D×k²) the kernel gradient of the channels
// [c0, c1) over the b sequences: gw[t] += Σ g[o]·x[i], with g the output
// gradient and x the input, both in the transposed layout.
func goGridConvGrad(gc *gridConv, gw, g, x []float32, b, c0, c1 int) {
	s, kk := gc.s, gc.kk
	for c := c0; c < c1; c++ {
		gwc := gw[c*kk:][:kk]
		for seq := range b {
			r := seq*gc.d + c
			gr, xr := g[r*s:(r+1)*s], x[r*s:(r+1)*s]
			for _, u := range gc.runs {
				var acc float32
				for j, v := range gr[u.o : u.o+u.n] {
					acc += v * xr[u.i+j]
				}
				gwc[u.t] += acc
			}
		}
	}
}
