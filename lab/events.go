package lab

import (
	"sync"
	"time"

	"hrmlab/engine"
)

// State is what a Session is doing.
type State string

// Session states, as the status bar shows them.
const (
	StateTraining   State = "training"
	StatePaused     State = "paused"
	StateEvaluating State = "evaluating"
	StateDone       State = "done"
	StateStopped    State = "stopped"
)

// EventKind tells which fields of an Event are set.
type EventKind int

// The kinds of events a Session publishes.
const (
	EventMetrics    EventKind = iota // Metrics after a training step (coalesced when a reader is slow)
	EventEval                        // Eval after an evaluation on the test split
	EventCheckpoint                  // Path of a checkpoint just saved
	EventHyper                       // Key changed from Old to New at Step
	EventState                       // State changed
	EventError                       // Err: something failed; training paused or stopped
	EventLog                         // Text: a notice for the user
)

// Event is one thing that happened in a Session. Every field is a copy: the
// receiver may keep it.
type Event struct {
	Kind       EventKind
	Time       time.Time
	Step       int
	Metrics    engine.Metrics
	Eval       *EvalReport
	Path       string
	Key        string
	Old, New   string
	State      State
	Err        error
	Text       string
	Coalesced  int  // metrics events folded into this one because the reader was behind
	Logged     bool // a metrics event of a run.log_every step (a metrics.jsonl record): never folded away
	StepsPerS  float64
	ElapsedSec float64
}

// Subscription receives a Session's events without ever blocking the
// trainer: events queue up to a bound, consecutive metrics events are folded
// into the newest one (except a Logged one, which the CLI prints), and Ready signals (without blocking) that there is
// something to Drain.
type Subscription struct {
	mu     sync.Mutex
	queue  []Event
	ready  chan struct{}
	closed bool
}

// maxQueued bounds a slow reader's queue; past it the oldest events go.
const maxQueued = 4096

func newSubscription() *Subscription {
	return &Subscription{ready: make(chan struct{}, 1)}
}

// Ready is signalled when events are waiting. It is closed when the session
// has ended and every event was published.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Drain returns the waiting events, oldest first, and empties the queue.
func (s *Subscription) Drain() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue
	s.queue = nil
	return q
}

func (s *Subscription) publish(e Event) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	if n := len(s.queue); n > 0 && e.Kind == EventMetrics && s.queue[n-1].Kind == EventMetrics && !s.queue[n-1].Logged {
		e.Coalesced = s.queue[n-1].Coalesced + 1
		s.queue[n-1] = e
	} else {
		if len(s.queue) >= maxQueued {
			s.queue = s.queue[1:]
		}
		s.queue = append(s.queue, e)
	}
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

func (s *Subscription) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.ready)
	}
}
