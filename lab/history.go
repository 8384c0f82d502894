package lab

import (
	"sync"

	"hrmlab/engine"
)

// Point is one training step as the curves draw it.
type Point struct {
	Step          int     `json:"step"`
	Loss          float64 `json:"loss"`
	LMLoss        float64 `json:"lm_loss"`
	QHaltLoss     float64 `json:"q_halt_loss"`
	QContinueLoss float64 `json:"q_continue_loss"`
	TokenAccuracy float64 `json:"token_accuracy"`
	ExactAccuracy float64 `json:"exact_accuracy"`
	QHaltAccuracy float64 `json:"q_halt_accuracy"`
	MeanSteps     float64 `json:"mean_steps"`
	Count         int     `json:"count"`
	LR            float64 `json:"lr"`
	GradNorm      float64 `json:"grad_norm"`
	HaltHistogram []int   `json:"halt_histogram,omitempty"`
	// Elapsed is the training time in seconds up to this step in this
	// session (steps only: no evaluations, saves or pauses); a resumed
	// session counts again from zero.
	Elapsed float64 `json:"elapsed,omitempty"`
}

func pointOf(m engine.Metrics) Point {
	return Point{
		Step: m.Step, Loss: m.Loss, LMLoss: m.LMLoss, QHaltLoss: m.QHaltLoss, QContinueLoss: m.QContinueLoss,
		TokenAccuracy: m.TokenAccuracy, ExactAccuracy: m.ExactAccuracy, QHaltAccuracy: m.QHaltAccuracy,
		MeanSteps: m.MeanSteps, Count: m.Count, LR: m.LR, GradNorm: m.GradNorm,
		HaltHistogram: append([]int(nil), m.HaltHistogram...),
	}
}

// Change is a hyperparameter change, marked on the curves where it happened.
type Change struct {
	Step     int    `json:"step"`
	Key      string `json:"key"`
	Old, New string
}

// History is everything a run has measured, append-only, safe for one writer
// (the trainer) and many readers. Readers ask for what is new since the
// length they already hold, so a UI copies each point once.
type History struct {
	mu      sync.RWMutex
	points  []Point
	evals   []EvalReport
	changes []Change
}

func (h *History) addPoint(p Point) {
	h.mu.Lock()
	h.points = append(h.points, p)
	h.mu.Unlock()
}

func (h *History) addEval(r EvalReport) {
	h.mu.Lock()
	h.evals = append(h.evals, r)
	h.mu.Unlock()
}

func (h *History) addChange(c Change) {
	h.mu.Lock()
	h.changes = append(h.changes, c)
	h.mu.Unlock()
}

// Len is the number of training points.
func (h *History) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.points)
}

// Last returns the newest training point.
func (h *History) Last() (Point, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if len(h.points) == 0 {
		return Point{}, false
	}
	return h.points[len(h.points)-1], true
}

// PointsSince returns the training points from index from on.
func (h *History) PointsSince(from int) []Point { return since(&h.mu, h.pointsRef, from) }

// EvalsSince returns the evaluations from index from on.
func (h *History) EvalsSince(from int) []EvalReport { return since(&h.mu, h.evalsRef, from) }

// ChangesSince returns the hyperparameter changes from index from on.
func (h *History) ChangesSince(from int) []Change { return since(&h.mu, h.changesRef, from) }

func (h *History) pointsRef() []Point     { return h.points }
func (h *History) evalsRef() []EvalReport { return h.evals }
func (h *History) changesRef() []Change   { return h.changes }
func since[T any](mu *sync.RWMutex, get func() []T, from int) []T {
	mu.RLock()
	defer mu.RUnlock()
	all := get()
	if from < 0 {
		from = 0
	}
	if from >= len(all) {
		return nil
	}
	return append([]T(nil), all[from:]...)
}
