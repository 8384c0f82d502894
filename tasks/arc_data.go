package tasks

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
)

// build creates the variants of every task (the identity plus up to numAug augmentations),
// numbering them 1.. in order, and returns the train and test splits (HRM.md §7.3): demo
// pairs of evaluation tasks and all pairs of other tasks in train, test pairs of evaluation
// tasks in test; one group per task, one puzzle per variant. With translate, every train
// example but one per puzzle is placed at a random offset. names[id] is the reference name of
// puzzle id (names[0] = "<blank>").
func (a *ARC) build(rng *rand.Rand, numAug int, translate bool) (train, test *splitBuilder, names []string) {
	a.variants = nil
	names = []string{"<blank>"}
	train, test = newSplitBuilder(), newSplitBuilder()
	for ti, t := range a.Tasks {
		for _, v := range a.augmentTask(rng, ti, numAug) {
			a.variants = append(a.variants, v)
			id := int32(len(a.variants))
			names = append(names, a.variantName(v))
			demos := t.Train
			if !t.Eval {
				demos = slices.Concat(t.Train, t.Test)
			}
			still := -1 // the example that stays at the origin
			if translate {
				still = rng.IntN(len(demos))
			}
			for i, p := range demos {
				in, out := v.transform(p.Input), v.transform(p.Output)
				r0, c0 := 0, 0
				if translate && i != still {
					r0 = rng.IntN(a.canvas - max(len(in), len(out)) + 1)
					c0 = rng.IntN(a.canvas - max(len(in[0]), len(out[0])) + 1)
				}
				train.add(a.example(in, out, r0, c0, id))
			}
			train.endPuzzle()
			if t.Eval {
				for _, p := range t.Test {
					test.add(a.example(v.transform(p.Input), v.transform(p.Output), 0, 0, id))
				}
				test.endPuzzle()
			}
		}
		train.endGroup()
		test.endGroup()
	}
	return train, test, names
}

// example encodes one pair; PAD cells of the output are not scored.
func (a *ARC) example(in, out [][]int, r0, c0 int, id int32) Example {
	label := a.Encode(out, r0, c0)
	for i, t := range label {
		if t == arcPad {
			label[i] = Ignore
		}
	}
	return Example{Input: a.Encode(in, r0, c0), Label: label, PuzzleID: id}
}

// variant returns the augmentation of puzzle id.
func (a *ARC) variant(id int32) (arcVariant, error) {
	if id < 1 || int(id) > len(a.variants) {
		return arcVariant{}, fmt.Errorf("arc puzzle id %d: want 1..%d", id, len(a.variants))
	}
	return a.variants[id-1], nil
}

// PuzzleTask returns the original task of puzzle id.
func (a *ARC) PuzzleTask(id int32) (*ARCTask, error) {
	v, err := a.variant(id)
	if err != nil {
		return nil, err
	}
	return a.Tasks[v.task], nil
}

// Deaugment maps a grid seen or predicted for puzzle id back to the original task: the
// inverse dihedral transform, then the inverse colour permutation. An empty grid stays empty.
func (a *ARC) Deaugment(id int32, g [][]int) ([][]int, error) {
	v, err := a.variant(id)
	if err != nil {
		return nil, err
	}
	if len(g) == 0 {
		return g, nil
	}
	if err := checkARCGrid(g); err != nil {
		return nil, fmt.Errorf("arc puzzle %d: %v", id, err)
	}
	var inverse arcVariant
	inverse.dihedral = DihedralInverse[v.dihedral]
	for c, p := range v.colors {
		inverse.colors[p] = c
	}
	flat := make([]int, 0, len(g)*len(g[0]))
	for _, row := range g {
		flat = append(flat, row...)
	}
	out, h, w := dihedral(inverse.dihedral, flat, len(g), len(g[0]))
	for i, x := range out {
		out[i] = inverse.colors[x]
	}
	return rows(out, h, w), nil
}

// ARCPrediction is the model's answer for one test example.
type ARCPrediction struct {
	PuzzleID int32
	Input    []int32 // the (augmented) input tokens the model saw
	Output   []int32 // predicted tokens
	QHalt    float64 // sigmoid of the q_halt logit
}

// ARCTestKey names one test input of a task (Test indexes ARCTask.Test).
type ARCTestKey struct {
	Task string
	Test int
}

// ARCCandidate is one distinct de-augmented predicted grid with its votes.
type ARCCandidate struct {
	Grid      [][]int
	Votes     int
	MeanQHalt float64
}

// Vote crops every prediction, undoes its augmentation and groups the grids by original test
// input; candidates are ranked by votes, then by mean q_halt (HRM.md §8.2). Predictions whose
// input is not a test input of their task are ignored.
func (a *ARC) Vote(preds []ARCPrediction) (map[ARCTestKey][]ARCCandidate, error) {
	type tally struct {
		grid  [][]int
		votes int
		qsum  float64
	}
	acc := map[ARCTestKey]map[string]*tally{}
	for _, p := range preds {
		t, err := a.PuzzleTask(p.PuzzleID)
		if err != nil {
			return nil, err
		}
		in, err := a.Deaugment(p.PuzzleID, a.Crop(p.Input))
		if err != nil {
			return nil, err
		}
		j := slices.IndexFunc(t.Test, func(tp ARCPair) bool { return gridsEqual(tp.Input, in) })
		if j < 0 {
			continue
		}
		out, err := a.Deaugment(p.PuzzleID, a.Crop(p.Output))
		if err != nil {
			return nil, err
		}
		key := ARCTestKey{t.ID, j}
		if acc[key] == nil {
			acc[key] = map[string]*tally{}
		}
		b, _ := json.Marshal(out)
		tl := acc[key][string(b)]
		if tl == nil {
			tl = &tally{grid: out}
			acc[key][string(b)] = tl
		}
		tl.votes++
		tl.qsum += p.QHalt
	}
	res := make(map[ARCTestKey][]ARCCandidate, len(acc))
	for key, m := range acc {
		var cs []ARCCandidate
		for _, tl := range m {
			cs = append(cs, ARCCandidate{Grid: tl.grid, Votes: tl.votes, MeanQHalt: tl.qsum / float64(tl.votes)})
		}
		slices.SortFunc(cs, func(x, y ARCCandidate) int {
			if c := cmp.Compare(y.Votes, x.Votes); c != 0 {
				return c
			}
			if c := cmp.Compare(y.MeanQHalt, x.MeanQHalt); c != 0 {
				return c
			}
			bx, _ := json.Marshal(x.Grid)
			by, _ := json.Marshal(y.Grid)
			return cmp.Compare(string(bx), string(by))
		})
		res[key] = cs
	}
	return res, nil
}

// PassAtK returns, for every k in ks, the fraction of evaluation tasks all of whose test
// inputs have their true output among the top k candidates of votes (0 without evaluation tasks).
func (a *ARC) PassAtK(votes map[ARCTestKey][]ARCCandidate, ks []int) []float64 {
	out := make([]float64, len(ks))
	n := 0
	for _, t := range a.Tasks {
		if !t.Eval {
			continue
		}
		n++
		for ki, k := range ks {
			solved := true
			for j, tp := range t.Test {
				cs := votes[ARCTestKey{t.ID, j}]
				top := cs[:min(k, len(cs))]
				if !slices.ContainsFunc(top, func(c ARCCandidate) bool { return gridsEqual(c.Grid, tp.Output) }) {
					solved = false
					break
				}
			}
			if solved {
				out[ki]++
			}
		}
	}
	for i := range out {
		if n > 0 {
			out[i] /= float64(n)
		}
	}
	return out
}

func gridsEqual(x, y [][]int) bool {
	return slices.EqualFunc(x, y, func(a, b []int) bool { return slices.Equal(a, b) })
}
