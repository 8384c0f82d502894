package lab

import (
	"hrmlab/engine"
	"hrmlab/tasks"
)

// SolveSegment is the model's answer after one supervision segment.
type SolveSegment struct {
	Step       int       `json:"step"`
	Tokens     []int32   `json:"tokens"`
	Prediction string    `json:"prediction"`
	Changed    int       `json:"changed"` // cells that differ from the previous segment's answer
	QHalt      float64   `json:"q_halt"`
	QContinue  float64   `json:"q_continue"`
	WouldHalt  bool      `json:"would_halt"`
	Exact      bool      `json:"exact"`
	Valid      bool      `json:"valid"`
	Violations []int     `json:"violations,omitempty"`
	Confidence []float32 `json:"confidence,omitempty"`
	Inner      [][]int32 `json:"inner,omitempty"` // provisional answers inside the segment
}

// SolveTrace is a puzzle solved segment by segment.
type SolveTrace struct {
	Puzzle     string         `json:"puzzle"`
	Answer     string         `json:"answer,omitempty"`
	HaltStep   int            `json:"halt_step"`   // where the model would halt (the last segment if it never would)
	FirstExact int            `json:"first_exact"` // first exactly-right segment, 0 if none
	Segments   []SolveSegment `json:"segments"`
	// With test-time samples: every sample's answer mapped back, the chosen
	// one marked, and why it was chosen.
	Candidates []Candidate   `json:"candidates,omitempty"`
	ChosenBy   string        `json:"chosen_by,omitempty"`
	Example    tasks.Example `json:"-"`
	HasAnswer  bool          `json:"-"`
}

// Solve runs one puzzle for segments segments and records every segment.
// hasAnswer says whether ex.Label is the known answer (a typed-in puzzle has
// none: then Exact, Valid and Violations speak of the rules only).
func Solve(model *engine.Model, task tasks.Task, ex tasks.Example, segments int, hasAnswer bool) (SolveTrace, error) {
	t := SolveTrace{Puzzle: task.Format(ex.Input), Example: ex, HasAnswer: hasAnswer}
	if hasAnswer {
		t.Answer = task.Format(ex.Label)
	}
	b := batchOf([]tasks.Example{ex}, task.SeqLen())
	var prev []int32
	err := model.Run(b, segments, true, func(seg int, out *engine.SegmentOutput) {
		s := SolveSegment{
			Step:       seg,
			Tokens:     append([]int32(nil), out.Preds...),
			QHalt:      float64(out.QHalt[0]),
			QContinue:  float64(out.QContinue[0]),
			WouldHalt:  out.WouldHalt[0],
			Confidence: append([]float32(nil), out.Confidence...),
		}
		for _, in := range out.Inner {
			s.Inner = append(s.Inner, append([]int32(nil), in...))
		}
		s.Prediction = task.Format(s.Tokens)
		for i := range s.Tokens {
			if prev != nil && prev[i] != s.Tokens[i] {
				s.Changed++
			}
		}
		prev = s.Tokens
		res := task.Check(ex, s.Tokens)
		s.Exact, s.Valid, s.Violations = res.Exact && hasAnswer, res.Valid, res.Violations
		if t.HaltStep == 0 && s.WouldHalt {
			t.HaltStep = seg
		}
		if t.FirstExact == 0 && (s.Exact || (!hasAnswer && s.Valid)) {
			t.FirstExact = seg
		}
		t.Segments = append(t.Segments, s)
	})
	if t.HaltStep == 0 {
		t.HaltStep = segments
	}
	return t, err
}
