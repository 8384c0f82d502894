package lab

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"hrmlab/checkpoints"
	"hrmlab/engine"
	"hrmlab/tasks"
)

// KeyTrainSeconds is the checkpoint metadata holding the run's training time
// up to it, so run.max_minutes and the cosine over it go on where they were.
const KeyTrainSeconds = "train_seconds"

// loadedCheckpoint is a checkpoint file read back with its config.
type loadedCheckpoint struct {
	path    string
	cfg     *Config
	tensors []*engine.Tensor
	meta    checkpoints.Meta
}

// CheckpointPath resolves what -resume, -load and -checkpoint name: a
// checkpoint file as it is, or a folder (a run folder, or its checkpoints
// folder) as its latest readable checkpoint. A folder without one is an input
// error naming it.
func CheckpointPath(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		return path, nil // a file, or an error checkpoints.Load reports
	}
	dir := path
	if sub := filepath.Join(path, checkpoints.Dir); isDir(sub) {
		dir = sub
	}
	info, err := checkpoints.Latest(dir)
	if err != nil {
		if errors.Is(err, checkpoints.ErrNoCheckpoint) {
			return "", inputErrorf("%s: a folder without a readable checkpoint (want a run folder with %s/step-NNNNNNN.safetensors, or a checkpoint file)", path, checkpoints.Dir)
		}
		return "", &InputError{Err: err}
	}
	return info.Path, nil
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func loadCheckpoint(path string) (*loadedCheckpoint, error) {
	path, err := CheckpointPath(path)
	if err != nil {
		return nil, err
	}
	ck, err := checkpoints.Load(path)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	cfg, err := Parse([]byte(ck.Meta.Config), path+" (config)")
	if err != nil {
		return nil, err
	}
	return &loadedCheckpoint{path: path, cfg: cfg, tensors: ck.Tensors, meta: ck.Meta}, nil
}

// ResumeConfig returns the config a checkpoint was saved with.
func ResumeConfig(path string) (*Config, error) {
	c, err := loadCheckpoint(path)
	if err != nil {
		return nil, err
	}
	return c.cfg, nil
}

// prefixed returns the tensors and metadata whose names start with prefix,
// with the prefix removed.
func (c *loadedCheckpoint) prefixed(prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range c.meta.Extra {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	return out
}

// loadWeights copies the model tensors into m; with ema it prefers the EMA
// copy ("ema.<name>") where the checkpoint has one.
func (c *loadedCheckpoint) loadWeights(m *engine.Model, ema bool) error {
	byName := make(map[string]*engine.Tensor, len(c.tensors))
	for _, t := range c.tensors {
		byName[t.Name] = t
	}
	for _, want := range m.Tensors() {
		t, ok := byName[want.Name]
		if e, has := byName["ema."+want.Name]; ema && has {
			t, ok = e, true
		}
		if !ok {
			return &InputError{Err: fmt.Errorf("%s: tensor %s is missing", c.path, want.Name)}
		}
		if err := m.SetTensor(want.Name, t.Shape, t.F32); err != nil {
			return &InputError{Err: fmt.Errorf("%s: %w", c.path, err)}
		}
	}
	return nil
}

// restore puts a session back where the checkpoint left it: weights,
// optimizer, carry, RNG and data position.
func (c *loadedCheckpoint) restore(s *Session) error {
	if err := c.loadWeights(s.trainer.Model(), false); err != nil {
		return err
	}
	var state []*engine.Tensor
	names := map[string]bool{}
	for _, t := range s.trainer.Model().Tensors() {
		names[t.Name] = true
	}
	for _, t := range c.tensors {
		if !names[t.Name] {
			state = append(state, t)
		}
	}
	if err := s.trainer.Restore(state, c.prefixed("trainer.")); err != nil {
		return &InputError{Err: fmt.Errorf("%s: %w", c.path, err)}
	}
	if err := s.data.Restore(c.prefixed("data.")); err != nil {
		return &InputError{Err: fmt.Errorf("%s: %w", c.path, err)}
	}
	if v, ok := c.meta.Extra[KeyTrainSeconds]; ok { // absent before it was recorded: the clock starts again
		sec, err := strconv.ParseFloat(v, 64)
		if err != nil || sec < 0 || math.IsInf(sec, 0) {
			return inputErrorf("%s: %s %q is not a number of seconds", c.path, KeyTrainSeconds, v)
		}
		s.priorTime = time.Duration(sec * float64(time.Second))
	}
	return nil
}

// Loaded is a checkpoint opened for evaluation or solving: its config, its
// dataset and its evaluation weights.
type Loaded struct {
	Config *Config
	Model  *engine.Model
	Step   int
	Notes  []string // what to keep in mind about the numbers (a reference checkpoint trained in bfloat16)
	data   *dataStream
}

// OpenCheckpoint loads a checkpoint's model (EMA weights when it has them)
// and rebuilds its dataset; dataPath, when set, replaces the config's
// task.data so the model can be evaluated on other puzzles of its kind. A
// checkpoint of the PyTorch reference (torch.save or safetensors, with its
// all_config.yaml) opens too: see OpenReference.
func OpenCheckpoint(path, dataPath string) (*Loaded, error) {
	c, err := loadCheckpoint(path)
	if errors.Is(err, checkpoints.ErrForeign) {
		return openReferenceCheckpoint(path, dataPath)
	}
	if err != nil {
		return nil, err
	}
	cfg := c.cfg
	if dataPath != "" {
		if err := cfg.Set("task.data", dataPath); err != nil {
			return nil, err
		}
	}
	d, err := openData(cfg, dataPath != "")
	if err != nil {
		return nil, err
	}
	mc := modelConfig(cfg, d)
	if dataPath != "" {
		// The puzzle-embedding table belongs to the training data.
		mc.NumPuzzleIDs = modelConfig(c.cfg, d).NumPuzzleIDs
		for _, t := range c.tensors {
			if t.Name == "inner.puzzle_emb.weights" && len(t.Shape) > 0 {
				mc.NumPuzzleIDs = t.Shape[0]
			}
		}
	}
	m, err := engine.NewModel(mc, uint64(cfg.Run.Seed))
	if err != nil {
		return nil, &InputError{Err: err}
	}
	if err := c.loadWeights(m, true); err != nil {
		return nil, err
	}
	return &Loaded{Config: cfg, Model: m, Step: c.meta.Step, data: d}, nil
}

// Task is the loaded checkpoint's puzzle family.
func (l *Loaded) Task() tasks.Task { return l.data.Task() }

// Test is the held-out split of the loaded checkpoint's dataset (or of the
// -data file that replaced it).
func (l *Loaded) Test() []tasks.Example { return l.data.Test() }
