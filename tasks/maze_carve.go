package tasks

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"strings"
)

// MazeCarvers are the carvers a maze difficulty can name; "mix" picks one of them at random
// for every maze, and so does a comma-separated list of them ("dfs,dfs,kruskal,prim,wilson":
// a maze is depth-first two times in five).
var MazeCarvers = []string{"dfs", "kruskal", "prim", "wilson"}

// carvers maps a carver's name to its strategy. Each opens the passages of a spanning tree of
// the lattice of rooms; they differ in texture:
//
//   - dfs, the randomized depth-first search (recursive backtracker): long winding corridors
//     and few dead ends.
//   - kruskal, randomized Kruskal (passages in a random order, joining two trees each):
//     short dead ends and many branches.
//   - prim, randomized Prim (grow one tree by a random cell of its frontier): the most and
//     shortest dead ends, branching out from the start.
//   - wilson, Wilson's loop-erased random walks: a uniform spanning tree, between the two.
var carvers = map[string]func(rng *rand.Rand, l *lattice){
	"dfs":     carveDFS,
	"kruskal": carveKruskal,
	"prim":    carvePrim,
	"wilson":  carveWilson,
}

// carverList is the carvers a difficulty's carver draws from, one per maze: "mix" is
// MazeCarvers, a comma-separated list its names (a name may repeat, which weighs it), anything
// else that one name ("" is dfs). A name that is not a carver is an error.
func carverList(name string) ([]string, error) {
	switch name {
	case "mix":
		return MazeCarvers, nil
	case "":
		return []string{""}, nil
	}
	list := strings.Split(name, ",")
	for _, c := range list {
		if _, ok := carvers[c]; !ok {
			return nil, fmt.Errorf("maze carver %q: want %s, mix, or a comma-separated list of the four (a name may repeat)", name, strings.Join(MazeCarvers, ", "))
		}
	}
	return list, nil
}

// CheckCarver validates a maze carver: one of MazeCarvers, mix, or a comma-separated list of
// MazeCarvers; "" is dfs.
func CheckCarver(name string) error {
	_, err := carverList(name)
	return err
}

// lattice is the k x k grid of rooms of an N x N maze: room a sits on the grid cell of row
// 2(a/k)+1 and column 2(a%k)+1, and the cell between two adjacent rooms is their passage.
type lattice struct {
	k, n int
	grid []int32
}

// at returns the grid index of room a.
func (l *lattice) at(a int) int { return (2*(a/l.k)+1)*l.n + 2*(a%l.k) + 1 }

// rooms returns the number of rooms.
func (l *lattice) rooms() int { return l.k * l.k }

// visit marks room a free.
func (l *lattice) visit(a int) { l.grid[l.at(a)] = mazeFree }

// open marks rooms a and b and the passage between them free.
func (l *lattice) open(a, b int) {
	l.visit(a)
	l.visit(b)
	l.grid[(l.at(a)+l.at(b))/2] = mazeFree
}

// adjacent appends the rooms next to a (up, left, right, down) to buf.
func (l *lattice) adjacent(a int, buf []int) []int {
	k := l.k
	r, c := a/k, a%k
	if r > 0 {
		buf = append(buf, a-k)
	}
	if c > 0 {
		buf = append(buf, a-1)
	}
	if c < k-1 {
		buf = append(buf, a+1)
	}
	if r < k-1 {
		buf = append(buf, a+k)
	}
	return buf
}

// carveDFS is the recursive backtracker: walk to a random unvisited neighbour, back up when
// there is none.
func carveDFS(rng *rand.Rand, l *lattice) {
	seen := make([]bool, l.rooms())
	start := rng.IntN(l.rooms())
	seen[start] = true
	l.visit(start)
	stack := []int{start}
	var adj, next []int
	for len(stack) > 0 {
		a := stack[len(stack)-1]
		next = next[:0]
		adj = l.adjacent(a, adj[:0])
		for _, b := range adj {
			if !seen[b] {
				next = append(next, b)
			}
		}
		if len(next) == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		b := next[rng.IntN(len(next))]
		seen[b] = true
		l.open(a, b)
		stack = append(stack, b)
	}
}

// carveKruskal opens the passages in a random order whenever they join two separate trees
// (union-find with path halving).
func carveKruskal(rng *rand.Rand, l *lattice) {
	k := l.k
	var edges [][2]int
	for a := range l.rooms() {
		if a%k < k-1 {
			edges = append(edges, [2]int{a, a + 1})
		}
		if a/k < k-1 {
			edges = append(edges, [2]int{a, a + k})
		}
	}
	rng.Shuffle(len(edges), func(i, j int) { edges[i], edges[j] = edges[j], edges[i] })
	parent := make([]int, l.rooms())
	for i := range parent {
		parent[i] = i
	}
	find := func(a int) int {
		for parent[a] != a {
			parent[a] = parent[parent[a]]
			a = parent[a]
		}
		return a
	}
	for _, e := range edges {
		if ra, rb := find(e[0]), find(e[1]); ra != rb {
			parent[ra] = rb
			l.open(e[0], e[1])
		}
	}
}

// carvePrim grows one tree from a random room: a random room of its frontier joins it through
// a random passage to a room already in it.
func carvePrim(rng *rand.Rand, l *lattice) {
	in := make([]bool, l.rooms())
	queued := make([]bool, l.rooms())
	var frontier, adj, inside []int
	add := func(a int) {
		in[a] = true
		adj = l.adjacent(a, adj[:0])
		for _, b := range adj {
			if !in[b] && !queued[b] {
				queued[b] = true
				frontier = append(frontier, b)
			}
		}
	}
	start := rng.IntN(l.rooms())
	l.visit(start)
	add(start)
	for len(frontier) > 0 {
		i := rng.IntN(len(frontier))
		a := frontier[i]
		frontier[i] = frontier[len(frontier)-1]
		frontier = frontier[:len(frontier)-1]
		inside = inside[:0]
		adj = l.adjacent(a, adj[:0])
		for _, b := range adj {
			if in[b] {
				inside = append(inside, b)
			}
		}
		l.open(a, inside[rng.IntN(len(inside))])
		add(a)
	}
}

// carveWilson builds a uniform spanning tree: from each room outside the tree, in a random
// order, a random walk runs until it meets the tree; the walk's loops are erased (each room
// remembers only its last exit) and its path joins the tree.
func carveWilson(rng *rand.Rand, l *lattice) {
	in := make([]bool, l.rooms())
	exit := make([]int, l.rooms())
	order := rng.Perm(l.rooms())
	in[order[0]] = true
	l.visit(order[0])
	var buf []int
	for _, start := range order[1:] {
		for a := start; !in[a]; a = exit[a] {
			buf = l.adjacent(a, buf[:0])
			exit[a] = buf[rng.IntN(len(buf))]
		}
		for a := start; !in[a]; a = exit[a] {
			in[a] = true
			l.open(a, exit[a])
		}
	}
}

// carve returns a maze (walls and free cells) carved by the named carver ("" is dfs) on the
// odd cells (for even N the last row and column stay
// walls), with a fraction loops of the remaining inner walls between rooms knocked down.
func (m *Maze) carve(rng *rand.Rand, carver string, loops float64) []int32 {
	n := m.n
	span := n - 1 + n%2 // odd side of the carved area
	l := &lattice{k: (span - 1) / 2, n: n, grid: make([]int32, n*n)}
	for i := range l.grid {
		l.grid[i] = mazeWall
	}
	carvers[cmp.Or(carver, "dfs")](rng, l)
	var walls []int
	for r := 1; r < span-1; r++ {
		for c := 1 + r%2; c < span-1; c += 2 { // cells with exactly one odd coordinate
			if i := r*n + c; l.grid[i] == mazeWall {
				walls = append(walls, i)
			}
		}
	}
	rng.Shuffle(len(walls), func(i, j int) { walls[i], walls[j] = walls[j], walls[i] })
	for _, i := range walls[:int(loops*float64(len(walls)))] {
		l.grid[i] = mazeFree
	}
	return l.grid
}
