package tasks

// Demonstrations returns the demonstration pairs of puzzle id's task as the
// model sees them: under the puzzle's augmentation (colours, then the
// dihedral map), without translation.
func (a *ARC) Demonstrations(id int32) ([]ARCPair, error) {
	v, err := a.variant(id)
	if err != nil {
		return nil, err
	}
	var out []ARCPair
	for _, p := range a.Tasks[v.task].Train {
		out = append(out, ARCPair{Input: v.transform(p.Input), Output: v.transform(p.Output)})
	}
	return out, nil
}

// ColorGrid describes an ARC grid of its own size for display (the Solve
// screen's demonstrations), every cell a colour.
func ColorGrid(g [][]int) Grid {
	out := Grid{Rows: len(g)}
	if len(g) > 0 {
		out.Cols = len(g[0])
	}
	for _, row := range g {
		for _, x := range row {
			out.Cells = append(out.Cells, Cell{Color: x, Given: true})
		}
	}
	return out
}
