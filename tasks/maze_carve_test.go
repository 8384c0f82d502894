package tasks

import (
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// freeGraph counts the free cells of a carved grid, the edges between adjacent free cells
// and the free cells reachable from the first one.
func freeGraph(m *Maze, grid []int32) (cells, edges, reached int) {
	first := -1
	for i, t := range grid {
		if t == mazeWall {
			continue
		}
		cells++
		if first < 0 {
			first = i
		}
		m.neighbours(i, func(j int) {
			if j > i && grid[j] != mazeWall {
				edges++
			}
		})
	}
	for _, d := range m.distances(grid, first) {
		if d >= 0 {
			reached++
		}
	}
	return cells, edges, reached
}

// texture returns the fraction of rooms that are dead ends (one open side) and that are
// straight corridor (open on two opposite sides) in a carved grid.
func texture(m *Maze, grid []int32) (deadEnds, straight float64) {
	n, rooms := m.n, 0
	for r := 1; r < n-1; r += 2 {
		for c := 1; c < n-1; c += 2 {
			i := r*n + c
			if c+1 >= n-1+n%2 || r+1 >= n-1+n%2 {
				continue // the last row and column of an even maze stay walls
			}
			rooms++
			open := func(j int) bool { return grid[j] != mazeWall }
			deg := 0
			m.neighbours(i, func(j int) {
				if open(j) {
					deg++
				}
			})
			switch {
			case deg == 1:
				deadEnds++
			case deg == 2 && (open(i-1) && open(i+1) || open(i-n) && open(i+n)):
				straight++
			}
		}
	}
	return deadEnds / float64(rooms), straight / float64(rooms)
}

func TestMazeCarversArePerfect(t *testing.T) {
	count := 40
	if testing.Short() || raceEnabled {
		count = 5
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for _, carver := range MazeCarvers {
		for _, n := range []int{5, 7, 11, 12, 21, 30} {
			m, _ := NewMaze(n)
			k := (n - 1 + n%2 - 1) / 2
			loopy := 0
			for range count {
				grid := m.carve(rng, carver, 0)
				for i, tok := range grid {
					r, c := i/n, i%n
					room := r%2 == 1 && c%2 == 1 && r < 2*k && c < 2*k
					if room && tok != mazeFree || r%2 == 0 && c%2 == 0 && tok != mazeWall ||
						(r == 0 || c == 0 || r >= 2*k || c >= 2*k) && tok != mazeWall {
						t.Fatalf("%s %dx%d: cell (%d,%d) is %q\n%s", carver, n, n, r, c, m.Format(grid[i:i+1]), m.Format(grid))
					}
				}
				cells, edges, reached := freeGraph(m, grid)
				if cells != 2*k*k-1 || reached != cells || edges != cells-1 {
					t.Fatalf("%s %dx%d: %d free cells (want %d), %d edges, %d connected: not a spanning tree\n%s",
						carver, n, n, cells, 2*k*k-1, edges, reached, m.Format(grid))
				}
				// Loops knock down walls of the same tree kind: still connected, now with cycles.
				grid = m.carve(rng, carver, 0.2)
				cells, edges, reached = freeGraph(m, grid)
				if reached != cells || edges < cells-1 {
					t.Fatalf("%s %dx%d with loops: %d of %d cells connected, %d edges", carver, n, n, reached, cells, edges)
				}
				if edges > cells-1 {
					loopy++
				}
			}
			if n >= 11 && loopy != count {
				t.Errorf("%s %dx%d: loops 0.2 made cycles in %d of %d mazes", carver, n, n, loopy, count)
			}
		}
	}
}

// TestMazeCarverTextures checks that the carvers differ where the literature says they do:
// depth-first search makes long corridors and few dead ends (about 10-17% of the rooms),
// Kruskal and Wilson about 30%, Prim the most.
func TestMazeCarverTextures(t *testing.T) {
	const count = 300
	for _, n := range []int{11, 21} {
		m, _ := NewMaze(n)
		dead, straight := map[string]float64{}, map[string]float64{}
		for _, carver := range MazeCarvers {
			rng := rand.New(rand.NewPCG(4, 4))
			for range count {
				d, s := texture(m, m.carve(rng, carver, 0))
				dead[carver] += d / count
				straight[carver] += s / count
			}
			t.Logf("%dx%d %-7s dead ends %.3f of the rooms, straight corridor %.3f", n, n, carver, dead[carver], straight[carver])
		}
		if dead["dfs"] > 0.2 || straight["dfs"] < 0.28 {
			t.Errorf("%dx%d dfs: dead ends %.3f, straight %.3f; want long corridors", n, n, dead["dfs"], straight["dfs"])
		}
		for _, c := range []string{"kruskal", "wilson"} {
			if dead[c] < 0.27 || dead[c] > 0.34 || straight[c] > 0.2 {
				t.Errorf("%dx%d %s: dead ends %.3f, straight %.3f; want about 0.3 and below 0.2", n, n, c, dead[c], straight[c])
			}
		}
		if dead["prim"] < dead["kruskal"]+0.02 || dead["prim"] < dead["wilson"]+0.02 {
			t.Errorf("%dx%d prim: dead ends %.3f, not clearly above kruskal %.3f and wilson %.3f", n, n, dead["prim"], dead["kruskal"], dead["wilson"])
		}
	}
}

// TestMazeWilsonUniform checks that Wilson's carver draws the 192 spanning trees of the 3x3
// lattice (7x7 mazes) uniformly, and that Kruskal's, which is not uniform, fails the same test.
func TestMazeWilsonUniform(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("samples 38,400 mazes")
	}
	m, _ := NewMaze(7)
	chi2 := func(carver string) (float64, int) {
		const perTree = 100
		rng := rand.New(rand.NewPCG(6, 6))
		seen := map[string]int{}
		for range 192 * perTree {
			seen[m.Format(m.carve(rng, carver, 0))]++
		}
		x := 0.0
		for _, c := range seen {
			x += float64((c-perTree)*(c-perTree)) / perTree
		}
		return x + float64(192-len(seen))*perTree, len(seen)
	}
	// 191 degrees of freedom: mean 191, standard deviation 19.5.
	x, trees := chi2("wilson")
	t.Logf("wilson: %d trees, chi-square %.0f", trees, x)
	if trees != 192 || x > 290 {
		t.Errorf("wilson: %d distinct trees, chi-square %.0f; want 192 and a uniform draw (below 290)", trees, x)
	}
	x, _ = chi2("kruskal")
	t.Logf("kruskal: chi-square %.0f", x)
	if x < 400 {
		t.Errorf("kruskal: chi-square %.0f, as uniform as Wilson's", x)
	}
}

func TestMazeCarverLabels(t *testing.T) {
	count := 25
	if testing.Short() || raceEnabled {
		count = 8
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for _, carver := range append(slices.Clone(MazeCarvers), "mix", "") {
		for _, n := range []int{7, 11, 21} {
			m, _ := NewMaze(n)
			for _, d := range []Difficulty{
				{Carver: carver, Loops: -1, MinPathLen: 1, MaxPathLen: 9},
				{Carver: carver, Loops: -1, MinPathLen: 10, MaxPathLen: 19},
				{Carver: carver, Loops: -1, MinPathLen: 20},
				{Carver: carver, Loops: 0.3, MinPathLen: 2, MaxPathLen: 4 * n},
				{Carver: carver, Level: "easy"},
				{Carver: carver, MaxPathLen: 3}, // below the medium level's minimum, which gives way
			} {
				if n == 7 && d.MinPathLen >= 10 {
					continue
				}
				what := fmt.Sprintf("%dx%d %+v", n, n, d)
				for range count {
					ex, err := m.Generate(rng, d)
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					steps := bfsSteps(n, m.Format(ex.Input))
					if steps < max(d.MinPathLen, 1) || d.MaxPathLen > 0 && steps > d.MaxPathLen {
						t.Fatalf("%s: shortest path %d steps", what, steps)
					}
					assertShortestLabel(t, m, ex, what)
					if r := m.Check(ex, ex.Label); !r.Exact || !r.Valid {
						t.Fatalf("%s: Check(label) = %+v", what, r)
					}
				}
			}
		}
	}
}

// TestMazePathSkew: the lengths drawn from 1..48 fall in 1..9 a fifth of the time
// uniformly and a third of the time with skew 0.5 ((9/48)^(1/1.5) = 0.33), and the
// mazes carry them out.
func TestMazePathSkew(t *testing.T) {
	m, _ := NewMaze(11)
	rng := rand.New(rand.NewPCG(9, 9))
	for _, c := range []struct{ skew, want float64 }{{0, 9.0 / 48}, {0.5, 0.3275}} {
		const count = 600
		short := 0
		for range count {
			ex, err := m.Generate(rng, Difficulty{Carver: "mix", Loops: -1, MinPathLen: 1, MaxPathLen: 48, PathSkew: c.skew})
			if err != nil {
				t.Fatal(err)
			}
			if bfsSteps(11, m.Format(ex.Input)) <= 9 {
				short++
			}
		}
		if got := float64(short) / count; math.Abs(got-c.want) > 0.06 {
			t.Errorf("skew %g: %.3f of the paths are 1-9 steps, want about %.3f", c.skew, got, c.want)
		}
	}
	for _, skew := range []float64{0, 0.5, 3} { // the draw stays within lo..hi
		for range 2000 {
			if l := drawPathLen(rng, 4, 7, skew); l < 4 || l > 7 {
				t.Fatalf("skew %g: drew %d from 4..7", skew, l)
			}
		}
	}
}

// TestMazeMixDrawsEveryCarver tells the depth-first mazes of a mix or a list apart by their
// dead ends (about 12 of 100 rooms at 21x21, against 29 or more for the others): each listed
// name is drawn in proportion to its repeats.
func TestMazeMixDrawsEveryCarver(t *testing.T) {
	m, _ := NewMaze(21)
	const count = 400
	for _, c := range []struct {
		carver string
		dfs    int // expected depth-first mazes of count
	}{
		{"mix", count / 4},
		{"dfs,dfs,kruskal,prim,wilson", count * 2 / 5},
		{"kruskal,dfs", count / 2},
		{"wilson,prim", 0},
	} {
		rng := rand.New(rand.NewPCG(8, 8))
		dfs := 0
		for range count {
			ex, err := m.Generate(rng, Difficulty{Carver: c.carver, Loops: -1, MinPathLen: 1, MaxPathLen: 60})
			if err != nil {
				t.Fatal(err)
			}
			if d, _ := texture(m, ex.Input); d < 0.2 {
				dfs++
			}
		}
		if dfs < c.dfs-40 || dfs > c.dfs+40 {
			t.Errorf("%s: %d of %d mazes look depth-first, want about %d", c.carver, dfs, count, c.dfs)
		}
	}
}

func TestMazeCarverSeedsReproduce(t *testing.T) {
	fingerprint := func(n int, d Difficulty) string {
		m, _ := NewMaze(n)
		rng := rand.New(rand.NewPCG(1, 2))
		h := sha256.New()
		for range 50 {
			ex, err := m.Generate(rng, d)
			if err != nil {
				t.Fatal(err)
			}
			h.Write([]byte(m.Format(ex.Input)))
			h.Write([]byte(m.Format(ex.Label)))
		}
		return fmt.Sprintf("%x", h.Sum(nil)[:8])
	}
	// The depth-first carver makes the very mazes it made before there were other carvers, so
	// runs and test splits of earlier versions are unchanged.
	for _, c := range []struct {
		n    int
		d    Difficulty
		want string
	}{
		{11, Difficulty{MinPathLen: 10}, "2923c390539fbd34"},
		{30, Difficulty{Level: "hard"}, "5e86568319e62dc6"},
		{12, Difficulty{Level: "easy", Carver: "dfs"}, "76d0b0a0c6293305"},
	} {
		if got := fingerprint(c.n, c.d); got != c.want {
			t.Errorf("%dx%d %+v: fingerprint %s, want %s", c.n, c.n, c.d, got, c.want)
		}
	}
	seen := map[string]string{}
	for _, carver := range append(slices.Clone(MazeCarvers), "mix") {
		d := Difficulty{Carver: carver, MinPathLen: 2, MaxPathLen: 30, Loops: 0.1}
		a, b := fingerprint(11, d), fingerprint(11, d)
		if a != b {
			t.Errorf("%s: the same seed gave %s and %s", carver, a, b)
		}
		if other, ok := seen[a]; ok {
			t.Errorf("%s makes the mazes of %s", carver, other)
		}
		seen[a] = carver
	}
	// mix is the list of the four: the same draws, so the same mazes.
	list, mix := Difficulty{Carver: strings.Join(MazeCarvers, ","), MinPathLen: 2, MaxPathLen: 30, Loops: 0.1}, Difficulty{Carver: "mix", MinPathLen: 2, MaxPathLen: 30, Loops: 0.1}
	if a, b := fingerprint(11, list), fingerprint(11, mix); a != b {
		t.Errorf("%s: fingerprint %s, mix's %s", list.Carver, a, b)
	}
	for _, bad := range []string{"dfs,eller", "dfs,,prim", "mix,dfs", "dfs,"} {
		if err := CheckCarver(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("carver %q: %v", bad, err)
		}
	}
}

func TestMazeCarverErrors(t *testing.T) {
	m, _ := NewMaze(11)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range []struct {
		d    Difficulty
		want string
	}{
		{Difficulty{Carver: "eller"}, `carver "eller": want dfs, kruskal, prim, wilson, mix, or a comma-separated list`},
		{Difficulty{Carver: "dfs,eller"}, `carver "dfs,eller": want`},
		{Difficulty{MinPathLen: 20, MaxPathLen: 10}, "max path length 10"},
		{Difficulty{MaxPathLen: -1}, "max path length -1"},
		{Difficulty{MaxPathLen: 9, PathSkew: -1}, "path skew -1"},
		{Difficulty{Carver: "prim", MinPathLen: 60, MaxPathLen: 64}, "no prim maze with a shortest path of 60 to 64 steps"},
	} {
		if _, err := m.Generate(rng, c.d); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Generate(%+v): %v, want %q", c.d, err, c.want)
		}
	}
	if _, err := New(Options{Kind: "maze", Size: 11, TestCount: 1, Difficulty: Difficulty{Carver: "eller"}}); err == nil {
		t.Error("New accepted an unknown carver")
	}
}
