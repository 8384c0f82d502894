package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"hrmlab/engine"
	"hrmlab/tasks"
)

// dataStream is a session's puzzles: the dataset of the [task] section and
// the sampler that draws its training batches.
type dataStream struct {
	ds      *tasks.Dataset
	sampler *tasks.Sampler
}

// samplerSeedOffset keeps the training stream's seed apart from the seeds the
// dataset derives for its own splits.
const samplerSeedOffset = 0x5eed

func newDataSource(c *Config) (*dataStream, error) {
	return openData(c, false)
}

// openData builds the dataset; allTest puts every row of a CSV file into the
// test split (evaluating on a file of puzzles).
func openData(c *Config, allTest bool) (*dataStream, error) {
	ds, err := tasks.New(datasetOptions(c, allTest))
	if errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("task.data: %w (a relative path is taken from the working directory)", err)
	}
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return &dataStream{ds: ds, sampler: ds.NewSampler(uint64(c.Run.Seed) + samplerSeedOffset)}, nil
}

// datasetOptions are the dataset options of the [task] section.
func datasetOptions(c *Config, allTest bool) tasks.Options {
	t := c.Task
	opts := tasks.Options{
		Kind:       t.Kind,
		Size:       t.Size,
		Difficulty: difficultyOf(t),
		TrainCount: t.TrainCount,
		TestCount:  t.TestCount,
		Augment:    t.Augment,
		NumAug:     t.NumAug,
		DataPath:   t.Data,
		Seed:       uint64(c.Run.Seed),
	}
	if allTest {
		opts.TestCount = -1
	}
	return opts
}

// NewDataset builds the dataset of the [task] section (for the data commands).
func NewDataset(c *Config) (*tasks.Dataset, error) {
	d, err := newDataSource(c)
	if err != nil {
		return nil, err
	}
	return d.ds, nil
}

// difficultyOf maps the [task] difficulty keys onto the generators' knobs:
// "any" is the medium level without a limit on solver guesses, with its own
// givens range; zero givens and path keys take the task's range for the size.
func difficultyOf(t TaskConfig) tasks.Difficulty {
	lo, hi := givensRange(t)
	d := tasks.Difficulty{Level: t.Difficulty, MinGivens: lo, MaxGivens: hi,
		MinPathLen: t.MinPath, MaxPathLen: t.MaxPath, PathSkew: t.PathSkew, Carver: t.Carver, Loops: t.Loops}
	if t.Difficulty == "any" {
		d.Level, d.MaxGuesses = "medium", -1
	}
	return d
}

// givensRange resolves task.min_givens and task.max_givens for a Sudoku: 0
// takes the task's range for the size and difficulty (tasks.SudokuGivens),
// stretched to meet the other bound when that one is set, so one explicit
// bound never conflicts with a default. Other tasks keep the keys as they are.
func givensRange(t TaskConfig) (lo, hi int) {
	lo, hi = t.MinGivens, t.MaxGivens
	if t.Kind != "sudoku" {
		return lo, hi
	}
	dlo, dhi, ok := tasks.SudokuGivens(t.Size, t.Difficulty)
	if !ok {
		return lo, hi
	}
	if lo == 0 {
		lo = dlo
		if hi != 0 {
			lo = min(lo, hi)
		}
	}
	if hi == 0 {
		hi = max(dhi, lo)
	}
	return lo, hi
}

func (d *dataStream) Task() tasks.Task        { return d.ds.Task }
func (d *dataStream) Test() []tasks.Example   { return d.ds.Test }
func (d *dataStream) Dataset() *tasks.Dataset { return d.ds }

// NumPuzzleIDs is the size of the puzzle-embedding table the data needs.
func (d *dataStream) NumPuzzleIDs() int {
	return max(d.ds.Task.NumPuzzleIDs(), len(d.ds.Identifiers))
}

// Next fills b with the next training batch of the given size, reusing its
// slices.
func (d *dataStream) Next(b *engine.Batch, size int) error {
	L := d.ds.Task.SeqLen()
	if cap(b.PuzzleIDs) < size {
		b.Inputs, b.Labels, b.PuzzleIDs = make([]int32, size*L), make([]int32, size*L), make([]int32, size)
	}
	b.Size = size
	b.Inputs, b.Labels, b.PuzzleIDs = b.Inputs[:size*L], b.Labels[:size*L], b.PuzzleIDs[:size]
	return d.sampler.Fill(b.Inputs, b.Labels, b.PuzzleIDs)
}

// Update applies live [task] changes (the difficulty of a generated stream).
// The held-out split follows the difficulty: it is regenerated as a new
// session with c would generate it (so a resumed run evaluates on the same
// puzzles), and returned; nil when it did not change.
func (d *dataStream) Update(c *Config) ([]tasks.Example, error) {
	want := difficultyOf(c.Task)
	if want == d.sampler.Difficulty() {
		return nil, nil
	}
	nd, err := tasks.New(datasetOptions(c, false)) // first: a refused difficulty changes nothing
	if err != nil {
		return nil, err
	}
	if err := d.sampler.SetDifficulty(want); err != nil {
		return nil, err
	}
	d.ds.Test, d.ds.TestIndex = nd.Test, nd.TestIndex
	return nd.Test, nil
}

// State is the sampler's position, for checkpoints.
func (d *dataStream) State() map[string]string {
	st := d.sampler.State()
	return map[string]string{
		"batches": strconv.Itoa(st.Batches),
		"epoch":   strconv.Itoa(st.Epoch),
		"cursor":  strconv.Itoa(st.Cursor),
	}
}

// Restore moves the sampler to a position saved by State.
func (d *dataStream) Restore(m map[string]string) error {
	var st tasks.SamplerState
	for key, dst := range map[string]*int{"batches": &st.Batches, "epoch": &st.Epoch, "cursor": &st.Cursor} {
		v, err := strconv.Atoi(m[key])
		if err != nil {
			return &InputError{Err: &FieldError{Key: "data." + key, Msg: "missing or not a number in the checkpoint"}}
		}
		*dst = v
	}
	return d.sampler.SetState(st)
}

// Split returns the examples of a split of the loaded checkpoint's dataset:
// "test", or "train" (a fixed training set, such as a reference dataset
// folder's train/).
func (l *Loaded) Split(name string) ([]tasks.Example, error) {
	switch name {
	case "test":
		return l.data.Test(), nil
	case "train":
		if l.data.ds.Fresh() {
			return nil, inputErrorf("-split train: the training puzzles of %s are generated fresh, not a fixed set", l.Config.Task.Kind)
		}
		return l.data.ds.Train, nil
	}
	return nil, inputErrorf("-split %q: want train or test", name)
}
