package tasks

import (
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
	loops   float64
	far     float64 // G lies at least this fraction of the farthest distance from S
}

// limits resolves d. With k x k corridor cells (k = 14 at N = 30), hard asks for a shortest
// path of at least 0.56 k² steps (110 at N = 30, the reference's Maze-Hard filter), medium
// half that, easy no minimum. Loops knock down 2% of the inner walls (easy: 8%), and G lies
// at least 70% of the farthest distance from S (easy: 30%).
func (m *Maze) limits(d Difficulty) (mazeLimits, error) {
	l := mazeLimits{loops: 0.02, far: 0.7}
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
	}
	if d.Loops != 0 {
		l.loops = max(d.Loops, 0)
	}
	if l.minPath < 0 || l.loops > 1 {
		return l, fmt.Errorf("maze min path length %d, loops %g: want length >= 0 and loops <= 1", l.minPath, l.loops)
	}
	return l, nil
}

// mazeAttempts bounds the retries of the maze generator.
const mazeAttempts = 200

// Generate returns a maze whose shortest S-G path has at least the difficulty's minimum number
// of steps. The maze is carved by a randomized depth-first search on the odd cells (for even
// N the last row and column stay walls), then a fraction of the inner walls between two
// corridors is knocked down to make loops. S is a random free cell and G a random cell among
// at least the minimum path length and a level-dependent fraction of the farthest distance away.
func (m *Maze) Generate(rng *rand.Rand, d Difficulty) (Example, error) {
	l, err := m.limits(d)
	if err != nil {
		return Example{}, err
	}
	for range mazeAttempts {
		grid := m.carve(rng, l.loops)
		var free []int
		for i, t := range grid {
			if t == mazeFree {
				free = append(free, i)
			}
		}
		s := free[rng.IntN(len(free))]
		dist := m.distances(grid, s)
		far := 0
		for _, x := range dist {
			far = max(far, x)
		}
		need := max(l.minPath, int(math.Ceil(l.far*float64(far))), 1)
		var cand []int
		for _, i := range free {
			if dist[i] >= need {
				cand = append(cand, i)
			}
		}
		if len(cand) == 0 {
			continue
		}
		grid[s], grid[cand[rng.IntN(len(cand))]] = mazeStart, mazeGoal
		label, err := m.Solve(grid)
		if err != nil {
			return Example{}, err
		}
		return Example{Input: grid, Label: label}, nil
	}
	return Example{}, fmt.Errorf("maze %dx%d: no maze with a shortest path of %d steps in %d attempts (loops %g)",
		m.n, m.n, l.minPath, mazeAttempts, l.loops)
}

// carve returns a perfect maze (walls and free cells) with a fraction loops of the remaining
// inner walls between corridors knocked down.
func (m *Maze) carve(rng *rand.Rand, loops float64) []int32 {
	n := m.n
	span := n - 1 + n%2 // odd side of the carved area
	k := (span - 1) / 2 // cells per side of the lattice
	grid := make([]int32, n*n)
	for i := range grid {
		grid[i] = mazeWall
	}
	at := func(a int) int { return (2*(a/k)+1)*n + 2*(a%k) + 1 } // lattice cell -> grid index
	seen := make([]bool, k*k)
	start := rng.IntN(k * k)
	seen[start] = true
	grid[at(start)] = mazeFree
	stack := []int{start}
	var next []int
	for len(stack) > 0 {
		a := stack[len(stack)-1]
		next = next[:0]
		r, c := a/k, a%k
		for _, b := range [4]int{a - k, a - 1, a + 1, a + k} {
			if b >= 0 && b < k*k && (b/k == r || b%k == c) && !seen[b] {
				next = append(next, b)
			}
		}
		if len(next) == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		b := next[rng.IntN(len(next))]
		seen[b] = true
		grid[at(b)] = mazeFree
		grid[(at(a)+at(b))/2] = mazeFree
		stack = append(stack, b)
	}
	var walls []int
	for r := 1; r < span-1; r++ {
		for c := 1 + r%2; c < span-1; c += 2 { // cells with exactly one odd coordinate
			if i := r*n + c; grid[i] == mazeWall {
				walls = append(walls, i)
			}
		}
	}
	rng.Shuffle(len(walls), func(i, j int) { walls[i], walls[j] = walls[j], walls[i] })
	for _, i := range walls[:int(loops*float64(len(walls)))] {
		grid[i] = mazeFree
	}
	return grid
}

// Augment applies a random dihedral transform to input and label together; sequences of the
// wrong length are returned unchanged.
func (m *Maze) Augment(rng *rand.Rand, ex Example) Example {
	t := rng.IntN(8)
	if len(ex.Input) != m.n*m.n || len(ex.Label) != m.n*m.n {
		return ex
	}
	in, _, _ := dihedral(t, ex.Input, m.n, m.n)
	lab, _, _ := dihedral(t, ex.Label, m.n, m.n)
	return Example{Input: in, Label: lab, PuzzleID: ex.PuzzleID}
}
