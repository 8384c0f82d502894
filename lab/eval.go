package lab

import (
	"hrmlab/engine"
	"hrmlab/tasks"
)

// EvalReport is one evaluation on held-out puzzles, in the reference's
// convention: every puzzle runs all segments and the last segment's answer
// counts (HRM.md §2.2, §8.1).
type EvalReport struct {
	Step           int       `json:"step"`
	N              int       `json:"n"`
	Segments       int       `json:"segments"`
	ExactAccuracy  float64   `json:"exact_accuracy"`   // all scored cells equal the label
	ValidAccuracy  float64   `json:"valid_accuracy"`   // a correct solution by the rules (a maze: any shortest path)
	TokenAccuracy  float64   `json:"token_accuracy"`   // scored cells right
	MeanHaltStep   float64   `json:"mean_halt_step"`   // where the halting rule would stop
	HaltHistogram  []int     `json:"halt_histogram"`   // [k-1]: puzzles that would halt at segment k
	ExactAtHalt    float64   `json:"exact_at_halt"`    // exact accuracy of the answer at the would-halt segment
	HaltThreshold  float64   `json:"halt_threshold"`   // the halting rule's threshold (model.halt_threshold)
	ExactBySegment []float64 `json:"exact_by_segment"` // exact accuracy after each segment
	// ARC only: pass@1 and pass@2 over the evaluation tasks, voting across
	// augmentations (HRM.md §8.2); a task whose test inputs were not all
	// evaluated counts as failed.
	PassAt1 *float64 `json:"pass_at_1,omitempty"`
	PassAt2 *float64 `json:"pass_at_2,omitempty"`
	// Test-time samples per puzzle (1: none); with more, the exact accuracy
	// of the puzzle as it is (one sample), that of the answer most samples
	// gave without consulting the rules (ties: q_halt), and how often each
	// rule chose.
	Samples        int            `json:"samples"`
	ExactOneSample *float64       `json:"exact_one_sample,omitempty"`
	ExactByVotes   *float64       `json:"exact_by_votes,omitempty"`
	ChosenBy       map[string]int `json:"chosen_by,omitempty"`
}

// EvalOptions choose how Evaluate runs the model.
type EvalOptions struct {
	Segments  int    // supervision segments per puzzle
	BatchSize int    // puzzles per forward pass
	Samples   int    // test-time samples per puzzle under the task's symmetries (0 or 1: the puzzle as it is)
	Seed      uint64 // draws the samples' symmetries
}

// Evaluate runs model on the examples, batch at a time, for segments segments.
func Evaluate(model *engine.Model, task tasks.Task, examples []tasks.Example, segments, batchSize int) (EvalReport, error) {
	return EvaluateWith(model, task, examples, EvalOptions{Segments: segments, BatchSize: batchSize})
}

// EvaluateWith is Evaluate with test-time samples: each puzzle's answer is
// chosen among its samples (valid first, then votes, then q_halt); the
// halting figures and exact_by_segment stay those of the puzzle as it is.
func EvaluateWith(model *engine.Model, task tasks.Task, examples []tasks.Example, opts EvalOptions) (EvalReport, error) {
	segments := opts.Segments
	r := EvalReport{N: len(examples), Segments: segments, Samples: max(opts.Samples, 1), HaltThreshold: model.Config().EvalHaltThreshold(),
		HaltHistogram: make([]int, max(segments, 0)), ExactBySegment: make([]float64, max(segments, 0))}
	if len(examples) == 0 || segments < 1 {
		return r, nil
	}
	all, err := sample(model, task, examples, segments, opts.BatchSize, opts.Samples, opts.Seed)
	if err != nil {
		return r, err
	}
	var exact, valid, atHalt, haltSum, single, voted int
	var tokRight, tokTotal int
	arc, isARC := task.(*tasks.ARC)
	var arcPreds []tasks.ARCPrediction
	if r.Samples > 1 {
		r.ChosenBy = map[string]int{}
	}
	for i, ex := range examples {
		s := all[i]
		id := s.identity
		for seg, e := range id.exact {
			if e {
				r.ExactBySegment[seg]++
			}
		}
		r.HaltHistogram[id.halt-1]++
		haltSum += id.halt
		if id.haltExact {
			atHalt++
		}
		if id.exact[segments-1] {
			single++
		}
		if task.Check(ex, s.candidates[s.byVotes].Tokens).Exact {
			voted++
		}
		pred := s.candidates[s.chosen].Tokens
		if r.ChosenBy != nil {
			r.ChosenBy[s.why]++
		}
		if isARC {
			arcPreds = append(arcPreds, tasks.ARCPrediction{PuzzleID: ex.PuzzleID, Input: ex.Input, Output: pred, QHalt: id.qHalt})
		}
		res := task.Check(ex, pred)
		if res.Exact {
			exact++
		}
		if res.Valid {
			valid++
		}
		for j, y := range ex.Label {
			if y != tasks.Ignore {
				tokTotal++
				if pred[j] == y {
					tokRight++
				}
			}
		}
	}
	n := float64(len(examples))
	r.ExactAccuracy = float64(exact) / n
	r.ValidAccuracy = float64(valid) / n
	r.ExactAtHalt = float64(atHalt) / n
	r.MeanHaltStep = float64(haltSum) / n
	if r.Samples > 1 {
		e, v := float64(single)/n, float64(voted)/n
		r.ExactOneSample, r.ExactByVotes = &e, &v
	}
	if tokTotal > 0 {
		r.TokenAccuracy = float64(tokRight) / float64(tokTotal)
	}
	for i := range r.ExactBySegment {
		r.ExactBySegment[i] /= n
	}
	if isARC {
		votes, err := arc.Vote(arcPreds)
		if err != nil {
			return r, err
		}
		pass := arc.PassAtK(votes, []int{1, 2})
		r.PassAt1, r.PassAt2 = &pass[0], &pass[1]
	}
	return r, nil
}

// exactMatch reports whether pred equals label on every scored position.
func exactMatch(label, pred []int32) bool {
	for j, y := range label {
		if y != tasks.Ignore && pred[j] != y {
			return false
		}
	}
	return true
}

// batchOf packs examples into an engine batch.
func batchOf(examples []tasks.Example, seqLen int) engine.Batch {
	b := engine.Batch{
		Size:      len(examples),
		Inputs:    make([]int32, 0, len(examples)*seqLen),
		Labels:    make([]int32, 0, len(examples)*seqLen),
		PuzzleIDs: make([]int32, 0, len(examples)),
	}
	for _, ex := range examples {
		b.Inputs = append(b.Inputs, ex.Input...)
		b.Labels = append(b.Labels, ex.Label...)
		b.PuzzleIDs = append(b.PuzzleIDs, ex.PuzzleID)
	}
	return b
}
