// Package widgets draws the lab's charts and puzzle grids as text: a
// whole-run line chart (asciigraph), a braille tail chart, sparklines, a
// bar histogram and the task grids. Widgets are plain renderers: the
// components own the state and call them from View.
package widgets

import "math"

// XY is one sample of a series: a training step and a value.
type XY struct {
	X int
	Y float64
}

// Bucket averages the samples falling into each of n equal ranges of x over
// [x0, x1] (bucketed means: what a column of the chart stands for, never an
// interpolation between samples). Empty buckets are NaN, and so are
// non-finite samples, which are skipped.
func Bucket(samples []XY, x0, x1, n int) []float64 {
	out := make([]float64, n)
	if n <= 0 {
		return out
	}
	counts := make([]int, n)
	for _, s := range samples {
		if math.IsNaN(s.Y) || math.IsInf(s.Y, 0) {
			continue
		}
		c := Column(s.X, x0, x1, n)
		if c < 0 {
			continue
		}
		out[c] += s.Y
		counts[c]++
	}
	for i := range out {
		if counts[i] == 0 {
			out[i] = math.NaN()
		} else {
			out[i] /= float64(counts[i])
		}
	}
	return out
}

// Column is the chart column (0..n-1) of step x over [x0, x1], the inverse
// of Bucket's assignment; -1 when x is outside.
func Column(x, x0, x1, n int) int {
	if x < x0 || x > x1 || n <= 0 {
		return -1
	}
	// Integer arithmetic: with as many columns as steps, every step gets
	// its own column (float rounding would merge some and leave gaps).
	return int(int64(x-x0) * int64(n) / int64(x1-x0+1))
}

// finiteRange returns the smallest and largest finite values of the series
// (ok false when there are none).
func finiteRange(series ...[]float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, v := range s {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return lo, hi, lo <= hi
}
