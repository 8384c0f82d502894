package tasks

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// bfsSteps is an independent shortest-path length for the tests: BFS over the characters
// of a maze string (walls '#'), -1 when G is unreachable.
func bfsSteps(n int, maze string) int {
	s, g := strings.IndexByte(maze, 'S'), strings.IndexByte(maze, 'G')
	dist := map[int]int{s: 0}
	for queue := []int{s}; len(queue) > 0; queue = queue[1:] {
		i := queue[0]
		if i == g {
			return dist[i]
		}
		for _, d := range [][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
			r, c := i/n+d[0], i%n+d[1]
			j := r*n + c
			if r < 0 || c < 0 || r >= n || c >= n || maze[j] == '#' {
				continue
			}
			if _, ok := dist[j]; !ok {
				dist[j] = dist[i] + 1
				queue = append(queue, j)
			}
		}
	}
	return -1
}

// assertShortestLabel checks that the label's 'o' cells form a connected S-G path through free
// cells of exactly the BFS length, and that everything else equals the question.
func assertShortestLabel(t *testing.T, m *Maze, ex Example, what string) {
	t.Helper()
	q, a := m.Format(ex.Input), m.Format(ex.Label)
	want := bfsSteps(m.n, q)
	if want < 1 {
		t.Fatalf("%s: G unreachable in\n%s", what, q)
	}
	path := 0
	for i := range q {
		if a[i] == 'o' {
			if q[i] != ' ' {
				t.Fatalf("%s: path on %q at %d", what, q[i], i)
			}
			path++
		} else if a[i] != q[i] {
			t.Fatalf("%s: label changes %q to %q at %d", what, q[i], a[i], i)
		}
	}
	if path+1 != want {
		t.Fatalf("%s: path of %d steps, BFS says %d", what, path+1, want)
	}
	// The path cells must connect S to G: BFS restricted to path cells reaches G in want steps.
	onlyPath := strings.Map(func(r rune) rune {
		if r == ' ' {
			return '#'
		}
		return r
	}, strings.ReplaceAll(a, "o", "."))
	if got := bfsSteps(m.n, onlyPath); got != want {
		t.Fatalf("%s: path cells connect S to G in %d steps, want %d", what, got, want)
	}
}

func TestMazeLabelsAreShortestPaths(t *testing.T) {
	counts := map[int]int{7: 200, 12: 200, 21: 150, 30: 150}
	if testing.Short() || raceEnabled {
		counts = map[int]int{7: 20, 12: 20, 21: 20, 30: 20}
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for n, count := range counts {
		m, err := NewMaze(n)
		if err != nil {
			t.Fatal(err)
		}
		for k := range count {
			level := []string{"easy", "medium", "hard"}[k%3]
			ex, err := m.Generate(rng, Difficulty{Level: level})
			if err != nil {
				t.Fatal(err)
			}
			lim, _ := m.limits(Difficulty{Level: level})
			if steps := bfsSteps(n, m.Format(ex.Input)); steps < lim.minPath {
				t.Fatalf("%dx%d %s: path %d < %d", n, n, level, steps, lim.minPath)
			}
			assertShortestLabel(t, m, ex, level)
			aug := m.Augment(rng, ex)
			assertShortestLabel(t, m, aug, level+" augmented")
			if r := m.Check(ex, ex.Label); !r.Exact || !r.Valid || r.Violations != nil {
				t.Fatalf("Check(label) = %+v", r)
			}
		}
	}
}

func TestMazeHard30MinPath(t *testing.T) {
	m, _ := NewMaze(30)
	rng := rand.New(rand.NewPCG(9, 9))
	for range 30 {
		ex, err := m.Generate(rng, Difficulty{Level: "hard"})
		if err != nil {
			t.Fatal(err)
		}
		if s := bfsSteps(30, m.Format(ex.Input)); s < 110 {
			t.Fatalf("hard 30x30 maze with path %d < 110", s)
		}
	}
	if _, err := m.Generate(rng, Difficulty{MinPathLen: 5000}); err == nil || !strings.Contains(err.Error(), "attempts") {
		t.Fatalf("unreachable path length: %v", err)
	}
	if _, err := m.Generate(rng, Difficulty{Level: "nope"}); err == nil {
		t.Fatal("unknown level accepted")
	}
}

// A 7x7 maze with several shortest S-G paths and longer detours.
var loopMaze = []string{
	"#######",
	"#S    #",
	"# ### #",
	"#     #",
	"# # # #",
	"#    G#",
	"#######",
}

func TestMazeCheckRules(t *testing.T) {
	m, _ := NewMaze(7)
	in, err := m.Parse(strings.Join(loopMaze, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	label, err := m.Solve(in)
	if err != nil {
		t.Fatal(err)
	}
	ex := Example{Input: in, Label: label}
	mk := func(rows ...string) []int32 {
		p, err := m.Parse(strings.Join(rows, ""))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	right := mk("#######", "#Soooo#", "# ###o#", "#    o#", "# # #o#", "#    G#", "#######")
	down := mk("#######", "#S    #", "#o### #", "#o    #", "#o# # #", "#ooooG#", "#######")
	long := mk("#######", "#Soooo#", "# ###o#", "#  ooo#", "# #o# #", "#  ooG#", "#######")
	broken := mk("#######", "#Soooo#", "# ### #", "#     #", "# # #o#", "#    G#", "#######")
	wall := mk("#######", "#Soooo#", "# ###o#", "#    o#", "# # #o#", "#    G#", "###o###")
	cases := []struct {
		name  string
		pred  []int32
		valid bool
		bad   []int
	}{
		{"right", right, true, nil},
		{"down", down, true, nil},
		{"long", long, false, []int{25, 24, 31, 38, 39}},
		{"broken", broken, false, []int{12, 33}},
		{"wall", wall, false, []int{45}},
	}
	for _, c := range cases {
		r := m.Check(ex, c.pred)
		if r.Valid != c.valid {
			t.Errorf("%s: Valid = %v, want %v (violations %v)", c.name, r.Valid, c.valid, r.Violations)
		}
		for _, i := range c.bad {
			if !containsInt(r.Violations, i) {
				t.Errorf("%s: violations %v lack cell %d", c.name, r.Violations, i)
			}
		}
		if c.valid && r.Violations != nil {
			t.Errorf("%s: violations %v on a valid path", c.name, r.Violations)
		}
	}
	if r := m.Check(ex, label); !r.Exact {
		t.Fatal("label not exact")
	}
	g := m.Grid(in, long)
	if !g.Cells[8].Given || g.Cells[8].Text != "S" || !g.Cells[9].Path || !g.Cells[25].Violation || g.Cells[9].Violation {
		t.Fatalf("Grid cells: %+v %+v %+v", g.Cells[8], g.Cells[9], g.Cells[25])
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestMazeParseErrors(t *testing.T) {
	m, _ := NewMaze(5)
	for _, c := range []struct{ text, want string }{
		{"#####", "25 characters"},
		{"#####\n#S  #\n# # #\n#  G#\n####", "line 5 has 4"},
		{"#####\n#S  #\n# x #\n#  G#\n#####", "row 3, column 3"},
	} {
		if _, err := m.Parse(c.text); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) error %v, want %q", c.text, err, c.want)
		}
	}
	in, err := m.Parse("######S  ## # ##  G######")
	if err != nil || m.Format(in) != "######S  ## # ##  G######" {
		t.Fatalf("round trip: %v %q", err, m.Format(in))
	}
	if _, err := NewMaze(4); err == nil {
		t.Error("NewMaze(4) accepted")
	}
	noGoal, _ := m.Parse("######S  ## # ##   ######")
	if _, err := m.Solve(noGoal); err == nil {
		t.Error("Solve without G accepted")
	}
}
