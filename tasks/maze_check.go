package tasks

// pathCheck applies the maze rules to pred for the question input: walls, S and G unchanged,
// free cells either free or path, the path cells forming a simple S-G path, and that path a
// shortest one. It returns the verdict and the cells that break a rule (path cells reached
// later than their shortest distance from S included).
func (m *Maze) pathCheck(input, pred []int32) (bool, []int) {
	n2 := m.n * m.n
	if len(input) != n2 || len(pred) != n2 {
		return false, nil
	}
	s, g := ends(input)
	if s < 0 || g < 0 {
		return false, nil
	}
	bad := map[int]bool{}
	onPath := make([]bool, n2) // predicted path cells plus S and G
	for i, in := range input {
		p := pred[i]
		switch {
		case in == mazeFree && p == mazePath:
			onPath[i] = true
		case in == mazeFree && p == mazeFree:
		case in != p || in == mazePath:
			bad[i] = true
		}
	}
	onPath[s], onPath[g] = true, true
	for i := range n2 {
		if !onPath[i] {
			continue
		}
		deg := 0
		m.neighbours(i, func(j int) {
			if onPath[j] {
				deg++
			}
		})
		want := 2
		if i == s || i == g {
			want = 1
		}
		if deg != want {
			bad[i] = true
		}
	}
	// Walk the predicted path from S: a cell reached after more steps than its BFS distance
	// lies on a detour; cells the walk does not reach are disconnected.
	dS := m.distances(input, s)
	reached := make([]bool, n2)
	steps := 0
	for prev, cur := -1, s; cur >= 0 && !reached[cur]; steps++ {
		reached[cur] = true
		if dS[cur] != steps {
			bad[cur] = true
		}
		next := -1
		m.neighbours(cur, func(j int) {
			if next < 0 && onPath[j] && j != prev && !reached[j] {
				next = j
			}
		})
		if cur == g {
			break
		}
		prev, cur = cur, next
	}
	for i := range n2 {
		if onPath[i] && !reached[i] {
			bad[i] = true
		}
	}
	shortest := dS[g]
	valid := len(bad) == 0 && reached[g] && steps == shortest
	return valid, sortedKeys(bad)
}

// Check reports whether pred equals the label and whether it marks a shortest S-G path
// (Valid even when it differs from the label's path). Violations lists changed walls, S or G,
// path cells that branch, break off or lie on a detour.
func (m *Maze) Check(ex Example, pred []int32) CheckResult {
	valid, bad := m.pathCheck(ex.Input, pred)
	return CheckResult{Exact: exact(ex.Label, pred), Valid: valid, Violations: bad}
}

// Grid describes the maze input with the path cells of pred (when not nil) and its violations.
func (m *Maze) Grid(input, pred []int32) Grid {
	g := Grid{Rows: m.n, Cols: m.n, Cells: make([]Cell, m.n*m.n)}
	for i := range g.Cells {
		t := int32(0)
		if i < len(input) {
			t = input[i]
		}
		c := Cell{Text: "?", Color: -1, Given: t == mazeWall || t == mazeStart || t == mazeGoal, Pad: t == 0}
		if t == mazeFree && i < len(pred) && pred[i] == mazePath {
			t = mazePath
			c.Path = true
		}
		if t >= mazeWall && t <= mazePath {
			c.Text = mazeChars[t-1 : t]
		}
		g.Cells[i] = c
	}
	if pred != nil {
		_, bad := m.pathCheck(input, pred)
		for _, i := range bad {
			g.Cells[i].Violation = true
		}
	}
	return g
}
