package tasks

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Maze tokens: index in "# SGo" plus one; 0 is PAD.
const (
	mazeWall  = 1
	mazeFree  = 2
	mazeStart = 3
	mazeGoal  = 4
	mazePath  = 5
	mazeChars = "# SGo"
)

// Maze is the shortest-path task on an N x N grid of walls and free cells. Its text format is
// N*N characters over "# SGo" ('#' wall, ' ' free, 'S' start, 'G' goal, 'o' path), as one
// string or as N lines of N characters.
type Maze struct {
	n int
}

// NewMaze returns the maze task of side n (5..64).
func NewMaze(n int) (*Maze, error) {
	if n < 5 || n > 64 {
		return nil, fmt.Errorf("maze side %d: want 5..64", n)
	}
	return &Maze{n: n}, nil
}

// Name returns "maze".
func (m *Maze) Name() string { return "maze" }

// Size returns the side N.
func (m *Maze) Size() int { return m.n }

// Vocab returns the display labels of tokens 0..5.
func (m *Maze) Vocab() []string { return []string{"PAD", "#", " ", "S", "G", "o"} }

// SeqLen returns N*N.
func (m *Maze) SeqLen() int { return m.n * m.n }

// GridShape returns (N, N).
func (m *Maze) GridShape() (rows, cols int) { return m.n, m.n }

// NumPuzzleIDs returns 1: all mazes share identifier 0, as in the reference.
func (m *Maze) NumPuzzleIDs() int { return 1 }

// Format writes tokens as characters of "# SGo" ('?' for PAD or out-of-range tokens).
func (m *Maze) Format(tokens []int32) string {
	var b strings.Builder
	for _, t := range tokens {
		if t >= mazeWall && t <= mazePath {
			b.WriteByte(mazeChars[t-1])
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// Parse reads N*N characters over "# SGo", either as one string or as N lines of N characters.
func (m *Maze) Parse(text string) ([]int32, error) {
	if len(text) != m.n*m.n {
		lines := strings.Split(strings.TrimRight(strings.ReplaceAll(text, "\r", ""), "\n"), "\n")
		if len(lines) != m.n {
			return nil, fmt.Errorf("maze %dx%d: %d characters in %d lines, want %d characters or %d lines of %d",
				m.n, m.n, len(text), len(lines), m.n*m.n, m.n, m.n)
		}
		for i, l := range lines {
			if len(l) != m.n {
				return nil, fmt.Errorf("maze %dx%d: line %d has %d characters, want %d", m.n, m.n, i+1, len(l), m.n)
			}
		}
		text = strings.Join(lines, "")
	}
	out := make([]int32, len(text))
	for i := range len(text) {
		k := strings.IndexByte(mazeChars, text[i])
		if k < 0 {
			return nil, fmt.Errorf("maze %dx%d: character %d (row %d, column %d) is %q, want one of %q",
				m.n, m.n, i+1, i/m.n+1, i%m.n+1, text[i], mazeChars)
		}
		out[i] = int32(k + 1)
	}
	return out, nil
}

// neighbours calls fn for the cells next to i (up, left, right, down).
func (m *Maze) neighbours(i int, fn func(j int)) {
	r, c := i/m.n, i%m.n
	if r > 0 {
		fn(i - m.n)
	}
	if c > 0 {
		fn(i - 1)
	}
	if c < m.n-1 {
		fn(i + 1)
	}
	if r < m.n-1 {
		fn(i + m.n)
	}
}

// distances returns the BFS distance from cell from to every cell through non-wall cells
// (-1 when unreachable).
func (m *Maze) distances(tokens []int32, from int) []int {
	dist := make([]int, len(tokens))
	for i := range dist {
		dist[i] = -1
	}
	dist[from] = 0
	queue := []int{from}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		m.neighbours(i, func(j int) {
			if dist[j] < 0 && tokens[j] >= mazeFree && tokens[j] <= mazePath {
				dist[j] = dist[i] + 1
				queue = append(queue, j)
			}
		})
	}
	return dist
}

// ends returns the cells of S and G (-1 when missing).
func ends(tokens []int32) (s, g int) {
	s, g = -1, -1
	for i, t := range tokens {
		switch t {
		case mazeStart:
			s = i
		case mazeGoal:
			g = i
		}
	}
	return s, g
}

// Solve returns the label of a maze question: the input with one shortest S-G path marked 'o'
// (S and G keep their tokens). It fails when S or G is missing or G cannot be reached.
func (m *Maze) Solve(input []int32) ([]int32, error) {
	if len(input) != m.n*m.n {
		return nil, fmt.Errorf("maze %dx%d: %d tokens, want %d", m.n, m.n, len(input), m.n*m.n)
	}
	s, g := ends(input)
	if s < 0 || g < 0 {
		return nil, fmt.Errorf("maze %dx%d: no start 'S' or goal 'G'", m.n, m.n)
	}
	dist := m.distances(input, s)
	if dist[g] < 0 {
		return nil, fmt.Errorf("maze %dx%d: goal not reachable from start", m.n, m.n)
	}
	label := append([]int32(nil), input...)
	for i := g; dist[i] > 1; {
		next := -1
		m.neighbours(i, func(j int) {
			if next < 0 && dist[j] == dist[i]-1 {
				next = j
			}
		})
		label[next] = mazePath
		i = next
	}
	return label, nil
}

// mazeLimits is a resolved maze difficulty.
type mazeLimits struct {
	minPath int
	maxPath int // 0: no limit, G lies far from S
	skew    float64
	loops   float64
	far     float64  // without maxPath, G lies at least this fraction of the farthest distance from S
	carvers []string // one is drawn per maze
}

// limits resolves d. With k x k corridor cells (k = 14 at N = 30), hard asks for a shortest
// path of at least 0.56 k² steps (110 at N = 30, the reference's Maze-Hard filter), medium
// half that, easy no minimum. Loops knock down 2% of the inner walls (easy: 8%), and G lies
// at least 70% of the farthest distance from S (easy: 30%).
func (m *Maze) limits(d Difficulty) (mazeLimits, error) {
	l := mazeLimits{loops: 0.02, far: 0.7, maxPath: d.MaxPathLen, skew: d.PathSkew}
	k := float64((m.n - 1) / 2)
	switch d.Level {
	case "easy":
		l.loops, l.far = 0.08, 0.3
	case "", "medium":
		l.minPath = int(math.Round(0.28 * k * k))
	case "hard":
		l.minPath = int(math.Round(0.56 * k * k))
	default:
		return l, fmt.Errorf("difficulty level %q: want easy, medium or hard", d.Level)
	}
	if d.MinPathLen != 0 {
		l.minPath = d.MinPathLen
	} else if l.maxPath > 0 {
		l.minPath = min(l.minPath, l.maxPath) // the level's minimum gives way to an explicit maximum
	}
	if d.Loops != 0 {
		l.loops = max(d.Loops, 0)
	}
	if l.minPath < 0 || l.loops > 1 {
		return l, fmt.Errorf("maze min path length %d, loops %g: want length >= 0 and loops <= 1", l.minPath, l.loops)
	}
	if l.skew < 0 || math.IsNaN(l.skew) {
		return l, fmt.Errorf("maze path skew %g: want 0 (uniform) or more", l.skew)
	}
	if l.maxPath < 0 || (l.maxPath > 0 && l.maxPath < max(l.minPath, 1)) {
		return l, fmt.Errorf("maze max path length %d: want 0 (no limit) or at least the min path length %d and 1", l.maxPath, l.minPath)
	}
	var err error
	l.carvers, err = carverList(d.Carver)
	return l, err
}

// mazeAttempts bounds the retries of the maze generator: enough for the rare textures, such
// as a Prim maze of side 11 with a path of 30 steps (about 1 in 100).
const mazeAttempts = 1000

// mazeTargetAttempts bounds the retries for a drawn path length that a maze reaching the
// minimum has already come short of: then the one that went farthest is taken.
const mazeTargetAttempts = 50

// Generate returns a maze whose shortest S-G path is within the difficulty's range. The
// difficulty's carver ("mix" or a list: one of them, drawn once per maze) opens a spanning tree
// of the rooms on the odd cells (for even N the last row and column stay walls), then a
// fraction of the inner walls between two rooms is knocked down to make loops, and S is a
// random free cell; mazes are carved again until G can be placed. Without a maximum path
// length, G is a random cell among those at least the minimum path length and a
// level-dependent fraction of the farthest distance away. With one, the path length is drawn
// uniformly from the range first and G is a random cell that far from S; when none of
// mazeTargetAttempts mazes reaches that length, G is a farthest cell of the one that went
// farthest (among those that reach the minimum).
func (m *Maze) Generate(rng *rand.Rand, d Difficulty) (Example, error) {
	l, err := m.limits(d)
	if err != nil {
		return Example{}, err
	}
	carver := l.carvers[0]
	if len(l.carvers) > 1 {
		carver = l.carvers[rng.IntN(len(l.carvers))]
	}
	target := 0
	if l.maxPath > 0 {
		target = drawPathLen(rng, max(l.minPath, 1), l.maxPath, l.skew)
	}
	var best *mazeDraft
	for attempt := range mazeAttempts {
		dr := m.draft(rng, carver, l.loops)
		switch {
		case target > 0 && dr.far >= target:
			return m.place(rng, dr, target, target)
		case target > 0:
			if dr.far >= max(l.minPath, 1) && (best == nil || dr.far > best.far) {
				best = dr
			}
			if best != nil && attempt+1 >= mazeTargetAttempts {
				return m.place(rng, best, best.far, best.far)
			}
		default:
			if need := max(l.minPath, int(math.Ceil(l.far*float64(dr.far))), 1); dr.far >= need {
				return m.place(rng, dr, need, dr.far)
			}
		}
	}
	if best != nil {
		return m.place(rng, best, best.far, best.far)
	}
	want := fmt.Sprintf("at least %d", l.minPath)
	if l.maxPath > 0 {
		want = fmt.Sprintf("%d to %d", l.minPath, l.maxPath)
	}
	return Example{}, fmt.Errorf("maze %dx%d: no %s maze with a shortest path of %s steps in %d attempts (loops %g)",
		m.n, m.n, cmp.Or(carver, "dfs"), want, mazeAttempts, l.loops)
}

// drawPathLen draws a path length from lo..hi: uniformly for skew 0, else as
// lo + ⌊n·u^(1+skew)⌋ with n = hi-lo+1 and u uniform in [0, 1), which leans
// toward lo (skew 0.5 puts a third of the lengths of 1..48 in 1..9, against a
// fifth uniformly).
func drawPathLen(rng *rand.Rand, lo, hi int, skew float64) int {
	n := hi - lo + 1
	if skew == 0 {
		return lo + rng.IntN(n)
	}
	return lo + min(int(float64(n)*math.Pow(rng.Float64(), 1+skew)), n-1)
}

// mazeDraft is a carved maze with S placed: the distances from S and the farthest one.
type mazeDraft struct {
	grid []int32
	s    int
	dist []int
	far  int
}

// draft carves a maze and places S on a random free cell.
func (m *Maze) draft(rng *rand.Rand, carver string, loops float64) *mazeDraft {
	dr := &mazeDraft{grid: m.carve(rng, carver, loops)}
	var free []int
	for i, t := range dr.grid {
		if t == mazeFree {
			free = append(free, i)
		}
	}
	dr.s = free[rng.IntN(len(free))]
	dr.dist = m.distances(dr.grid, dr.s)
	for _, x := range dr.dist {
		dr.far = max(dr.far, x)
	}
	return dr
}

// place puts G on a random cell lo..hi steps from S (a range the draft reaches) and labels
// the maze.
func (m *Maze) place(rng *rand.Rand, dr *mazeDraft, lo, hi int) (Example, error) {
	var cand []int
	for i, x := range dr.dist {
		if x >= lo && x <= hi && dr.grid[i] == mazeFree {
			cand = append(cand, i)
		}
	}
	dr.grid[dr.s], dr.grid[cand[rng.IntN(len(cand))]] = mazeStart, mazeGoal
	label, err := m.Solve(dr.grid)
	if err != nil {
		return Example{}, err
	}
	return Example{Input: dr.grid, Label: label}, nil
}

// Augment applies one random dihedral map (RandomSymmetry) to input and label together;
// sequences of the wrong length are returned unchanged.
func (m *Maze) Augment(rng *rand.Rand, ex Example) Example {
	return m.RandomSymmetry(rng).ApplyExample(ex)
}
