package widgets

import (
	"math"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"

	"hrmlab/tui/common"
)

// Line is one series of a line chart.
type Line struct {
	Name    string
	Samples []XY
	Dots    bool // draw the samples as dots (sparse points such as evaluations)
}

// Marker flags a step under a chart (a hyperparameter change, an
// evaluation) with a symbol.
type Marker struct {
	X    int
	Rune rune
}

// LineChart is a whole-run chart: every line is bucketed into one mean per
// column over the steps [X0, X1] and drawn with asciigraph, with a row of
// markers underneath and a legend. Bounds, when set, fix the y range.
type LineChart struct {
	Lines         []Line
	Markers       []Marker
	X0, X1        int
	Width, Height int // the whole chart, legend and marker row included
	Lower, Upper  *float64
	NoLegend      bool // the caller draws the legend (SeriesMark), so the plot takes its row
	// MaxColumns, when set, caps the columns: a log written every few steps
	// has that many records to spread, and more columns would leave gaps.
	MaxColumns int
}

// labelWidth is the width of the y-axis labels (compact numbers).
const labelWidth = 6

// monoChars tell the series apart without colour.
var monoChars = []asciigraph.CharSet{asciigraph.DefaultCharSet, asciigraph.CreateCharSet("•"), asciigraph.CreateCharSet("+"), asciigraph.CreateCharSet("x"), asciigraph.CreateCharSet("o")}

// View draws the chart in exactly Width x Height cells.
func (c LineChart) View(st *common.Styles) string {
	plotRows := c.Height - 2 // marker row and legend
	if c.NoLegend {
		plotRows++
	}
	// asciigraph puts the y labels, a space and the axis before the data.
	cols := c.Width - labelWidth - 2
	if plotRows < 2 || cols < 4 {
		return Fit("", c.Width, c.Height)
	}
	// With fewer steps than columns, one column per step: a bucket is never
	// empty between two samples, and nothing is interpolated.
	cols = min(cols, max(c.X1-c.X0+1, 1))
	if c.MaxColumns > 0 {
		cols = min(cols, c.MaxColumns)
	}
	var data [][]float64
	var chars []asciigraph.CharSet
	var colours []asciigraph.AnsiColor
	for i, l := range c.Lines {
		data = append(data, Bucket(l.Samples, c.X0, c.X1, cols))
		cs := monoChars[i%len(monoChars)]
		if !st.Mono() {
			cs = asciigraph.DefaultCharSet
			colours = append(colours, st.Series[i%len(st.Series)])
		}
		if l.Dots {
			// A lone point is drawn as a start cap on its own column and an
			// end cap on the next: blank the end cap so each evaluation is one dot.
			cs = asciigraph.CreateCharSet("●")
			cs.EndCap = " "
		}
		chars = append(chars, cs)
	}
	lo, hi, ok := finiteRange(data...)
	if !ok {
		return Fit(st.Dim.Render("  (no data yet)"), c.Width, c.Height)
	}
	// Draw dot series first so that lines drawn later keep their cells.
	order := make([]int, 0, len(data))
	for i, l := range c.Lines {
		if l.Dots {
			order = append(order, i)
		}
	}
	for i, l := range c.Lines {
		if !l.Dots {
			order = append(order, i)
		}
	}
	var od [][]float64
	var oc []asciigraph.CharSet
	var ocol []asciigraph.AnsiColor
	for _, i := range order {
		od, oc = append(od, data[i]), append(oc, chars[i])
		if colours != nil {
			ocol = append(ocol, colours[i])
		}
	}
	opts := []asciigraph.Option{
		asciigraph.Height(plotRows - 1), asciigraph.Offset(2), asciigraph.SeriesChars(oc...),
		asciigraph.YAxisValueFormatter(func(v float64) string { return compact(v, labelWidth) }),
	}
	if ocol != nil {
		opts = append(opts, asciigraph.SeriesColors(ocol...))
	}
	if c.Lower != nil {
		opts = append(opts, asciigraph.LowerBound(*c.Lower))
	}
	if c.Upper != nil {
		opts = append(opts, asciigraph.UpperBound(*c.Upper))
	}
	if hi-lo < 1e-12 && c.Lower == nil {
		opts = append(opts, asciigraph.LowerBound(lo-1), asciigraph.UpperBound(hi+1))
	}
	plot := asciigraph.PlotMany(od, opts...)
	lines := strings.Split(plot, "\n")
	axis := labelWidth + 1
	if len(lines) > 0 {
		if i := strings.IndexAny(lines[0], "┤┼"); i >= 0 {
			axis = lipgloss.Width(lines[0][:i])
		}
	}
	lines = append(lines, c.markerRow(st, axis, cols))
	if !c.NoLegend {
		lines = append(lines, c.legend(st))
	}
	return Fit(strings.Join(lines, "\n"), c.Width, c.Height)
}

// markerRow puts each marker under the column of its step; the axis column
// holds the first step.
func (c LineChart) markerRow(st *common.Styles, axis, cols int) string {
	row := []rune(strings.Repeat(" ", axis+1+cols))
	for _, m := range c.Markers {
		if col := Column(m.X, c.X0, c.X1, cols); col >= 0 {
			row[axis+col] = m.Rune
		}
	}
	return st.Accent.Render(string(row))
}

func (c LineChart) legend(st *common.Styles) string {
	var parts []string
	for i, l := range c.Lines {
		parts = append(parts, SeriesMark(st, i, l.Dots)+" "+l.Name)
	}
	return " " + strings.Join(parts, "  ")
}

// SeriesMark is how a chart draws its i-th line (dots: a dot series), for a
// legend: its colour, or in monochrome its own glyph.
func SeriesMark(st *common.Styles, i int, dots bool) string {
	sym := "─"
	if st.Mono() {
		sym = monoChars[i%len(monoChars)].Horizontal
	}
	if dots {
		sym = "●"
	}
	s := lipgloss.NewStyle()
	if !st.Mono() {
		s = s.Foreground(lipgloss.ANSIColor(st.Series[i%len(st.Series)]))
	}
	return s.Render(sym)
}

// compact formats v in at most w characters, right-aligned.
func compact(v float64, w int) string {
	var s string
	for prec := 3; prec >= 1; prec-- {
		s = strconv.FormatFloat(v, 'g', prec, 64)
		if len(s) <= w {
			break
		}
	}
	if len(s) > w {
		s = strconv.FormatFloat(v, 'e', 0, 64)
	}
	if math.Abs(v) < 1e-12 {
		s = "0"
	}
	return strings.Repeat(" ", max(w-len(s), 0)) + s
}

// Fit pads or cuts s to exactly width x height cells.
func Fit(s string, width, height int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = PadRight(l, width)
	}
	return strings.Join(lines, "\n")
}

// PadRight cuts a (styled) line to width cells or pads it with spaces.
func PadRight(l string, width int) string {
	if w := lipgloss.Width(l); w > width {
		return ansi.Truncate(l, width, "")
	} else if w < width {
		return l + strings.Repeat(" ", width-w)
	}
	return l
}

// JoinColumns puts blocks side by side. Unlike lipgloss.JoinHorizontal it
// measures nothing: every block must already be padded to its width (as Fit
// and the widgets' View do), which keeps a full-screen frame cheap.
func JoinColumns(blocks ...string) string {
	split := make([][]string, len(blocks))
	rows := 0
	for i, b := range blocks {
		split[i] = strings.Split(b, "\n")
		rows = max(rows, len(split[i]))
	}
	var sb strings.Builder
	for r := range rows {
		if r > 0 {
			sb.WriteByte('\n')
		}
		for _, lines := range split {
			if r < len(lines) {
				sb.WriteString(lines[r])
			}
		}
	}
	return sb.String()
}
