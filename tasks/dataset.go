package tasks

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// Dataset is a task with its train and test splits, deterministic for Options.Seed.
type Dataset struct {
	Task        Task
	Train, Test []Example // fixed splits (Train is empty for a fresh stream)
	// TrainIndex, TestIndex: the group/puzzle structure of Train and Test.
	TrainIndex, TestIndex Index
	Identifiers           []string // puzzle id -> name; [0] = "<blank>"
	Options               Options
	fresh                 bool
}

func (d *Dataset) setSplits(train, test *splitBuilder) {
	d.Train, d.TrainIndex = train.examples, train.index
	d.Test, d.TestIndex = test.examples, test.index
}

// Fresh reports whether training batches are newly generated puzzles (a generated task with
// Options.TrainCount == 0) rather than drawn from Train.
func (d *Dataset) Fresh() bool { return d.fresh }

// FillTest copies test examples start, start+1, ... into the caller's slices (batch size
// len(puzzleIDs), inputs and labels len(puzzleIDs)*SeqLen) and returns how many were real; the
// rest of the batch is padding (inputs PAD 0, labels Ignore, puzzle id 0), as the reference's
// test iterator (HRM.md §6.3).
func (d *Dataset) FillTest(start int, inputs, labels, puzzleIDs []int32) (int, error) {
	L := d.Task.SeqLen()
	if err := checkBatch(L, inputs, labels, puzzleIDs); err != nil {
		return 0, err
	}
	n := 0
	for b := range puzzleIDs {
		if start+b < len(d.Test) && start >= 0 {
			putExample(d.Test[start+b], b, L, inputs, labels, puzzleIDs)
			n++
			continue
		}
		clear(inputs[b*L : (b+1)*L])
		for i := range L {
			labels[b*L+i] = Ignore
		}
		puzzleIDs[b] = 0
	}
	return n, nil
}

func checkBatch(L int, inputs, labels, puzzleIDs []int32) error {
	if len(inputs) != len(puzzleIDs)*L || len(labels) != len(puzzleIDs)*L {
		return fmt.Errorf("batch of %d: inputs %d and labels %d tokens, want %d each", len(puzzleIDs), len(inputs), len(labels), len(puzzleIDs)*L)
	}
	return nil
}

func putExample(ex Example, b, L int, inputs, labels, puzzleIDs []int32) {
	copy(inputs[b*L:(b+1)*L], ex.Input)
	copy(labels[b*L:(b+1)*L], ex.Label)
	puzzleIDs[b] = ex.PuzzleID
}

// SamplerState is the position of a sampler, enough to resume it exactly.
type SamplerState struct {
	Batches int // batches drawn
	Epoch   int // fixed sets: current pass over the groups
	Cursor  int // fixed sets: next group of the epoch's order
}

// Sampler draws training batches. For a fresh stream every batch holds newly generated
// puzzles at the current difficulty; for a fixed train set it follows the reference sampler
// (HRM.md §6.2): groups in a random order per epoch, for each group one puzzle chosen
// uniformly, that puzzle's examples in random order until the batch is full (an epoch runs
// into the next instead of dropping the last incomplete batch). Batch k depends only on the
// seed, the state before it and (fresh streams) the difficulty, so State/SetState resume exactly.
type Sampler struct {
	d     *Dataset
	seed  uint64
	diff  Difficulty
	state SamplerState
	order []int // group order of the current epoch
}

// NewSampler returns a sampler over the training data with its own seed, starting at the
// dataset's difficulty.
func (d *Dataset) NewSampler(seed uint64) *Sampler {
	s := &Sampler{d: d, seed: seed, diff: d.Options.Difficulty}
	s.shuffle()
	return s
}

func (s *Sampler) shuffle() {
	rng := rand.New(rand.NewPCG(s.seed, uint64(s.state.Epoch)<<1|1))
	s.order = rng.Perm(s.d.TrainIndex.Groups())
}

// Difficulty returns the difficulty of freshly generated batches.
func (s *Sampler) Difficulty() Difficulty { return s.diff }

// SetDifficulty changes the difficulty from the next batch on. Only fresh streams can change
// difficulty; a fixed train set gives an error, as does an invalid difficulty.
func (s *Sampler) SetDifficulty(d Difficulty) error {
	if !s.d.fresh {
		return errors.New("task difficulty: the train set is fixed (train count > 0 or data file); only a fresh stream can change difficulty")
	}
	if err := s.d.Task.(generator).checkDifficulty(d); err != nil {
		return err
	}
	s.diff = d
	return nil
}

// State returns the sampler's position.
func (s *Sampler) State() SamplerState { return s.state }

// SetState moves the sampler to a position returned by State.
func (s *Sampler) SetState(st SamplerState) error {
	if st.Batches < 0 || st.Epoch < 0 || st.Cursor < 0 || st.Cursor > s.d.TrainIndex.Groups() {
		return fmt.Errorf("sampler state %+v out of range", st)
	}
	s.state = st
	s.shuffle()
	return nil
}

// Fill writes the next batch into the caller's slices: batch size len(puzzleIDs), inputs and
// labels len(puzzleIDs)*SeqLen, row-major.
func (s *Sampler) Fill(inputs, labels, puzzleIDs []int32) error {
	L := s.d.Task.SeqLen()
	if err := checkBatch(L, inputs, labels, puzzleIDs); err != nil {
		return err
	}
	if s.d.fresh {
		if err := s.generate(inputs, labels, puzzleIDs); err != nil {
			return err
		}
		s.state.Batches++
		return nil
	}
	rng := rand.New(rand.NewPCG(s.seed, uint64(s.state.Batches)<<1))
	if len(s.order) == 0 {
		return errors.New("sampler: the train split is empty")
	}
	ix := s.d.TrainIndex
	for b := 0; b < len(puzzleIDs); {
		if s.state.Cursor == len(s.order) {
			s.state.Epoch++
			s.state.Cursor = 0
			s.shuffle()
		}
		grp := s.order[s.state.Cursor]
		s.state.Cursor++
		lo, hi := ix.GroupIndices[grp], ix.GroupIndices[grp+1]
		p := lo + rng.IntN(hi-lo)
		first, count := ix.PuzzleIndices[p], ix.PuzzleIndices[p+1]-ix.PuzzleIndices[p]
		for _, k := range rng.Perm(count)[:min(count, len(puzzleIDs)-b)] {
			putExample(s.d.Train[first+k], b, L, inputs, labels, puzzleIDs)
			b++
		}
	}
	s.state.Batches++
	return nil
}

// Next returns the next batch of the given size as new slices (see Fill).
func (s *Sampler) Next(size int) (inputs, labels, puzzleIDs []int32, err error) {
	L := s.d.Task.SeqLen()
	inputs, labels, puzzleIDs = make([]int32, size*L), make([]int32, size*L), make([]int32, size)
	err = s.Fill(inputs, labels, puzzleIDs)
	return inputs, labels, puzzleIDs, err
}

// generate fills a fresh batch, spreading the puzzles over GOMAXPROCS goroutines. Puzzle b of
// batch k has its own random stream, so the batch does not depend on the scheduling.
func (s *Sampler) generate(inputs, labels, puzzleIDs []int32) error {
	g, L := s.d.Task.(generator), s.d.Task.SeqLen()
	errs := make([]error, len(puzzleIDs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(puzzleIDs)) {
		wg.Go(func() {
			for b := int(next.Add(1) - 1); b < len(puzzleIDs); b = int(next.Add(1) - 1) {
				rng := rand.New(rand.NewPCG(s.seed^uint64(b)*0x9e3779b97f4a7c15, uint64(s.state.Batches)<<1))
				r, err := g.generateRecord(rng, s.diff)
				if err != nil {
					errs[b] = err
					continue
				}
				putExample(r.Example, b, L, inputs, labels, puzzleIDs)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
