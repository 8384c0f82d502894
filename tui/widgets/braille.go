package widgets

import (
	"math"
	"strings"
)

// brailleBits[x][y] is the dot of column x (0-1), row y (0-3) of a braille
// cell (Unicode braille patterns, U+2800 + bits).
var brailleBits = [2][4]rune{{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}}

// Braille draws a live tail as a braille line (2x4 dots per cell), with the
// top and bottom values as labels. asciigraph draws one value per column
// and row; a noisy per-step tail reads better at braille's finer grain,
// which no available library offers for bubbletea v2.
type Braille struct {
	Values        []float64 // oldest first; bucketed into the dot columns when there are more
	Width, Height int       // cells, labels included
}

// View draws the chart in exactly Width x Height cells.
func (b Braille) View() string {
	cols := b.Width - labelWidth - 1
	if cols < 2 || b.Height < 1 {
		return Fit("", b.Width, b.Height)
	}
	dotsX, dotsY := cols*2, b.Height*4
	vals := b.Values
	switch {
	case len(vals) > dotsX:
		samples := make([]XY, len(vals))
		for i, v := range vals {
			samples[i] = XY{i, v}
		}
		vals = Bucket(samples, 0, len(vals)-1, dotsX)
	case len(vals) > 0:
		// Fewer samples than dots: each sample holds its value over an
		// equal share of the width (steps, not interpolation).
		wide := make([]float64, dotsX)
		for x := range wide {
			wide[x] = vals[x*len(vals)/dotsX]
		}
		vals = wide
	}
	lo, hi, ok := finiteRange(vals)
	if !ok {
		return Fit("", b.Width, b.Height)
	}
	if hi-lo < 1e-12 {
		lo, hi = lo-0.5, hi+0.5
	}
	grid := make([][]rune, b.Height)
	for r := range grid {
		grid[r] = []rune(strings.Repeat("\u2800", cols))
	}
	dotY := func(v float64) int {
		return int(math.Round((hi - v) / (hi - lo) * float64(dotsY-1)))
	}
	set := func(x, y int) {
		grid[y/4][x/2] |= brailleBits[x%2][y%4]
	}
	prev := -1
	for x, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			prev = -1
			continue
		}
		y := dotY(v)
		from, to := y, y
		if prev >= 0 { // join to the previous dot so the line has no gaps
			from, to = min(prev, y), max(prev, y)
		}
		for yy := from; yy <= to; yy++ {
			set(x, yy)
		}
		prev = y
	}
	lines := make([]string, b.Height)
	for r := range grid {
		label := strings.Repeat(" ", labelWidth)
		switch r {
		case 0:
			label = compact(hi, labelWidth)
		case b.Height - 1:
			label = compact(lo, labelWidth)
		}
		lines[r] = label + "│" + string(grid[r])
	}
	return Fit(strings.Join(lines, "\n"), b.Width, b.Height)
}
