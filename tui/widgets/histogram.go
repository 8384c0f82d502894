package widgets

import (
	"strconv"
	"strings"
)

// barRunes are the eighths of a bar cell, from empty to full.
var barRunes = []rune(" ▁▂▃▄▅▆▇█")

// Histogram draws counts as vertical bars, one per bin (bins are numbered
// from 1), scaled to the largest count, with the bin numbers underneath.
// Written by hand: it is a few lines, and the chart libraries at hand draw
// only lines.
type Histogram struct {
	Counts        []int
	Width, Height int // cells, the label row included
}

// View draws the histogram in exactly Width x Height cells.
func (h Histogram) View() string {
	n := len(h.Counts)
	rows := h.Height - 1
	if n == 0 || rows < 1 {
		return Fit("", h.Width, h.Height)
	}
	binW := min(max(h.Width/n, 1), 4)
	peak := 0
	for _, c := range h.Counts {
		peak = max(peak, c)
	}
	lines := make([]string, h.Height)
	for r := range rows {
		var b strings.Builder
		level := rows - 1 - r // 0 is the bottom row
		for _, c := range h.Counts {
			eighths := 0
			if peak > 0 {
				eighths = (c*rows*8 + peak - 1) / peak // round up: a non-zero count shows
			}
			fill := min(max(eighths-level*8, 0), 8)
			bar := strings.Repeat(string(barRunes[fill]), max(binW-1, 1))
			b.WriteString(bar)
			if binW > 1 {
				b.WriteByte(' ')
			}
		}
		lines[r] = b.String()
	}
	var lab strings.Builder
	for i := range n {
		s := strconv.Itoa(i + 1)
		if binW < len(s)+1 && (i+1)%5 != 0 && i != 0 {
			s = ""
		}
		if lab.Len() > i*binW { // the previous label spilled over
			continue
		}
		lab.WriteString(strings.Repeat(" ", i*binW-lab.Len()))
		lab.WriteString(s)
	}
	lines[rows] = lab.String()
	return Fit(strings.Join(lines, "\n"), h.Width, h.Height)
}
