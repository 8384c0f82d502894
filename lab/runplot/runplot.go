// Package runplot draws the curves of one or more HRM Lab runs to a PNG with
// gonum/plot: training loss, held-out exact accuracy, training token accuracy
// and the mean halting step, overlaid, by step or by training time. It is the
// one plotting path of hrmlab (`hrmlab compare -png`); the TUI draws its own
// curves in text and does not import it.
package runplot

import (
	"fmt"
	"image/color"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"hrmlab/lab"
)

// Options choose the x axis and the bucketing of the training curves.
type Options struct {
	ByTime  bool // x is training time in seconds instead of the step
	Buckets int  // training curves are means over this many equal x ranges (0: a third of the logged points, 5 to 60)
}

// Style is how a run is drawn: a colour, a dash pattern and a marker, so the
// runs stay apart in monochrome too.
type Style struct {
	Color  color.Color
	Dashes []vg.Length
	Glyph  draw.GlyphDrawer
}

var palette = []color.Color{
	color.RGBA{R: 31, G: 119, B: 180, A: 255}, color.RGBA{R: 214, G: 39, B: 40, A: 255},
	color.RGBA{R: 44, G: 160, B: 44, A: 255}, color.RGBA{R: 148, G: 103, B: 189, A: 255},
	color.RGBA{R: 255, G: 127, B: 14, A: 255}, color.RGBA{R: 140, G: 86, B: 75, A: 255},
	color.RGBA{R: 23, G: 190, B: 207, A: 255}, color.RGBA{R: 127, G: 127, B: 127, A: 255},
}

var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2.5)},
	{vg.Points(8), vg.Points(3), vg.Points(1.5), vg.Points(3)},
	{vg.Points(12), vg.Points(4)},
	{vg.Points(4), vg.Points(2), vg.Points(1.5), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{},
	draw.RingGlyph{}, draw.BoxGlyph{}, draw.PlusGlyph{}, draw.PyramidGlyph{},
}

// StyleOf is the style of the i-th run; colour, dashes and marker cycle at
// different periods, so the first 24 runs all differ.
func StyleOf(i int) Style {
	return Style{Color: palette[i%len(palette)], Dashes: dashes[i%len(dashes)], Glyph: glyphs[i%len(glyphs)]}
}

// xy is one curve point with its weight in a bucket's mean.
type xy struct{ x, y, w float64 }

// trainCurve is y over the run's training points (x by step or time), each
// weighted by weight (nil: 1); points of zero weight are left out.
func trainCurve(r *lab.RunLog, byTime bool, weight func(lab.Point) float64, y func(lab.Point) float64) []xy {
	var out []xy
	for i, p := range r.Points {
		w := 1.0
		if weight != nil {
			w = weight(p)
		}
		if w <= 0 {
			continue
		}
		x := float64(p.Step)
		if byTime {
			x = r.Elapsed[i]
		}
		out = append(out, xy{x, y(p), w})
	}
	return out
}

// bucketed gives the weighted mean of the points in n equal x ranges from 0
// to xmax, one point per non-empty range at its middle (no interpolation).
func bucketed(ps []xy, n int, xmax float64) plotter.XYs {
	if len(ps) == 0 {
		return nil
	}
	width := xmax / float64(n)
	if width <= 0 {
		width = 1
	}
	sums, weights := make([]float64, n), make([]float64, n)
	for _, p := range ps {
		b := min(n-1, max(0, int(p.x/width)))
		sums[b] += p.w * p.y
		weights[b] += p.w
	}
	var out plotter.XYs
	for b := range n {
		if weights[b] > 0 {
			out = append(out, plotter.XY{X: (float64(b) + 0.5) * width, Y: sums[b] / weights[b]})
		}
	}
	return out
}

// plainTicks are gonum's default ticks labelled without trailing zeros
// (25, not 25.00).
type plainTicks struct{}

func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', 6, 64)
		}
	}
	return ts
}

// curve adds a line with markers (every few points for dense curves) to p,
// and to the legend when label is not empty.
func curve(p *plot.Plot, pts plotter.XYs, st Style, label string) error {
	if len(pts) == 0 {
		return nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	l.Color, l.Width, l.Dashes = st.Color, vg.Points(1.5), st.Dashes
	every := max(1, len(pts)/8)
	var marks plotter.XYs
	for i := 0; i < len(pts); i += every {
		marks = append(marks, pts[i])
	}
	sc, err := plotter.NewScatter(marks)
	if err != nil {
		return err
	}
	sc.Color, sc.Shape, sc.Radius = st.Color, st.Glyph, vg.Points(3)
	p.Add(l, sc)
	if label != "" {
		p.Legend.Add(label, l, sc)
	}
	return nil
}

// Draw writes the overlaid curves of runs to the PNG file path.
func Draw(runs []*lab.RunLog, opts Options, path string) error {
	if len(runs) == 0 {
		return fmt.Errorf("runplot: no runs to draw")
	}
	buckets := opts.Buckets
	if buckets <= 0 {
		// a few logged points a bucket: one point a bucket is noise
		n := 0
		for _, r := range runs {
			n = max(n, len(r.Points))
		}
		buckets = min(60, max(5, n/3))
	}
	xlabel := "step"
	if opts.ByTime {
		xlabel = "training time (s)"
	}
	loss, exact, token, halt := plot.New(), plot.New(), plot.New(), plot.New()
	loss.Title.Text, loss.Y.Label.Text = "training LM loss (bucketed means)", "LM loss per example"
	exact.Title.Text, exact.Y.Label.Text = "held-out exact accuracy", "fraction of puzzles"
	token.Title.Text, token.Y.Label.Text = "training token accuracy (bucketed)", "fraction of cells"
	halt.Title.Text, halt.Y.Label.Text = "mean halting step (training, bucketed)", "segments"
	exact.Y.Min, exact.Y.Max, token.Y.Min, token.Y.Max = 0, 1, 0, 1
	halt.Y.Min = 0
	panels := []*plot.Plot{loss, exact, token, halt}
	xmax := 0.0
	for _, r := range runs {
		if opts.ByTime {
			xmax = max(xmax, r.Elapsed[len(r.Elapsed)-1])
		} else {
			xmax = max(xmax, float64(r.Points[len(r.Points)-1].Step))
		}
	}
	for _, p := range panels {
		p.Add(plotter.NewGrid())
		p.X.Label.Text = xlabel
		p.X.Min, p.X.Max = 0, xmax
		p.X.Tick.Marker = plainTicks{}
	}
	// the legend where the curves leave room: top right of the falling loss,
	// top left of the rising accuracy
	loss.Legend.Top, loss.Legend.XOffs, loss.Legend.YOffs = true, -vg.Millimeter*3, -vg.Millimeter*2
	exact.Legend.Top, exact.Legend.Left, exact.Legend.XOffs, exact.Legend.YOffs = true, true, vg.Millimeter*3, -vg.Millimeter*2
	// training accuracies and halting steps are over the puzzles that halted
	// at a logged step: weighted by their count, steps where none did left out
	halted := func(p lab.Point) float64 { return float64(p.Count) }
	for i, r := range runs {
		st := StyleOf(i)
		if err := curve(loss, bucketed(trainCurve(r, opts.ByTime, nil, func(p lab.Point) float64 { return p.LMLoss }), buckets, xmax), st, r.Name); err != nil {
			return err
		}
		var ev plotter.XYs
		secs := r.EvalSeconds()
		for j, e := range r.Evals {
			x := float64(e.Step)
			if opts.ByTime {
				x = secs[j]
			}
			ev = append(ev, plotter.XY{X: x, Y: e.ExactAccuracy})
		}
		if err := curve(exact, ev, st, r.Name); err != nil {
			return err
		}
		if err := curve(token, bucketed(trainCurve(r, opts.ByTime, halted, func(p lab.Point) float64 { return p.TokenAccuracy }), buckets, xmax), st, ""); err != nil {
			return err
		}
		if err := curve(halt, bucketed(trainCurve(r, opts.ByTime, halted, func(p lab.Point) float64 { return p.MeanSteps }), buckets, xmax), st, ""); err != nil {
			return err
		}
	}
	img := vgimg.New(12*vg.Inch, 9*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 2, PadX: vg.Millimeter * 8, PadY: vg.Millimeter * 8,
		PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 5}
	canvases := plot.Align([][]*plot.Plot{{loss, exact}, {token, halt}}, tiles, dc)
	loss.Draw(canvases[0][0])
	exact.Draw(canvases[0][1])
	token.Draw(canvases[1][0])
	halt.Draw(canvases[1][1])
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
