// Command plot draws the curves of HRM Lab runs to a PNG: for each run's
// metrics.jsonl, the training loss (bucketed means) above, and train token,
// train exact and eval exact accuracy below.
//
//	go run ./tools/plot -out docs/img/recipes.png runs/recipes/*/metrics.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

type trainPoint struct {
	Step          int     `json:"step"`
	Loss          float64 `json:"loss"`
	LMLoss        float64 `json:"lm_loss"`
	TokenAccuracy float64 `json:"token_accuracy"`
	ExactAccuracy float64 `json:"exact_accuracy"`
	Count         int     `json:"count"`
}

type evalPoint struct {
	Step          int     `json:"step"`
	ExactAccuracy float64 `json:"exact_accuracy"`
}

type series struct {
	name  string
	train []trainPoint
	evals []evalPoint
}

func main() {
	out := flag.String("out", "curves.png", "PNG `FILE` to write")
	buckets := flag.Int("buckets", 60, "loss buckets along the run")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "plot: name one or more metrics.jsonl files")
		os.Exit(2)
	}
	var runs []series
	for _, path := range flag.Args() {
		s, err := read(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "plot:", err)
			os.Exit(2)
		}
		runs = append(runs, s)
	}
	if err := draw2(runs, *buckets, *out); err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
}

func read(path string) (series, error) {
	f, err := os.Open(path)
	if err != nil {
		return series{}, err
	}
	defer f.Close()
	s := series{name: filepath.Base(filepath.Dir(path))}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		var rec struct {
			Kind string          `json:"kind"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return s, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		switch rec.Kind {
		case "train":
			var p trainPoint
			if err := json.Unmarshal(rec.Data, &p); err != nil {
				return s, fmt.Errorf("%s:%d: %v", path, line, err)
			}
			s.train = append(s.train, p)
		case "eval":
			var e evalPoint
			if err := json.Unmarshal(rec.Data, &e); err != nil {
				return s, fmt.Errorf("%s:%d: %v", path, line, err)
			}
			s.evals = append(s.evals, e)
		}
	}
	if len(s.train) == 0 {
		return s, errors.New(path + ": no training records")
	}
	return s, sc.Err()
}

// bucketed averages the points in n equal step ranges (no interpolation).
func bucketed(ps []trainPoint, n int, y func(trainPoint) float64) plotter.XYs {
	last := ps[len(ps)-1].Step
	width := max(1, (last+n-1)/n)
	var out plotter.XYs
	sum, count, lo := 0.0, 0, 0
	for _, p := range ps {
		for p.Step >= lo+width {
			if count > 0 {
				out = append(out, plotter.XY{X: float64(lo) + float64(width)/2, Y: sum / float64(count)})
			}
			sum, count, lo = 0, 0, lo+width
		}
		sum += y(p)
		count++
	}
	if count > 0 {
		out = append(out, plotter.XY{X: float64(lo) + float64(width)/2, Y: sum / float64(count)})
	}
	return out
}

var palette = []color.Color{
	color.RGBA{R: 31, G: 119, B: 180, A: 255}, color.RGBA{R: 214, G: 39, B: 40, A: 255},
	color.RGBA{R: 44, G: 160, B: 44, A: 255}, color.RGBA{R: 148, G: 103, B: 189, A: 255},
	color.RGBA{R: 255, G: 127, B: 14, A: 255}, color.RGBA{R: 140, G: 86, B: 75, A: 255},
}

func line(p *plot.Plot, xy plotter.XYs, c color.Color, dashed bool, label string) error {
	l, err := plotter.NewLine(xy)
	if err != nil {
		return err
	}
	l.Color = c
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l)
	p.Legend.Add(label, l)
	return nil
}

func draw2(runs []series, buckets int, out string) error {
	loss, acc := plot.New(), plot.New()
	loss.Title.Text, loss.X.Label.Text, loss.Y.Label.Text = "training loss (bucketed means)", "step", "LM loss per example"
	acc.Title.Text, acc.X.Label.Text, acc.Y.Label.Text = "accuracy", "step", "fraction"
	acc.Y.Min, acc.Y.Max = 0, 1
	for _, pl := range []*plot.Plot{loss, acc} {
		pl.Add(plotter.NewGrid())
		pl.Legend.Top = true
		pl.Legend.Left = pl == acc
	}
	for i, r := range runs {
		c := palette[i%len(palette)]
		if err := line(loss, bucketed(r.train, buckets, func(p trainPoint) float64 { return p.LMLoss }), c, false, r.name); err != nil {
			return err
		}
		// Training accuracies are over the puzzles that halted at a step: skip
		// the steps where none did.
		halted := slices.DeleteFunc(slices.Clone(r.train), func(p trainPoint) bool { return p.Count == 0 })
		if len(halted) > 0 {
			if err := line(acc, bucketed(halted, buckets, func(p trainPoint) float64 { return p.TokenAccuracy }), c, true, r.name+" train token"); err != nil {
				return err
			}
		}
		var ev plotter.XYs
		for _, e := range r.evals {
			ev = append(ev, plotter.XY{X: float64(e.Step), Y: e.ExactAccuracy})
		}
		if len(ev) > 0 {
			if err := line(acc, ev, c, false, r.name+" eval exact"); err != nil {
				return err
			}
			sc, err := plotter.NewScatter(ev)
			if err != nil {
				return err
			}
			sc.Color = c
			acc.Add(sc)
		}
	}
	img := vgimg.New(9*vg.Inch, 9*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 6, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align([][]*plot.Plot{{loss}, {acc}}, tiles, dc)
	loss.Draw(canvases[0][0])
	acc.Draw(canvases[1][0])
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
