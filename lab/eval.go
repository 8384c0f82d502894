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
	ExactBySegment []float64 `json:"exact_by_segment"` // exact accuracy after each segment
	// ARC only: pass@1 and pass@2 over the evaluation tasks, voting across
	// augmentations (HRM.md §8.2); a task whose test inputs were not all
	// evaluated counts as failed.
	PassAt1 *float64 `json:"pass_at_1,omitempty"`
	PassAt2 *float64 `json:"pass_at_2,omitempty"`
}

// Evaluate runs model on the examples, batch at a time, for segments segments.
func Evaluate(model *engine.Model, task tasks.Task, examples []tasks.Example, segments, batchSize int) (EvalReport, error) {
	r := EvalReport{N: len(examples), Segments: segments, HaltHistogram: make([]int, segments), ExactBySegment: make([]float64, segments)}
	if len(examples) == 0 || segments < 1 {
		return r, nil
	}
	var exact, valid, atHalt, haltSum int
	var tokRight, tokTotal int
	L := task.SeqLen()
	arc, isARC := task.(*tasks.ARC)
	var arcPreds []tasks.ARCPrediction
	for lo := 0; lo < len(examples); lo += batchSize {
		chunk := examples[lo:min(lo+batchSize, len(examples))]
		b := batchOf(chunk, L)
		halt := make([]int, len(chunk))
		haltExact := make([]bool, len(chunk))
		err := model.Run(b, segments, false, func(seg int, out *engine.SegmentOutput) {
			for i, ex := range chunk {
				pred := out.Preds[i*L : (i+1)*L]
				isExact := exactMatch(ex.Label, pred)
				if isExact {
					r.ExactBySegment[seg-1]++
				}
				if halt[i] == 0 && (out.WouldHalt[i] || seg == segments) {
					halt[i] = seg
					haltExact[i] = isExact
				}
				if seg != segments {
					continue
				}
				if isARC {
					arcPreds = append(arcPreds, tasks.ARCPrediction{PuzzleID: ex.PuzzleID, Input: ex.Input,
						Output: append([]int32(nil), pred...), QHalt: float64(out.QHalt[i])})
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
		})
		if err != nil {
			return r, err
		}
		for i := range chunk {
			r.HaltHistogram[halt[i]-1]++
			haltSum += halt[i]
			if haltExact[i] {
				atHalt++
			}
		}
	}
	n := float64(len(examples))
	r.ExactAccuracy = float64(exact) / n
	r.ValidAccuracy = float64(valid) / n
	r.ExactAtHalt = float64(atHalt) / n
	r.MeanHaltStep = float64(haltSum) / n
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
