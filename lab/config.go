// Package lab joins the engine and the tasks into an experiment: the lab.toml
// schema (defaults, decoding, validation, -set overrides) and the Session that
// runs a trainer on its own goroutine for the TUI and the headless CLI alike.
package lab

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"hrmlab/checkpoints"
)

// Config is one experiment: the sections of lab.toml. Struct tags carry the
// TOML key, a one-line help text, and whether the field can change while a run
// trains ("live") or whether changing it means a new run.
type Config struct {
	Run   RunConfig   `toml:"run"`
	Task  TaskConfig  `toml:"task"`
	Model ModelConfig `toml:"model"`
	Train TrainConfig `toml:"train"`
	// Curriculum is a rule that changes live keys as held-out accuracy
	// rises (lab/curriculum.go).
	Curriculum CurriculumConfig `toml:"curriculum"`

	// Source names where the config came from ("lab.toml (embedded)" or a
	// path) for error messages.
	Source string `toml:"-"`
}

// RunConfig is the [run] section: naming, seed, limits, logging cadence.
type RunConfig struct {
	Name            string  `toml:"name" help:"run folder name under out; empty: <task>-<arch>-<time>"`
	Seed            int64   `toml:"seed" help:"seed of the model init, the data and the exploration"`
	Out             string  `toml:"out" help:"folder that holds the runs"`
	MaxSteps        int     `toml:"max_steps" help:"stop after this many optimizer steps, counted from the run's first (0: no limit)" live:"true"`
	MaxMinutes      float64 `toml:"max_minutes" help:"stop after this many minutes of training, counted from the run's first step over resumed sessions (0: no limit)" live:"true"`
	LogEvery        int     `toml:"log_every" help:"steps between progress lines and metrics.jsonl records" live:"true"`
	EvalEvery       int     `toml:"eval_every" help:"steps between evaluations on the test split (0: never)" live:"true"`
	EvalCount       int     `toml:"eval_count" help:"test examples used by each periodic evaluation" live:"true"`
	CheckpointEvery int     `toml:"checkpoint_every" help:"steps between checkpoints (0: only at the end)" live:"true"`
	KeepCheckpoints int     `toml:"keep_checkpoints" help:"checkpoints kept in the run folder (older ones are deleted)" live:"true"`
	Parent          string  `toml:"parent" help:"the run this one branched from, set by branching (empty: a run of its own)"`
	ParentStep      int     `toml:"parent_step" help:"the parent's step where this run branched off"`
}

// TaskConfig is the [task] section: which puzzles and how many.
type TaskConfig struct {
	Kind       string  `toml:"kind" help:"puzzle family: sudoku, maze or arc"`
	Size       int     `toml:"size" help:"sudoku side (4, 6, 9), maze side, or ARC canvas side"`
	Data       string  `toml:"data" help:"read puzzles from a CSV file or ARC JSON file/folder instead of generating"`
	MinGivens  int     `toml:"min_givens" help:"sudoku: fewest givens of a generated puzzle (0: the task's range for the size and difficulty)" live:"true"`
	MaxGivens  int     `toml:"max_givens" help:"sudoku: most givens of a generated puzzle (0: the task's range for the size and difficulty)" live:"true"`
	Difficulty string  `toml:"difficulty" help:"sudoku: any, easy, medium or hard (solver-measured)" live:"true"`
	MinPath    int     `toml:"min_path" help:"maze: shortest-path length a generated maze must reach (0: the task's default for the side and difficulty)" live:"true"`
	MaxPath    int     `toml:"max_path" help:"maze: longest shortest path; set, each maze's length is drawn from min_path..max_path (0: no limit, G far from S)" live:"true"`
	PathSkew   float64 `toml:"path_skew" help:"maze: with max_path, leans the drawn length toward min_path: min + (max-min+1)·u^(1+path_skew), u uniform (0: uniform)" live:"true"`
	Carver     string  `toml:"carver" help:"maze: dfs (long corridors), kruskal, prim (short dead ends), wilson (uniform spanning tree), mix (one of them per maze), or a list such as dfs,dfs,kruskal,prim,wilson (one per maze; a repeat weighs)" live:"true"`
	Loops      float64 `toml:"loops" help:"maze: fraction of the walls left between rooms knocked down to make loops (0: the difficulty's 2%, easy 8%; -1: none)" live:"true"`
	TrainCount int     `toml:"train_count" help:"fixed training puzzles (0: a fresh generated puzzle every time)"`
	TestCount  int     `toml:"test_count" help:"held-out test puzzles"`
	Augment    bool    `toml:"augment" help:"add num_aug augmented variants of every fixed training puzzle (ARC: with translation)"`
	NumAug     int     `toml:"num_aug" help:"augmented variants per training puzzle (ARC: each with its own puzzle id)"`
}

// ModelConfig is the [model] section: the architecture.
type ModelConfig struct {
	Arch                string  `toml:"arch" help:"hrm (two modules, one-step gradient) or trm (one net, full backprop)"`
	Hidden              int     `toml:"hidden" help:"hidden size D"`
	Heads               int     `toml:"heads" help:"attention heads (must divide hidden)"`
	Expansion           float64 `toml:"expansion" help:"SwiGLU expansion factor"`
	HLayers             int     `toml:"h_layers" help:"HRM: blocks in the high-level module H"`
	LLayers             int     `toml:"l_layers" help:"HRM: blocks in the low-level module L; TRM: blocks of its one net"`
	HCycles             int     `toml:"h_cycles" help:"HRM: H updates per segment (N); TRM: recursions per step (T)" live:"true"`
	LCycles             int     `toml:"l_cycles" help:"HRM: L updates per H update (T); TRM: latent updates per recursion (n)" live:"true"`
	HaltMaxSteps        int     `toml:"halt_max_steps" help:"most supervision segments per puzzle (M_max)" live:"true"`
	HaltExplorationProb float64 `toml:"halt_exploration_prob" help:"probability of a random minimum number of segments" live:"true"`
	HaltThreshold       float64 `toml:"halt_threshold" help:"evaluation halts a puzzle once sigmoid(q_halt - q_continue) exceeds this (no continue head: sigmoid(q_halt)); 0.5 is the reference's rule, which training always uses" live:"true"`
	PosEncodings        string  `toml:"pos_encodings" help:"rope, learned or none"`
	TokenMixer          string  `toml:"token_mixer" help:"attention, or mlp (TRM's attention-free mixer)"`
	LocalMix            int     `toml:"local_mix" help:"side k of a per-channel kxk convolution over a square grid added to the mlp token mixer (0: none; not in the reference)"`
	Loss                string  `toml:"loss" help:"stablemax or softmax cross-entropy"`
	ACTContinue         bool    `toml:"act_continue" help:"Q-learning continue head with a bootstrap segment (HRM); off: one BCE halt head (TRM)"`
	PuzzleEmbLen        int     `toml:"puzzle_emb_len" help:"puzzle-embedding prefix positions (HRM 1, TRM 16)"`
}

// TrainConfig is the [train] section: the optimizer and its schedule.
type TrainConfig struct {
	BatchSize            int     `toml:"batch_size" help:"examples per step (batch slots)" live:"true"`
	LR                   float64 `toml:"lr" help:"peak learning rate of the dense weights" live:"true"`
	LRMinRatio           float64 `toml:"lr_min_ratio" help:"cosine floor as a fraction of lr, reached at run.max_steps or run.max_minutes, whichever comes first (1: constant after warm-up)" live:"true"`
	WarmupSteps          int     `toml:"warmup_steps" help:"linear warm-up steps" live:"true"`
	WeightDecay          float64 `toml:"weight_decay" help:"decoupled weight decay of the dense weights" live:"true"`
	Beta1                float64 `toml:"beta1" help:"Adam first-moment rate" live:"true"`
	Beta2                float64 `toml:"beta2" help:"Adam second-moment rate" live:"true"`
	Optimizer            string  `toml:"optimizer" help:"adam_atan2 (reference) or adamw" live:"true"`
	PuzzleEmbLR          float64 `toml:"puzzle_emb_lr" help:"sign-SGD learning rate of the puzzle embeddings" live:"true"`
	PuzzleEmbWeightDecay float64 `toml:"puzzle_emb_weight_decay" help:"weight decay of the touched puzzle embeddings" live:"true"`
	EMA                  float64 `toml:"ema" help:"EMA rate of the weights used for evaluation (0: off; TRM uses 0.999)" live:"true"`
}

// CurriculumConfig is the [curriculum] section: stages of live edits the run
// enters one after another, each when a periodic evaluation reaches
// advance_at held-out exact accuracy (LAB.md, "Curriculum").
type CurriculumConfig struct {
	Stages    []string `toml:"stages" help:"later stages, each the live edits \"key=value key=value\" made on entering it; the run starts with the keys as set (empty: no curriculum)" live:"true"`
	AdvanceAt float64  `toml:"advance_at" help:"held-out exact accuracy of a periodic evaluation that moves the run into the next stage" live:"true"`
	Stage     int      `toml:"stage" help:"stages entered so far (the rule counts; the next one entered is stages[stage])" live:"true"`
}

// defaultTOML is the default experiment. The file sits at the repository root
// (so a reader finds it first), where only package main can embed it: main
// hands it over with SetDefaultText before anything else runs.
var defaultTOML []byte

// SetDefaultText installs the default lab.toml text. It is validated at once.
func SetDefaultText(text []byte) error {
	defaultTOML = bytes.Clone(text)
	c := &Config{}
	if _, err := toml.Decode(string(text), c); err != nil {
		return fmt.Errorf("default lab.toml: %w", err)
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("default lab.toml: %w", err)
	}
	return nil
}

// Default returns the default experiment.
func Default() *Config {
	c, err := Parse(defaultTOML, defaultSource)
	if err != nil {
		panic("embedded lab.toml is invalid: " + err.Error()) // a build defect, caught by tests
	}
	return c
}

const defaultSource = "lab.toml (embedded)"

// DefaultText is the embedded lab.toml, comments included.
func DefaultText() []byte { return bytes.Clone(defaultTOML) }

// Load reads a lab.toml file. Keys the file leaves out keep the embedded
// defaults.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return Parse(data, path)
}

// decode decodes TOML text over the embedded defaults and rejects unknown
// keys, without validating the values. source names the text in errors.
func decode(data []byte, source string) (*Config, error) {
	c := &Config{}
	if source != defaultSource {
		*c = *Default()
	}
	md, err := toml.Decode(string(data), c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, inputErrorf("%s:%d: %s", source, pe.Position.Line, pe.Message)
		}
		// Type mismatches come as "toml: line N (last key "K"): message".
		if m := decodeErrRE.FindStringSubmatch(err.Error()); m != nil {
			return nil, inputErrorf("%s:%s: %s: %s", source, m[1], m[2], m[3])
		}
		return nil, inputErrorf("%s: %v", source, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0]
		return nil, inputErrorf("%s:%d: unknown key %q%s", source, keyLine(data, k), k.String(), suggest(k.String()))
	}
	c.Source = source
	return c, nil
}

// Parse decodes TOML text over the embedded defaults, rejects unknown keys
// and validates the result. source names the text in errors.
func Parse(data []byte, source string) (*Config, error) {
	return parseWithSets(data, source, nil)
}

// parseWithSets decodes TOML text, applies the -set overrides over it and
// validates the result once: an error names the -set flags or the file line
// that hold the keys at fault.
func parseWithSets(data []byte, source string, sets []string) (*Config, error) {
	c, err := decode(data, source)
	if err != nil {
		return nil, err
	}
	set, err := c.setAll(sets, "-set ")
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, attribute(err, source, data, set)
	}
	return c, nil
}

var decodeErrRE = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// keyLine finds the line that defines a dotted key in TOML text, tracking the
// current [table] header; 0 when it cannot be found (for example a default).
func keyLine(data []byte, key []string) int {
	if len(key) == 0 {
		return 0
	}
	table := ""
	want := strings.Join(key[:len(key)-1], ".")
	last := key[len(key)-1]
	for i, line := range strings.Split(string(data), "\n") {
		s := strings.TrimSpace(line)
		if strings.HasPrefix(s, "[") {
			table = strings.Trim(strings.SplitN(s, "#", 2)[0], "[] \t")
			if len(key) == 1 && table == last {
				return i + 1
			}
			continue
		}
		name, _, ok := strings.Cut(s, "=")
		if !ok {
			continue
		}
		name = strings.Trim(strings.TrimSpace(name), `"`)
		full := name
		if table != "" {
			full = table + "." + name
		}
		if full == want+"."+last || (want == "" && full == last) {
			return i + 1
		}
	}
	return 0
}

// suggest names the closest known key to an unknown one, if any is close.
func suggest(key string) string {
	best, bestD := "", 4
	for _, f := range Fields(Default()) {
		if d := editDistance(key, f.Key); d < bestD {
			best, bestD = f.Key, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Encode writes the config as TOML, grouped in sections.
func (c *Config) Encode() ([]byte, error) {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Save writes the config as a lab.toml at path, atomically: a reader (or a
// crash) sees the old file or the new one, never a part.
func (c *Config) Save(path string) error {
	text, err := c.Encode()
	if err != nil {
		return err
	}
	return checkpoints.WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(text)
		return err
	})
}

// Fresh returns a copy for a new run of its own: no name yet (a folder of
// its own) and no parent.
func (c *Config) Fresh() *Config {
	d := c.Clone()
	d.Run.Name, d.Run.Parent, d.Run.ParentStep = "", "", 0
	return d
}

// Clone returns a deep copy.
func (c *Config) Clone() *Config {
	d := *c
	d.Curriculum.Stages = slices.Clone(c.Curriculum.Stages)
	return &d
}

// InputError is an error caused by the user's input (a config file, a -set
// flag, a puzzle file, a checkpoint): the CLI exits with status 2 on it.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// IsInputError reports whether err (or an error it wraps) is an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
