package components

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"hrmlab/checkpoints"
	"hrmlab/engine"
	"hrmlab/lab"
	"hrmlab/tasks"
	"hrmlab/tui/common"
)

// AutoplayInterval is the pause between two segments while autoplaying.
const AutoplayInterval = 700 * time.Millisecond

// Solve steps through the model's answer to one puzzle, segment by segment.
// Its weights are a snapshot of the live model taken when the screen opens
// (u takes a new one) or a checkpoint loaded on the Runs screen.
type Solve struct {
	c             *common.Common
	ctl           Controller
	width, height int

	// Where the weights and puzzles come from.
	source string // shown to the user
	model  *engine.Model
	task   tasks.Task
	test   []tasks.Example
	live   bool // the weights are a snapshot of the session (not a checkpoint)
	base   int  // segments of a normal run (halt_max_steps)

	index    int            // test puzzle shown
	typed    *tasks.Example // the user's own puzzle, when set
	typedBad []string       // the rules its givens break (tasks.GivensViolations)
	segments int            // segments to run (base, more after m)
	samples  int            // test-time samples (1: the puzzle as it is; t cycles 1, 8, 32)
	info     bool           // ARC: the info panel instead of the demonstrations (d)

	trace    *lab.SolveTrace
	pos      int // current segment (0-based), or inner position in inner mode
	inner    bool
	autoplay bool
	busy     bool // a solve or a snapshot is running
	pending  bool // the puzzle changed while busy: solve again when done
	gen      int  // generation of the newest request; older answers are dropped
	errText  string

	input     textarea.Model
	inputting bool
	inputErr  string
	rng       *rand.Rand
}

type snapshotMsg struct {
	model *engine.Model
	step  int
	err   error
}

type traceMsg struct {
	gen   int
	trace lab.SolveTrace
	err   error
}

type autoplayMsg struct{ gen int }

// NewSolve returns the Solve screen of a session; it has no weights until
// Open or SetLoaded.
func NewSolve(c *common.Common, ctl Controller) *Solve {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Placeholder = "paste or type the puzzle here"
	ta.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("ctrl+j", "shift+enter"), key.WithHelp("ctrl+j", "new line"))
	return &Solve{c: c, ctl: ctl, live: true, input: ta, rng: rand.New(rand.NewPCG(1, 2)), samples: 1}
}

// Capturing reports whether the screen is reading a typed puzzle.
func (s *Solve) Capturing() bool { return s.inputting }

// Open is called when the screen is shown: with live weights it takes a new
// snapshot of the session's model (off the UI goroutine).
func (s *Solve) Open() tea.Cmd {
	if !s.live || s.busy {
		return nil
	}
	return s.snapshot()
}

func (s *Solve) snapshot() tea.Cmd {
	s.busy = true
	s.gen++
	ctl := s.ctl
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		m, err := ctl.Snapshot(ctx)
		return snapshotMsg{model: m, step: ctl.Status().Step, err: err}
	}
}

// SetLoaded shows a checkpoint's weights and test puzzles.
func (s *Solve) SetLoaded(l *lab.Loaded, path string) tea.Cmd {
	s.live = false
	s.model, s.task, s.test = l.Model, l.Task(), l.Test()
	s.base = max(l.Config.Model.HaltMaxSteps, 1)
	s.source = "checkpoint " + path
	if dir := filepath.Dir(path); filepath.Base(dir) == checkpoints.Dir { // runs/<run>/checkpoints/<file>
		s.source = fmt.Sprintf("checkpoint %s/%s", filepath.Base(filepath.Dir(dir)), filepath.Base(path))
	}
	s.resetPuzzle(0)
	return s.solve()
}

func (s *Solve) resetPuzzle(index int) {
	s.index = index
	s.segments = s.base
	s.trace, s.pos, s.autoplay = nil, 0, false
}

// SetSize implements common.Component.
func (s *Solve) SetSize(w, h int) {
	s.width, s.height = w, h
	s.input.SetWidth(max(w-4, 10))
	s.input.SetHeight(max(min(h-6, 32), 3))
}

// ShortHelp implements common.Component.
func (s *Solve) ShortHelp() []key.Binding {
	k := s.c.Keys
	if s.inputting {
		return []key.Binding{k.Confirm, k.Cancel}
	}
	return []key.Binding{k.SegPrev, k.SegNext, k.PuzzlePrev, k.PuzzleNext, k.Autoplay, k.Input}
}

// FullHelp implements common.Component.
func (s *Solve) FullHelp() [][]key.Binding {
	k := s.c.Keys
	return [][]key.Binding{
		{k.SegPrev, k.SegNext, k.SegFirst, k.SegLast, k.Autoplay},
		{k.PuzzlePrev, k.PuzzleNext, k.PuzzleRandom, k.Input},
		{k.Inner, k.More, k.Samples, k.Demos, k.Refresh},
	}
}

// solve starts computing the trace of the current puzzle, or queues it.
func (s *Solve) solve() tea.Cmd {
	if s.model == nil {
		return nil
	}
	if s.busy {
		s.pending = true
		return nil
	}
	ex, hasAnswer, ok := s.example()
	if !ok {
		return nil
	}
	s.busy, s.pending = true, false
	s.gen++
	gen, model, task, segs, samples := s.gen, s.model, s.task, s.segments, s.samples
	return func() tea.Msg {
		t, err := lab.Solve(model, task, ex, segs, hasAnswer)
		if err == nil && samples > 1 {
			t.Candidates, t.ChosenBy, err = lab.SolveSamples(model, task, ex, segs, samples, 1)
		}
		return traceMsg{gen: gen, trace: t, err: err}
	}
}

// example is the puzzle to solve and whether its answer is known.
func (s *Solve) example() (tasks.Example, bool, bool) {
	if s.typed != nil {
		return *s.typed, false, true
	}
	if len(s.test) == 0 {
		return tasks.Example{}, false, false
	}
	s.index = (s.index%len(s.test) + len(s.test)) % len(s.test)
	return s.test[s.index], true, true
}

// Update handles the screen's keys and the answers of its commands.
func (s *Solve) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case snapshotMsg:
		s.busy = false
		if msg.err != nil {
			s.errText = "snapshot: " + msg.err.Error()
			return nil
		}
		s.model, s.task, s.test = msg.model, s.ctl.Task(), s.ctl.TestSet()
		s.base = max(s.ctl.Status().Hyper.HaltMaxSteps, 1)
		s.source = fmt.Sprintf("live weights, snapshot at step %d", msg.step)
		s.segments = max(s.segments, s.base)
		return s.solve()
	case traceMsg:
		if msg.gen != s.gen {
			return nil
		}
		s.busy = false
		if s.pending {
			return s.solve()
		}
		if msg.err != nil {
			s.errText = msg.err.Error()
			return nil
		}
		s.errText = ""
		s.trace = &msg.trace
		s.pos = min(s.pos, s.positions()-1)
		if s.autoplay {
			return s.tick()
		}
		return nil
	case autoplayMsg:
		if msg.gen != s.gen || !s.autoplay || s.trace == nil {
			return nil
		}
		if s.pos >= s.positions()-1 {
			s.autoplay = false
			return nil
		}
		s.pos++
		return s.tick()
	case tea.PasteMsg:
		if s.inputting {
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(msg)
			return cmd
		}
	case tea.KeyPressMsg:
		if s.inputting {
			return s.updateInput(msg)
		}
		return s.updateKeys(msg)
	}
	return nil
}

func (s *Solve) tick() tea.Cmd {
	gen := s.gen
	return tea.Tick(AutoplayInterval, func(time.Time) tea.Msg { return autoplayMsg{gen: gen} })
}

func (s *Solve) updateKeys(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	last := s.positions() - 1
	switch {
	case key.Matches(msg, k.SegPrev):
		s.pos, s.autoplay = max(s.pos-1, 0), false
	case key.Matches(msg, k.SegNext):
		s.pos, s.autoplay = min(s.pos+1, max(last, 0)), false
	case key.Matches(msg, k.SegFirst):
		s.pos, s.autoplay = 0, false
	case key.Matches(msg, k.SegLast):
		s.pos, s.autoplay = max(last, 0), false
	case key.Matches(msg, k.PuzzlePrev), key.Matches(msg, k.PuzzleNext), key.Matches(msg, k.PuzzleRandom):
		return s.movePuzzle(msg)
	case key.Matches(msg, k.Autoplay):
		s.autoplay = !s.autoplay
		if s.autoplay {
			if s.pos >= last {
				s.pos = 0
			}
			return s.tick()
		}
	case key.Matches(msg, k.Inner):
		return s.toggleInner()
	case key.Matches(msg, k.More):
		s.segments += s.base
		return tea.Batch(s.solve(), Notice(fmt.Sprintf("running %d segments, past the halting point", s.segments), false))
	case key.Matches(msg, k.Refresh):
		s.live = true
		return s.snapshot()
	case key.Matches(msg, k.Demos):
		s.info = !s.info
	case key.Matches(msg, k.Samples):
		if _, ok := s.task.(tasks.Symmetric); !ok {
			return Notice("test-time samples need a task with symmetries (Sudoku, maze)", true)
		}
		s.samples = map[int]int{1: 8, 8: 32, 32: 1}[s.samples]
		text := fmt.Sprintf("solving under %d symmetries of the puzzle…", s.samples)
		if s.samples == 1 {
			text = "one sample: the puzzle as it is"
		}
		return tea.Batch(s.solve(), Notice(text, false))
	case key.Matches(msg, k.Input):
		if s.task == nil {
			return nil
		}
		s.inputting, s.inputErr = true, ""
		s.input.Reset()
		return s.input.Focus()
	}
	return nil
}

func (s *Solve) movePuzzle(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	if len(s.test) == 0 {
		return nil
	}
	i := s.index
	switch {
	case s.typed != nil: // leave the typed puzzle for the test set
	case key.Matches(msg, k.PuzzlePrev):
		i--
	case key.Matches(msg, k.PuzzleNext):
		i++
	default:
		i = s.rng.IntN(len(s.test))
	}
	s.typed = nil
	s.resetPuzzle((i%len(s.test) + len(s.test)) % len(s.test))
	return s.solve()
}

func (s *Solve) toggleInner() tea.Cmd {
	if s.trace == nil {
		return nil
	}
	seg := s.segmentIndex()
	s.inner = !s.inner
	if s.inner && s.innerCount() == 0 {
		s.inner = false
		return Notice("this model recorded no inner cycles", true)
	}
	if s.inner {
		s.pos = seg * s.innerCount()
	} else {
		s.pos = seg
	}
	return nil
}

// updateInput reads a typed or pasted puzzle.
func (s *Solve) updateInput(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	switch {
	case key.Matches(msg, k.Cancel):
		s.inputting = false
		s.input.Blur()
		return nil
	case key.Matches(msg, k.Confirm):
		text := strings.TrimSpace(s.input.Value())
		tokens, err := s.task.Parse(text)
		if err != nil {
			s.inputErr = err.Error()
			return nil
		}
		label := make([]int32, len(tokens))
		for i := range label {
			label[i] = tasks.Ignore
		}
		s.typed = &tasks.Example{Input: tokens, Label: label}
		s.typedBad = tasks.GivensViolations(s.task, tokens) // said above the grid; the model tries anyway
		s.inputting = false
		s.input.Blur()
		s.resetPuzzle(s.index)
		return s.solve()
	}
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	return cmd
}

// innerCount is the number of inner answers per segment (0 when the trace
// has none).
func (s *Solve) innerCount() int {
	if s.trace == nil || len(s.trace.Segments) == 0 {
		return 0
	}
	return len(s.trace.Segments[0].Inner)
}

// positions is the number of steps the arrows move through: segments, or
// inner answers of every segment in inner mode.
func (s *Solve) positions() int {
	if s.trace == nil {
		return 0
	}
	if s.inner {
		return len(s.trace.Segments) * s.innerCount()
	}
	return len(s.trace.Segments)
}

// segmentIndex is the segment (0-based) of the current position.
func (s *Solve) segmentIndex() int {
	if s.inner && s.innerCount() > 0 {
		return s.pos / s.innerCount()
	}
	return s.pos
}

// tokensAt returns the answer shown at position p (nil before the first).
func (s *Solve) tokensAt(p int) []int32 {
	if s.trace == nil || p < 0 {
		return nil
	}
	if s.inner && s.innerCount() > 0 {
		seg := s.trace.Segments[p/s.innerCount()]
		if j := p % s.innerCount(); j < len(seg.Inner) {
			return seg.Inner[j]
		}
		return seg.Tokens
	}
	if p >= len(s.trace.Segments) {
		return nil
	}
	return s.trace.Segments[p].Tokens
}
