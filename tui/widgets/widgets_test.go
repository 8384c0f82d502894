package widgets

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/exp/golden"

	"hrmlab/tasks"
	"hrmlab/tui/common"
)

func TestBucketMeansNotInterpolation(t *testing.T) {
	samples := []XY{{1, 1}, {2, 3}, {3, 10}, {4, math.NaN()}, {8, 4}}
	got := Bucket(samples, 1, 8, 4) // columns of two steps each
	want := []float64{2, 10, math.NaN(), 4}
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && got[i] != want[i]) {
			t.Fatalf("Bucket = %v, want %v", got, want)
		}
	}
	if c := Column(8, 1, 8, 4); c != 3 {
		t.Errorf("Column(8) = %d, want 3", c)
	}
	if c := Column(9, 1, 8, 4); c != -1 {
		t.Errorf("Column outside = %d, want -1", c)
	}
}

func TestBucketOneColumnPerStep(t *testing.T) {
	for n := 1; n <= 200; n++ {
		var samples []XY
		for x := 1; x <= n; x++ {
			samples = append(samples, XY{x, float64(x)})
		}
		for c, v := range Bucket(samples, 1, n, n) {
			if v != float64(c+1) {
				t.Fatalf("%d steps in %d columns: column %d holds %v", n, n, c, v)
			}
		}
	}
}

func TestSparklineScalesAndBlanksNaN(t *testing.T) {
	if got := Sparkline([]float64{0, 0.5, 1, math.NaN()}); got != "▁▄█ " {
		t.Errorf("Sparkline = %q", got)
	}
	if got := Sparkline([]float64{2, 2}); got != "██" {
		t.Errorf("flat Sparkline = %q", got)
	}
}

// checkSize fails unless s is exactly w x h cells.
func checkSize(t *testing.T, s string, w, h int) {
	t.Helper()
	lines := strings.Split(s, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), h, s)
	}
	for i, l := range lines {
		if lipgloss.Width(l) != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, lipgloss.Width(l), w, l)
		}
	}
}

func TestHistogramBarsAndLabels(t *testing.T) {
	out := Histogram{Counts: []int{4, 0, 2, 1}, Width: 16, Height: 3}.View()
	checkSize(t, out, 16, 3)
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "███ ") || strings.TrimSpace(lines[2]) != "1   2   3   4" {
		t.Errorf("unexpected histogram:\n%s", out)
	}
	if strings.ContainsAny(strings.Split(lines[1], " ")[1], "▁█") {
		t.Errorf("an empty bin has a bar:\n%s", out)
	}
}

func TestBrailleSizeAndLabels(t *testing.T) {
	var v []float64
	for i := range 500 {
		v = append(v, float64(500-i))
	}
	out := Braille{Values: v, Width: 30, Height: 4}.View()
	checkSize(t, out, 30, 4)
	lines := strings.Split(out, "\n")
	top, err1 := strconv.ParseFloat(strings.TrimSpace(strings.Split(lines[0], "│")[0]), 64)
	bottom, err2 := strconv.ParseFloat(strings.TrimSpace(strings.Split(lines[3], "│")[0]), 64)
	if err1 != nil || err2 != nil || top <= bottom || top > 500 || bottom < 1 {
		t.Errorf("want the largest and smallest bucket means as labels:\n%s", out)
	}
	if !strings.HasPrefix(strings.Split(lines[0], "│")[1], "⠉") {
		t.Errorf("a falling series starts at the top:\n%s", out)
	}
}

func lossLines() []Line {
	var a, b, e []XY
	for i := 1; i <= 400; i++ {
		a = append(a, XY{i, 2*math.Exp(-float64(i)/80) + 0.2})
		b = append(b, XY{i, 0.5 * math.Exp(-float64(i)/150)})
		if i%100 == 0 {
			e = append(e, XY{i, float64(i) / 500})
		}
	}
	return []Line{{Name: "lm", Samples: a}, {Name: "q halt", Samples: b}, {Name: "eval", Samples: e, Dots: true}}
}

func TestLineChartGolden(t *testing.T) {
	for _, mono := range []bool{false, true} {
		name := "colour"
		if mono {
			name = "mono"
		}
		t.Run(name, func(t *testing.T) {
			c := LineChart{Lines: lossLines(), Markers: []Marker{{150, '▲'}, {300, '◆'}}, X0: 1, X1: 400, Width: 48, Height: 10}
			out := c.View(common.NewStyles(mono))
			checkSize(t, out, 48, 10)
			golden.RequireEqual(t, out)
		})
	}
}

func TestLineChartMarkerUnderItsColumn(t *testing.T) {
	c := LineChart{Lines: lossLines()[:1], Markers: []Marker{{1, '▲'}}, X0: 1, X1: 400, Width: 40, Height: 8}
	lines := strings.Split(c.View(common.NewStyles(true)), "\n")
	axis := strings.IndexAny(lines[0], "┤┼")
	marker := strings.IndexRune(lines[len(lines)-2], '▲')
	if axis < 0 || lipgloss.Width(lines[0][:axis]) != lipgloss.Width(lines[len(lines)-2][:marker]) {
		t.Errorf("the step-1 marker is not under the axis column:\n%s", strings.Join(lines, "\n"))
	}
}

func TestLineChartNoData(t *testing.T) {
	out := LineChart{Lines: []Line{{Name: "x"}}, X0: 0, X1: 10, Width: 30, Height: 6}.View(common.NewStyles(true))
	checkSize(t, out, 30, 6)
	if !strings.Contains(out, "no data") {
		t.Errorf("want a no-data message:\n%s", out)
	}
}

func sudokuGrid(t *testing.T, n int, puzzle string) (tasks.Grid, []CellMark) {
	t.Helper()
	s, err := tasks.NewSudoku(n)
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.Parse(puzzle)
	if err != nil {
		t.Fatal(err)
	}
	pred := make([]int32, n*n)
	for i := range pred {
		pred[i] = int32(2 + (i*7)%n)
	}
	marks := make([]CellMark, n*n)
	for i := range marks {
		marks[i] = CellMark{Known: true, Right: i%3 != 0, Changed: i%5 == 2, Confidence: float32(i%10) / 10}
	}
	return s.Grid(in, pred), marks
}

func TestGridGolden(t *testing.T) {
	maze, err := tasks.NewMaze(7)
	if err != nil {
		t.Fatal(err)
	}
	mi, err := maze.Parse("#######\n#S    #\n# ### #\n#   # #\n### # #\n#G    #\n#######")
	if err != nil {
		t.Fatal(err)
	}
	mp := append([]int32(nil), mi...)
	for _, i := range []int{9, 10, 11, 15} { // a path that stops short
		mp[i] = 5
	}
	mazeMarks := make([]CellMark, 49)
	for i := range mazeMarks {
		mazeMarks[i] = CellMark{Known: true, Right: i != 15, Changed: i == 11, Confidence: 0.9}
	}
	arc := tasks.Grid{Rows: 3, Cols: 4, Cells: make([]tasks.Cell, 12)}
	for i := range arc.Cells {
		arc.Cells[i] = tasks.Cell{Color: i % 10}
	}
	arc.Cells[11] = tasks.Cell{Color: -1, Pad: true}
	arcMarks := make([]CellMark, 12)
	arcMarks[2] = CellMark{Known: true, Right: false}
	s4, m4 := sudokuGrid(t, 4, "1..4.4....2.4..1")
	s9, m9 := sudokuGrid(t, 9, "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79")
	cases := []struct {
		name  string
		grid  tasks.Grid
		marks []CellMark
	}{
		{"sudoku4", s4, m4}, {"sudoku9", s9, m9}, {"maze", maze.Grid(mi, mp), mazeMarks}, {"arc", arc, arcMarks},
	}
	for _, c := range cases {
		for _, mono := range []bool{false, true} {
			name := c.name
			if mono {
				name += "_mono"
			}
			t.Run(name, func(t *testing.T) {
				v := GridView{Grid: c.grid, Marks: c.marks}
				out := v.View(common.NewStyles(mono))
				w, h := v.Size()
				checkSize(t, out, w, h)
				golden.RequireEqual(t, out)
			})
		}
	}
}

func TestGridMonoMarksWrongAndChanged(t *testing.T) {
	g, marks := sudokuGrid(t, 4, "1..4.4....2.4..1")
	out := GridView{Grid: g, Marks: marks}.View(common.NewStyles(true))
	plain := stripANSI(out)
	if !strings.Contains(plain, "✗") || !strings.Contains(plain, "›") {
		t.Errorf("monochrome grid lacks the ✗/› marks:\n%s", plain)
	}
	if strings.Contains(out, "38;") || strings.Contains(out, "48;") {
		t.Errorf("monochrome grid sets colours: %q", out)
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '\x1b':
			in = true
		case in && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'):
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
