package tasks

import (
	"fmt"
	"regexp"
	"strconv"
)

// arcNameRE matches the name of an augmented puzzle in identifiers.json:
// "<task>_t<dihedral>_<colour map>" as hrmlab and sapientinc/HRM's
// build_arc_dataset.py write it, "<task>|||t<dihedral>|||<colour map>" as
// TinyRecursiveModels' does. The colour map's digit c is the colour that c
// becomes; the dihedral transform follows it. A bare "<task>" is the task as
// it is.
var arcNameRE = regexp.MustCompile(`^(.+?)(?:_|\|\|\|)t([0-7])(?:_|\|\|\|)([0-9]{10})$`)

// parseARCName returns the task a puzzle name belongs to and its augmentation.
func parseARCName(name string) (string, arcVariant, error) {
	var v arcVariant
	m := arcNameRE.FindStringSubmatch(name)
	if m == nil {
		for c := range v.colors {
			v.colors[c] = c
		}
		return name, v, nil
	}
	v.dihedral, _ = strconv.Atoi(m[2])
	var seen [10]bool
	for c, d := range m[3] {
		v.colors[c] = int(d - '0')
		if seen[v.colors[c]] {
			return "", v, fmt.Errorf("colour map %s is not a permutation of 0..9", m[3])
		}
		seen[v.colors[c]] = true
	}
	return m[1], v, nil
}

// restoreReference gives an ARC task read from a reference dataset folder
// what voting over augmentations needs: the task and augmentation of every
// puzzle id, from the names in identifiers.json, and the test pairs of every
// task in the test split as they were before augmentation (each variant's
// test examples undone; the variants must agree).
func (a *ARC) restoreReference(names []string, test []Example, ix Index) error {
	a.Tasks, a.variants = nil, nil
	byID := map[string]int{}
	for id, name := range names[1:] {
		task, v, err := parseARCName(name)
		if err != nil {
			return fmt.Errorf("identifiers.json: puzzle %d %q: %v", id+1, name, err)
		}
		ti, ok := byID[task]
		if !ok {
			ti = len(a.Tasks)
			byID[task] = ti
			a.Tasks = append(a.Tasks, &ARCTask{ID: task})
		}
		v.task = ti
		a.variants = append(a.variants, v)
	}
	for p := range ix.Puzzles() {
		exs := test[ix.PuzzleIndices[p]:ix.PuzzleIndices[p+1]]
		id := exs[0].PuzzleID
		t, err := a.PuzzleTask(id)
		if err != nil {
			return fmt.Errorf("test split, puzzle %d: %v (identifiers.json names %d puzzles)", p, err, len(names)-1)
		}
		t.Eval = true
		for k, ex := range exs {
			in, err := a.Deaugment(id, a.Crop(ex.Input))
			if err != nil {
				return err
			}
			out, err := a.Deaugment(id, a.Crop(ex.Label))
			if err != nil {
				return err
			}
			switch {
			case k == len(t.Test):
				t.Test = append(t.Test, ARCPair{Input: in, Output: out})
			case !gridsEqual(t.Test[k].Input, in) || !gridsEqual(t.Test[k].Output, out):
				return fmt.Errorf("test split, puzzle %d (%s): test pair %d undone is not the pair of the task's other variants: identifiers.json does not name its augmentation",
					p, names[id], k)
			}
		}
	}
	return nil
}
