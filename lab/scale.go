package lab

import (
	"fmt"
	"math/rand/v2"

	"hrmlab/engine"
	"hrmlab/tasks"
)

// Test-time scaling (issue 15): a puzzle is solved under several of its
// task's symmetries (a Sudoku's digit relabellings, band and row orders and
// transposition; a maze's 8 dihedral maps), the answers are mapped back, and
// one is chosen: an answer the task's rules accept first (they cost nothing to
// check), then the answer most samples agree on, then the highest q_halt.
// Where checking is solving (a maze's rule, a shortest S-G path, is found by
// a breadth-first search), the rules make K samples close to pass@K; eval
// therefore also reports what the votes alone choose.
// More segments than halt_max_steps are the other axis (-segments).

// Candidate is one sample's answer to a puzzle, mapped back to it.
type Candidate struct {
	Symmetry string  `json:"symmetry"` // how the puzzle was mapped ("identity" for the first)
	Tokens   []int32 `json:"tokens"`
	Valid    bool    `json:"valid"` // the task's rules accept it (the label is not looked at)
	Votes    int     `json:"votes"` // samples among those chosen from (valid ones, if any) that gave this answer
	QHalt    float64 `json:"q_halt"`
	Chosen   bool    `json:"chosen,omitempty"`
}

// Why an answer was chosen.
const (
	ChosenSingle     = "one sample"
	ChosenValid      = "the only valid answer"
	ChosenVotes      = "most votes"
	ChosenQHalt      = "highest q_halt"
	ChosenNoneVotes  = "no valid answer: most votes"
	ChosenNoneQHalt  = "no valid answer: highest q_halt"
	identitySymmetry = "identity"
)

// run is one example's pass through all segments.
type run struct {
	final     []int32 // the last segment's answer
	qHalt     float64 // at the last segment
	halt      int     // the segment where the model would halt
	haltExact bool    // the answer there is exact
	exact     []bool  // exact after each segment
}

// runAll runs the examples through segments segments, batch at a time.
func runAll(model *engine.Model, task tasks.Task, examples []tasks.Example, segments, batchSize int) ([]run, error) {
	L := task.SeqLen()
	out := make([]run, len(examples))
	for lo := 0; lo < len(examples); lo += batchSize {
		chunk := examples[lo:min(lo+batchSize, len(examples))]
		rs := out[lo : lo+len(chunk)]
		for i := range rs {
			rs[i].exact = make([]bool, segments)
		}
		err := model.Run(batchOf(chunk, L), segments, false, func(seg int, o *engine.SegmentOutput) {
			for i, ex := range chunk {
				pred := o.Preds[i*L : (i+1)*L]
				isExact := exactMatch(ex.Label, pred)
				rs[i].exact[seg-1] = isExact
				if rs[i].halt == 0 && (o.WouldHalt[i] || seg == segments) {
					rs[i].halt, rs[i].haltExact = seg, isExact
				}
				if seg == segments {
					rs[i].final, rs[i].qHalt = append([]int32(nil), pred...), float64(o.QHalt[i])
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sampled is one puzzle solved under several symmetries.
type sampled struct {
	identity   run
	candidates []Candidate
	chosen     int
	why        string
	byVotes    int // the answer most samples gave (ties: q_halt), the rules not consulted
}

// sample solves each example under samples symmetries of the task (the
// first is the identity) and chooses an answer for each. The symmetries are
// drawn from seed.
func sample(model *engine.Model, task tasks.Task, examples []tasks.Example, segments, batchSize, samples int, seed uint64) ([]sampled, error) {
	k := max(samples, 1)
	sym, ok := task.(tasks.Symmetric)
	if k > 1 && !ok {
		return nil, inputErrorf("-samples %d: %s puzzles have no symmetries to sample here (ARC votes over the augmented test inputs of its data)", samples, task.Name())
	}
	rng := rand.New(rand.NewPCG(seed, 0x5ca1ab1e))
	runs := make([]tasks.Example, 0, len(examples)*k)
	syms := make([]tasks.Symmetry, 0, len(examples)*k)
	for _, ex := range examples {
		runs, syms = append(runs, ex), append(syms, tasks.Symmetry{Name: identitySymmetry})
		for range k - 1 {
			s := sym.RandomSymmetry(rng)
			runs, syms = append(runs, s.ApplyExample(ex)), append(syms, s)
		}
	}
	rs, err := runAll(model, task, runs, segments, batchSize)
	if err != nil {
		return nil, err
	}
	out := make([]sampled, len(examples))
	for i, ex := range examples {
		cands := make([]Candidate, k)
		for j := range k {
			r, s := rs[i*k+j], syms[i*k+j]
			tokens := s.Invert(r.final)
			cands[j] = Candidate{Symmetry: s.Name, Tokens: tokens, Valid: task.Check(ex, tokens).Valid, QHalt: r.qHalt}
		}
		byVotes, _, _ := mostVoted(cands, func(Candidate) bool { return true })
		chosen, why := choose(cands)
		out[i] = sampled{identity: rs[i*k], candidates: cands, chosen: chosen, why: why, byVotes: byVotes}
	}
	return out, nil
}

// choose picks an answer and says why: among the valid candidates (all of
// them when none is valid), the answer with the most votes, ties broken by
// the highest q_halt. It fills in the candidates' votes and marks the chosen.
func choose(cands []Candidate) (int, string) {
	if len(cands) == 1 {
		cands[0].Chosen = true
		return 0, ChosenSingle
	}
	anyValid := false
	for _, c := range cands {
		anyValid = anyValid || c.Valid
	}
	best, votes, tied := mostVoted(cands, func(c Candidate) bool { return c.Valid || !anyValid })
	for i := range cands {
		if cands[i].Valid || !anyValid {
			cands[i].Votes = votes[fmt.Sprint(cands[i].Tokens)]
		}
	}
	cands[best].Chosen = true
	switch {
	case anyValid && len(votes) == 1:
		return best, ChosenValid
	case tied == 1 && anyValid:
		return best, ChosenVotes
	case anyValid:
		return best, ChosenQHalt
	case tied == 1:
		return best, ChosenNoneVotes
	}
	return best, ChosenNoneQHalt
}

// mostVoted returns, among the candidates in pool, the one whose answer the
// most of them gave, ties broken by the highest q_halt; with it the votes per
// answer and how many answers share the top count.
func mostVoted(cands []Candidate, pool func(Candidate) bool) (best int, votes map[string]int, tied int) {
	votes = map[string]int{}
	for _, c := range cands {
		if pool(c) {
			votes[fmt.Sprint(c.Tokens)]++
		}
	}
	top := 0
	for _, v := range votes {
		if v > top {
			top, tied = v, 1
		} else if v == top {
			tied++
		}
	}
	best = -1
	for i, c := range cands {
		if pool(c) && votes[fmt.Sprint(c.Tokens)] == top && (best < 0 || c.QHalt > cands[best].QHalt) {
			best = i
		}
	}
	return best, votes, tied
}

// SolveSamples solves one puzzle under samples symmetries (the first is the
// identity) and returns the candidates, the chosen one marked, and why it
// was chosen.
func SolveSamples(model *engine.Model, task tasks.Task, ex tasks.Example, segments, samples int, seed uint64) ([]Candidate, string, error) {
	s, err := sample(model, task, []tasks.Example{ex}, segments, samples, samples, seed)
	if err != nil {
		return nil, "", err
	}
	return s[0].candidates, s[0].why, nil
}
