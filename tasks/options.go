package tasks

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
)

// Difficulty holds the difficulty knobs of generated tasks; a sampler's difficulty can change
// between batches. Zero fields take the preset of Level.
type Difficulty struct {
	Level      string  // "easy" | "medium" | "hard" | "any" (sudoku only); "" means "medium"
	MinGivens  int     // sudoku: fewest givens
	MaxGivens  int     // sudoku: most givens
	MinGuesses int     // sudoku: fewest solver guesses (SolveStats.Guesses)
	MaxGuesses int     // sudoku: most solver guesses; -1 = no limit
	MinPathLen int     // maze: fewest steps on the shortest S-G path
	MaxPathLen int     // maze: most steps on the shortest S-G path, drawn from the range (see PathSkew); 0 = no limit, G far from S
	PathSkew   float64 // maze: with MaxPathLen, draws the length as min + ⌊(max-min+1)·u^(1+PathSkew)⌋, u uniform in [0, 1): 0 = uniform, more = more short paths
	Loops      float64 // maze: fraction of inner walls knocked down to make loops; negative = none (a perfect maze)
	Carver     string  // maze: one of MazeCarvers, or "mix" (one at random per maze); "" = "dfs"
}

// Options selects and sizes a dataset (the lab.toml [task] table).
type Options struct {
	Kind string // "sudoku" | "maze" | "arc"
	Size int    // sudoku side 4, 6 or 9; maze side; ARC canvas. 0: 9, 30, 30
	// Difficulty of generated puzzles: the test split's, and the training stream's until
	// Sampler.SetDifficulty changes it.
	Difficulty Difficulty
	// TrainCount: generated tasks: 0 = a fresh stream of new puzzles for every batch, > 0 = a
	// fixed set of this many originals. CSV data: at most this many rows, a random subset for
	// the seed (0 = all). Ignored for ARC.
	TrainCount int
	// TestCount: generated tasks: test puzzles. CSV data without TestPath: rows held out for
	// test, a random subset for the seed (< 0: every row goes to test, in file order, as for
	// `hrmlab eval -data`). CSV TestPath: the first this many rows (0 = all).
	// Ignored for ARC (the split rule decides).
	TestCount int
	Augment   bool // add NumAug augmented variants of every original to fixed train sets (ARC: also translation)
	// NumAug: augmented variants per original when Augment. They are held in memory: an ARC
	// example takes 8*canvas² bytes, so 800 tasks with NumAug 1000 would need about 23 GB at
	// canvas 30; keep it small on a CPU.
	NumAug   int
	DataPath string // CSV file (sudoku, maze), ARC JSON file or folder, or a reference dataset folder; "" = generate puzzles
	TestPath string // optional CSV file for the test split (sudoku, maze)
	Seed     uint64
}

// generator is a task that generates and augments puzzles (Sudoku, maze).
type generator interface {
	Task
	// generateRecord returns a new puzzle at difficulty d and its rating (Sudoku: solver
	// guesses; maze: shortest path length).
	generateRecord(rng *rand.Rand, d Difficulty) (Record, error)
	// checkDifficulty validates d for this task.
	checkDifficulty(d Difficulty) error
	Augment(rng *rand.Rand, ex Example) Example
}

func (s *Sudoku) generateRecord(rng *rand.Rand, d Difficulty) (Record, error) {
	ex, st, err := s.Generate(rng, d)
	return Record{Source: "hrmlab", Example: ex, Rating: float64(st.Guesses)}, err
}

func (s *Sudoku) checkDifficulty(d Difficulty) error {
	_, err := s.limits(d)
	return err
}

func (m *Maze) generateRecord(rng *rand.Rand, d Difficulty) (Record, error) {
	ex, err := m.Generate(rng, d)
	steps := 1
	for _, t := range ex.Label {
		if t == mazePath {
			steps++
		}
	}
	return Record{Source: "hrmlab", Example: ex, Rating: float64(steps)}, err
}

func (m *Maze) checkDifficulty(d Difficulty) error {
	_, err := m.limits(d)
	return err
}

// Streams of the dataset seed.
const (
	streamTrain = 1
	streamTest  = 2
	streamSplit = 3
	streamAug   = 4
)

// NewTask returns the task of opts.Kind and opts.Size (defaults 9, 30, 30).
func NewTask(kind string, size int) (Task, error) {
	switch kind {
	case "sudoku":
		return NewSudoku(cmp.Or(size, 9))
	case "maze":
		return NewMaze(cmp.Or(size, 30))
	case "arc":
		return NewARC(size)
	}
	return nil, fmt.Errorf("task kind %q: want sudoku, maze or arc", kind)
}

// New builds the dataset opts describe, deterministically for opts.Seed.
func New(opts Options) (*Dataset, error) {
	if opts.NumAug < 0 || opts.TrainCount < 0 {
		return nil, fmt.Errorf("task: num_aug %d, train count %d: want >= 0", opts.NumAug, opts.TrainCount)
	}
	t, err := NewTask(opts.Kind, opts.Size)
	if err != nil {
		return nil, err
	}
	d := &Dataset{Task: t, Options: opts, Identifiers: []string{"<blank>"}}
	numAug := 0
	if opts.Augment {
		numAug = opts.NumAug
	}
	if opts.DataPath != "" && IsReferenceFolder(opts.DataPath) {
		return d, d.loadReference(opts.DataPath)
	}
	if a, ok := t.(*ARC); ok {
		if opts.DataPath == "" {
			return nil, errors.New("task arc: a data path (ARC JSON file or folder) is required")
		}
		if err := a.LoadARC(opts.DataPath); err != nil {
			return nil, err
		}
		if len(a.Tasks) == 0 {
			return nil, fmt.Errorf("%s: no task fits the canvas %dx%d (%d skipped, e.g. %s)", opts.DataPath, a.canvas, a.canvas, len(a.Skipped), a.Skipped[0])
		}
		train, test, names := a.build(rand.New(rand.NewPCG(opts.Seed, streamAug)), numAug, opts.Augment)
		d.setSplits(train, test)
		d.Identifiers = names
		return d, nil
	}
	g := t.(generator)
	if err := g.checkDifficulty(opts.Difficulty); err != nil {
		return nil, err
	}
	trainRecs, testRecs, err := d.originals(g)
	if err != nil {
		return nil, err
	}
	augRNG := rand.New(rand.NewPCG(opts.Seed, streamAug))
	train, test := newSplitBuilder(), newSplitBuilder()
	for _, r := range trainRecs {
		train.add(r.Example)
		for range numAug {
			train.endPuzzle()
			train.add(g.Augment(augRNG, r.Example))
		}
		train.endGroup()
	}
	for _, r := range testRecs {
		test.add(r.Example)
		test.endGroup()
	}
	d.setSplits(train, test)
	return d, nil
}

// originals returns the train and test originals of a Sudoku or maze dataset: read from CSV
// files or generated.
func (d *Dataset) originals(g generator) (train, test []Record, err error) {
	opts := d.Options
	if opts.DataPath == "" {
		d.fresh = opts.TrainCount == 0
		if train, err = generateRecords(g, rand.New(rand.NewPCG(opts.Seed, streamTrain)), opts.Difficulty, opts.TrainCount); err != nil {
			return nil, nil, err
		}
		test, err = generateRecords(g, rand.New(rand.NewPCG(opts.Seed, streamTest)), opts.Difficulty, max(opts.TestCount, 0))
		return train, test, err
	}
	if train, err = ReadCSV(opts.DataPath, g); err != nil {
		return nil, nil, err
	}
	if len(train) == 0 {
		return nil, nil, fmt.Errorf("%s: no puzzle rows", opts.DataPath)
	}
	if opts.TestPath == "" && opts.TestCount < 0 {
		return nil, train, nil // every row to test, in file order
	}
	rng := rand.New(rand.NewPCG(opts.Seed, streamSplit))
	rng.Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
	switch {
	case opts.TestPath != "":
		if test, err = ReadCSV(opts.TestPath, g); err != nil {
			return nil, nil, err
		}
		if opts.TestCount > 0 && opts.TestCount < len(test) {
			test = test[:opts.TestCount]
		}
	case opts.TestCount >= len(train):
		train, test = nil, train
	default:
		train, test = train[opts.TestCount:], train[:opts.TestCount]
	}
	if opts.TrainCount > 0 && opts.TrainCount < len(train) {
		train = train[:opts.TrainCount]
	}
	return train, test, nil
}

// generateRecords generates n puzzles.
func generateRecords(g generator, rng *rand.Rand, d Difficulty, n int) ([]Record, error) {
	out := make([]Record, n)
	for i := range out {
		var err error
		if out[i], err = g.generateRecord(rng, d); err != nil {
			return nil, err
		}
	}
	return out, nil
}
