package lab

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"hrmlab/checkpoints"
	"hrmlab/engine"
	"hrmlab/tasks"
)

// ReferenceConfigName is the file the reference's pretrain.py writes beside
// its checkpoints: the whole training config, arch included.
const ReferenceConfigName = "all_config.yaml"

// The model classes of the reference repositories the engine implements
// (arch.name in all_config.yaml), with the arch fields each class has.
var referenceArchs = map[string]struct {
	arch   string
	fields []string // beyond the fields every class has
}{
	"hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1":           {"hrm", nil},
	"recursive_reasoning.hrm@HierarchicalReasoningModel_ACTV1":  {"hrm", []string{"mlp_t"}},
	"recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1": {"trm", []string{"mlp_t", "puzzle_emb_len", "no_ACT_continue"}},
}

// commonArchFields are the arch fields of every class.
var commonArchFields = []string{"name", "loss", "H_cycles", "L_cycles", "H_layers", "L_layers",
	"hidden_size", "num_heads", "expansion", "puzzle_emb_ndim", "pos_encodings", "rms_norm_eps",
	"rope_theta", "halt_max_steps", "halt_exploration_prob", "forward_dtype"}

// refArch is the arch section of all_config.yaml.
type refArch struct {
	Name string `yaml:"name"`
	Loss struct {
		Name     string `yaml:"name"`
		LossType string `yaml:"loss_type"`
	} `yaml:"loss"`
	HCycles             int      `yaml:"H_cycles"`
	LCycles             int      `yaml:"L_cycles"`
	HLayers             int      `yaml:"H_layers"`
	LLayers             int      `yaml:"L_layers"`
	HiddenSize          int      `yaml:"hidden_size"`
	NumHeads            int      `yaml:"num_heads"`
	Expansion           float64  `yaml:"expansion"`
	PuzzleEmbNdim       int      `yaml:"puzzle_emb_ndim"`
	PuzzleEmbLen        int      `yaml:"puzzle_emb_len"`
	PosEncodings        string   `yaml:"pos_encodings"`
	RMSNormEps          *float64 `yaml:"rms_norm_eps"`
	RopeTheta           *float64 `yaml:"rope_theta"`
	HaltMaxSteps        int      `yaml:"halt_max_steps"`
	HaltExplorationProb float64  `yaml:"halt_exploration_prob"`
	ForwardDType        string   `yaml:"forward_dtype"`
	MLPT                bool     `yaml:"mlp_t"`
	NoACTContinue       *bool    `yaml:"no_ACT_continue"`
}

// refConfig is the part of all_config.yaml the lab reads: the arch and the
// training keys that have a lab.toml counterpart. Other keys (names, paths,
// evaluation cadence, evaluators) do not bear on the model and are ignored.
type refConfig struct {
	Arch                 yaml.Node `yaml:"arch"`
	DataPath             string    `yaml:"data_path"`
	DataPaths            []string  `yaml:"data_paths"`
	GlobalBatchSize      *int      `yaml:"global_batch_size"`
	LR                   *float64  `yaml:"lr"`
	LRMinRatio           *float64  `yaml:"lr_min_ratio"`
	LRWarmupSteps        *int      `yaml:"lr_warmup_steps"`
	WeightDecay          *float64  `yaml:"weight_decay"`
	Beta1                *float64  `yaml:"beta1"`
	Beta2                *float64  `yaml:"beta2"`
	PuzzleEmbLR          *float64  `yaml:"puzzle_emb_lr"`
	PuzzleEmbWeightDecay *float64  `yaml:"puzzle_emb_weight_decay"`
	Seed                 *int64    `yaml:"seed"`
	EMA                  *bool     `yaml:"ema"`
	EMARate              *float64  `yaml:"ema_rate"`
}

// Reference is a checkpoint of the PyTorch reference (sapientinc/HRM or
// TinyRecursiveModels) opened for the lab: its state dict, the lab config its
// all_config.yaml maps to, and what the mapping could not carry over.
type Reference struct {
	Path   string
	Config *Config
	State  *checkpoints.StateDict
	Step   int      // from the file name step_N (0 when it has none)
	Notes  []string // differences to keep in mind (bfloat16 training, ...)
	// PuzzleEmbNdim is the width of the reference's puzzle-embedding table;
	// the lab's is puzzle_emb_len x hidden, zero-padded as the reference pads.
	PuzzleEmbNdim int
}

// OpenReference reads a reference checkpoint and the all_config.yaml beside
// it. dataPath, when it names a reference dataset folder, gives the sequence
// length the tensors may not tell (and is checked against them); otherwise
// the config's data_path is tried.
func OpenReference(path, dataPath string) (*Reference, error) {
	sd, err := checkpoints.ImportReference(path)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	yamlPath := filepath.Join(filepath.Dir(path), ReferenceConfigName)
	text, err := os.ReadFile(yamlPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, inputErrorf("%s: a reference checkpoint needs the %s its training wrote beside it (%s is missing)", path, ReferenceConfigName, yamlPath)
	}
	if err != nil {
		return nil, &InputError{Err: err}
	}
	r := &Reference{Path: path, State: sd, Config: Default().Fresh()}
	if m := stepNameRE.FindStringSubmatch(filepath.Base(path)); m != nil {
		r.Step, _ = strconv.Atoi(m[1])
	}
	var rc refConfig
	if err := yaml.Unmarshal(text, &rc); err != nil {
		return nil, inputErrorf("%s: %v", yamlPath, err)
	}
	if err := r.mapArch(&rc.Arch, yamlPath); err != nil {
		return nil, err
	}
	r.mapTraining(&rc)
	if dataPath == "" {
		dataPath = r.configData(rc)
	}
	if err := r.setTask(dataPath, yamlPath); err != nil {
		return nil, err
	}
	if err := r.Config.Validate(); err != nil {
		return nil, inputErrorf("%s: %v", yamlPath, err)
	}
	return r, nil
}

var stepNameRE = regexp.MustCompile(`^step_(\d+)$`)

// mapArch maps the arch section onto [model], refusing, by name, a field or
// value the engine does not implement.
func (r *Reference) mapArch(node *yaml.Node, yamlPath string) error {
	fail := func(line int, field, format string, args ...any) error {
		return inputErrorf("%s:%d: arch.%s: %s", yamlPath, line, field, fmt.Sprintf(format, args...))
	}
	if node.Kind != yaml.MappingNode {
		return inputErrorf("%s: no arch section", yamlPath)
	}
	var a refArch
	if err := node.Decode(&a); err != nil {
		return inputErrorf("%s: arch: %v", yamlPath, err)
	}
	class, ok := referenceArchs[a.Name]
	lines := map[string]int{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		lines[node.Content[i].Value] = node.Content[i].Line
	}
	if !ok {
		known := make([]string, 0, len(referenceArchs))
		for name := range referenceArchs {
			known = append(known, name)
		}
		slices.Sort(known)
		return fail(lines["name"], "name", "%q is not a model the lab implements (%q)", a.Name, known)
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if k := node.Content[i]; !slices.Contains(commonArchFields, k.Value) && !slices.Contains(class.fields, k.Value) {
			return fail(k.Line, k.Value, "not a field of %s, so the lab does not know what it changes", a.Name)
		}
	}
	m := &r.Config.Model
	m.Arch = class.arch
	switch {
	case a.Loss.Name != "losses@ACTLossHead":
		return fail(lines["loss"], "loss.name", "%q: the lab implements losses@ACTLossHead only", a.Loss.Name)
	case a.Loss.LossType == "stablemax_cross_entropy":
		m.Loss = "stablemax"
	case a.Loss.LossType == "softmax_cross_entropy":
		m.Loss = "softmax"
	default:
		return fail(lines["loss"], "loss.loss_type", "%q: want stablemax_cross_entropy or softmax_cross_entropy", a.Loss.LossType)
	}
	m.HCycles, m.LCycles, m.LLayers = a.HCycles, a.LCycles, a.LLayers
	m.HLayers = 0 // TRM has no H module: its H_layers is ignored
	if m.Arch == "hrm" {
		m.HLayers = a.HLayers
	}
	m.Hidden, m.Heads, m.Expansion = a.HiddenSize, a.NumHeads, a.Expansion
	m.HaltMaxSteps, m.HaltExplorationProb = a.HaltMaxSteps, a.HaltExplorationProb
	m.PosEncodings = a.PosEncodings
	m.TokenMixer = "attention"
	if a.MLPT {
		m.TokenMixer = "mlp"
	}
	m.ACTContinue = m.Arch == "hrm" || (a.NoACTContinue != nil && !*a.NoACTContinue)
	if a.HiddenSize < 1 {
		return fail(lines["hidden_size"], "hidden_size", "%d must be positive", a.HiddenSize)
	}
	// The prefix: TRM's puzzle_emb_len when set, else ceil(puzzle_emb_ndim / hidden).
	r.PuzzleEmbNdim = a.PuzzleEmbNdim
	m.PuzzleEmbLen = (a.PuzzleEmbNdim + a.HiddenSize - 1) / a.HiddenSize
	if a.PuzzleEmbLen != 0 {
		m.PuzzleEmbLen = a.PuzzleEmbLen
	}
	switch {
	case a.PuzzleEmbNdim < 0:
		return fail(lines["puzzle_emb_ndim"], "puzzle_emb_ndim", "%d is negative", a.PuzzleEmbNdim)
	case a.PuzzleEmbNdim == 0 && m.PuzzleEmbLen > 0:
		return fail(lines["puzzle_emb_len"], "puzzle_emb_len", "%d prefix positions without a puzzle embedding (puzzle_emb_ndim 0): the reference model cannot run so", m.PuzzleEmbLen)
	case a.PuzzleEmbNdim > m.PuzzleEmbLen*a.HiddenSize:
		return fail(lines["puzzle_emb_len"], "puzzle_emb_len", "%d positions of %d cannot hold puzzle_emb_ndim %d", m.PuzzleEmbLen, a.HiddenSize, a.PuzzleEmbNdim)
	}
	// The engine's norms and rotary embedding use the reference's defaults.
	if a.RMSNormEps != nil && *a.RMSNormEps != 1e-5 {
		return fail(lines["rms_norm_eps"], "rms_norm_eps", "%v: the lab runs 1e-5 only", *a.RMSNormEps)
	}
	if a.RopeTheta != nil && *a.RopeTheta != 10000 {
		return fail(lines["rope_theta"], "rope_theta", "%v: the lab runs 10000 only", *a.RopeTheta)
	}
	switch a.ForwardDType {
	case "", "bfloat16", "float16": // the reference's default is bfloat16
		r.Notes = append(r.Notes, fmt.Sprintf("trained with forward_dtype %s; the lab computes in float32, so logits and q values differ from the GPU run's by rounding",
			cmp.Or(a.ForwardDType, "bfloat16")))
	case "float32":
	default:
		return fail(lines["forward_dtype"], "forward_dtype", "%q: want bfloat16, float16 or float32", a.ForwardDType)
	}
	return nil
}

// mapTraining maps the training keys onto [train] and [run], for
// fine-tuning from the checkpoint (train -init).
func (r *Reference) mapTraining(rc *refConfig) {
	c := r.Config
	setF := func(dst *float64, v *float64) {
		if v != nil {
			*dst = *v
		}
	}
	setF(&c.Train.LR, rc.LR)
	setF(&c.Train.LRMinRatio, rc.LRMinRatio)
	setF(&c.Train.WeightDecay, rc.WeightDecay)
	setF(&c.Train.Beta1, rc.Beta1)
	setF(&c.Train.Beta2, rc.Beta2)
	setF(&c.Train.PuzzleEmbLR, rc.PuzzleEmbLR)
	setF(&c.Train.PuzzleEmbWeightDecay, rc.PuzzleEmbWeightDecay)
	if rc.LRWarmupSteps != nil {
		c.Train.WarmupSteps = *rc.LRWarmupSteps
	}
	if rc.GlobalBatchSize != nil {
		c.Train.BatchSize = *rc.GlobalBatchSize
	}
	if rc.Seed != nil {
		c.Run.Seed = *rc.Seed
	}
	c.Train.Optimizer = "adam_atan2"
	c.Train.EMA = 0
	if rc.EMA != nil && *rc.EMA && rc.EMARate != nil {
		c.Train.EMA = *rc.EMARate
		r.Notes = append(r.Notes, "trained with an EMA of the weights: the checkpoint holds the EMA weights the reference evaluates")
	}
}

// configData returns the config's data folder (data_path, or TRM's first
// data_paths) when it is a reference dataset folder here: as written (the
// reference's paths are relative to where it ran), or relative to the
// checkpoint's folder. Else "".
func (r *Reference) configData(rc refConfig) string {
	p := rc.DataPath
	if p == "" && len(rc.DataPaths) > 0 {
		p = rc.DataPaths[0]
	}
	if p == "" {
		return ""
	}
	for _, dir := range []string{p, filepath.Join(filepath.Dir(r.Path), p)} {
		if tasks.IsReferenceFolder(dir) {
			return dir
		}
	}
	return ""
}

// setTask finds the task (kind and size) from the vocabulary size and
// sequence length: the tensors give the vocabulary, and the sequence length
// when positions are learned or mixed by an MLP; a reference dataset folder
// gives both, and must agree.
func (r *Reference) setTask(dataPath, yamlPath string) error {
	m := r.Config.Model
	vocab, seq := 0, 0
	for _, t := range r.State.Tensors {
		switch {
		case t.Name == "inner.embed_tokens.embedding_weight" && len(t.Shape) == 2:
			vocab = t.Shape[0]
		case t.Name == "inner.embed_pos.embedding_weight" && len(t.Shape) == 2:
			seq = t.Shape[0] - m.PuzzleEmbLen
		case t.Name == "inner.L_level.layers.0.mlp_t.down_proj.weight" && len(t.Shape) == 2:
			seq = t.Shape[0] - m.PuzzleEmbLen
		}
	}
	if vocab == 0 {
		return inputErrorf("%s: no tensor inner.embed_tokens.embedding_weight: not an HRM or TRM state dict", r.Path)
	}
	r.Config.Task.Data = dataPath
	if dataPath != "" && tasks.IsReferenceFolder(dataPath) {
		meta, err := tasks.ReadReferenceMeta(dataPath)
		if err != nil {
			return &InputError{Err: err}
		}
		if meta.VocabSize != vocab || (seq != 0 && meta.SeqLen != seq) {
			return inputErrorf("%s: vocabulary %d and sequence length %d, but %s has %d and %d", dataPath, meta.VocabSize, meta.SeqLen, r.Path, vocab, seq)
		}
		seq = meta.SeqLen
	}
	return r.taskFrom(vocab, seq, yamlPath)
}

// taskFrom sets task.kind and task.size to the one task the lab knows with
// this vocabulary size and sequence length (0: not known).
func (r *Reference) taskFrom(vocab, seq int, yamlPath string) error {
	var found []string
	for _, k := range []struct {
		kind   string
		lo, hi int
	}{{"sudoku", 4, 9}, {"maze", 5, 30}, {"arc", 3, 30}} {
		for size := k.lo; size <= k.hi; size++ {
			t, err := tasks.NewTask(k.kind, size)
			if err != nil || len(t.Vocab()) != vocab || (seq != 0 && t.SeqLen() != seq) {
				continue
			}
			found = append(found, fmt.Sprintf("%s %d", k.kind, size))
			r.Config.Task.Kind, r.Config.Task.Size = k.kind, size
		}
	}
	switch {
	case len(found) == 1:
		return nil
	case len(found) == 0:
		return inputErrorf("%s: no task of the lab has a vocabulary of %d tokens and %d cells", r.Path, vocab, seq)
	case seq == 0:
		return inputErrorf("%s: a vocabulary of %d tokens fits %d tasks (%s, ...) and the tensors do not give the sequence length: give -data with the reference dataset folder (its dataset.json has seq_len), or make %s's data_path name it",
			r.Path, vocab, len(found), found[0], yamlPath)
	}
	return inputErrorf("%s: vocabulary %d and %d cells fit %q", r.Path, vocab, seq, found)
}

// openReferenceCheckpoint opens a reference checkpoint for evaluation and
// solving: its model, and the test puzzles of dataPath (a reference dataset
// folder's test split, or every puzzle of a CSV or ARC file), else of the
// config's data_path, else generated ones of the task.
func openReferenceCheckpoint(path, dataPath string) (*Loaded, error) {
	r, err := OpenReference(path, dataPath)
	if err != nil {
		return nil, err
	}
	d, err := openData(r.Config, dataPath != "" && !tasks.IsReferenceFolder(dataPath))
	if err != nil {
		return nil, err
	}
	m, err := r.Model(d.Task())
	if err != nil {
		return nil, err
	}
	return &Loaded{Config: r.Config, Model: m, Step: r.Step, Notes: r.Notes, data: d}, nil
}

// weights returns the tensors to load into an engine model: the state
// dict's, with the puzzle-embedding table zero-padded to puzzle_emb_len x
// hidden as the reference pads it in its forward pass.
func (r *Reference) weights() []*engine.Tensor {
	out := slices.Clone(r.State.Tensors)
	width := r.Config.Model.PuzzleEmbLen * r.Config.Model.Hidden
	for i, t := range out {
		if t.Name != "inner.puzzle_emb.weights" || len(t.Shape) != 2 || t.Shape[1] == width || t.Shape[1] != r.PuzzleEmbNdim {
			continue
		}
		rows := t.Shape[0]
		padded := &engine.Tensor{Name: t.Name, Shape: []int{rows, width}, F32: make([]float32, rows*width)}
		for p := range rows {
			copy(padded.F32[p*width:], t.F32[p*t.Shape[1]:(p+1)*t.Shape[1]])
		}
		out[i] = padded
	}
	return out
}

// Model builds the engine model of the checkpoint with its weights, for
// numPuzzleIDs puzzle identifiers (the table's rows when the checkpoint has
// one). Every tensor must be one of the model's: a leftover name means the
// mapping missed something.
func (r *Reference) Model(task tasks.Task) (*engine.Model, error) {
	mc := engineConfig(r.Config, task, 1)
	for _, t := range r.State.Tensors {
		if t.Name == "inner.puzzle_emb.weights" && len(t.Shape) == 2 {
			mc.NumPuzzleIDs = t.Shape[0]
		}
	}
	m, err := engine.NewModel(mc, 0)
	if err != nil {
		return nil, inputErrorf("%s: %v", r.Path, err)
	}
	have := map[string]bool{}
	for _, t := range m.Tensors() {
		have[t.Name] = true
	}
	for _, t := range r.State.Tensors {
		if !have[t.Name] {
			return nil, inputErrorf("%s: tensor %s is not part of the %s model %s describes", r.Path, t.Name, r.Config.Model.Arch, ReferenceConfigName)
		}
	}
	lc := &loadedCheckpoint{path: r.Path, cfg: r.Config, tensors: r.weights()}
	if err := lc.loadWeights(m, false); err != nil {
		return nil, err
	}
	return m, nil
}

// paramCountOf counts the trainable parameters among model tensors: the
// buffers (the puzzle table, H_init and L_init) are not counted, nor the
// optimizer, EMA and carry state an hrmlab checkpoint holds beside them.
func paramCountOf(tensors []*engine.Tensor) int {
	n := 0
	for _, t := range tensors {
		switch {
		case t.Name == "inner.puzzle_emb.weights", t.Name == "inner.H_init", t.Name == "inner.L_init":
		case strings.HasPrefix(t.Name, "inner."):
			n += t.Len()
		}
	}
	return n
}

// TensorInfo is one tensor of a checkpoint as inspect lists it.
type TensorInfo struct {
	Name  string `json:"name"`
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
}

// Inspection is what a checkpoint holds: its format, config, tensors and
// parameter count.
type Inspection struct {
	Path    string       `json:"path"`
	Format  string       `json:"format"`
	Step    int          `json:"step"`
	Params  int          `json:"params"`
	Config  *Config      `json:"-"`
	Notes   []string     `json:"notes,omitempty"`
	Tensors []TensorInfo `json:"tensors"`
}

// Inspect opens a checkpoint, an hrmlab one or the PyTorch reference's
// (dataPath as for OpenReference), and describes it.
func Inspect(path, dataPath string) (*Inspection, error) {
	path, err := CheckpointPath(path)
	if err != nil {
		return nil, err
	}
	in := &Inspection{Path: path}
	c, err := loadCheckpoint(path)
	var tensors []*engine.Tensor
	dtypes := map[string]string{}
	switch {
	case errors.Is(err, checkpoints.ErrForeign):
		r, err := OpenReference(path, dataPath)
		if err != nil {
			return nil, err
		}
		in.Format, in.Step, in.Config, in.Notes = "PyTorch reference, "+r.State.Format, r.Step, r.Config, r.Notes
		tensors, dtypes = r.State.Tensors, r.State.DTypes
	case err != nil:
		return nil, err
	default:
		in.Format, in.Step, in.Config, tensors = "hrmlab safetensors", c.meta.Step, c.cfg, c.tensors
	}
	in.Params = paramCountOf(tensors)
	for _, t := range tensors {
		dt := dtypes[t.Name]
		if dt == "" {
			dt = map[bool]string{true: "I32", false: "F32"}[t.I32 != nil]
		}
		in.Tensors = append(in.Tensors, TensorInfo{Name: t.Name, DType: dt, Shape: t.Shape})
	}
	return in, nil
}

// InitConfig is the config of a new run that starts from a checkpoint's
// weights (train -init): a reference checkpoint's all_config.yaml mapped as
// OpenReference maps it, or an hrmlab checkpoint's config as a run of its
// own; then the -set overrides, together (a task.data among them also
// tells a reference checkpoint its sequence length).
func InitConfig(path string, sets []string) (*Config, error) {
	path, err := CheckpointPath(path)
	if err != nil {
		return nil, err
	}
	var cfg *Config
	c, err := loadCheckpoint(path)
	switch {
	case errors.Is(err, checkpoints.ErrForeign):
		data := ""
		for _, s := range sets {
			if v, ok := strings.CutPrefix(s, "task.data="); ok {
				data = v
			}
		}
		r, err := OpenReference(path, data)
		if err != nil {
			return nil, err
		}
		cfg = r.Config
	case err != nil:
		return nil, err
	default:
		cfg = c.cfg.Fresh()
	}
	if err := cfg.ApplySets(sets); err != nil {
		return nil, err
	}
	return cfg, nil
}

// InitFrom loads the model weights of a checkpoint (an hrmlab one, its EMA
// weights where it has them, or the reference's) into a session that has not
// started: a new run from those weights with a fresh optimizer. A puzzle
// table sized for other data is left fresh (the puzzle identifiers belong to
// the data it was trained on); the returned notes say so.
func (s *Session) InitFrom(path string) ([]string, error) {
	path, err := CheckpointPath(path)
	if err != nil {
		return nil, err
	}
	var notes []string
	lc, err := loadCheckpoint(path)
	ema := true
	if errors.Is(err, checkpoints.ErrForeign) {
		r, err := OpenReference(path, s.cfg.Task.Data)
		if err != nil {
			return nil, err
		}
		lc, ema, notes = &loadedCheckpoint{path: path, cfg: r.Config, tensors: r.weights()}, false, r.Notes
	} else if err != nil {
		return nil, err
	}
	m := s.trainer.Model()
	var fresh *engine.Tensor // the new run's own puzzle table
	for _, t := range m.Tensors() {
		if t.Name == "inner.puzzle_emb.weights" {
			fresh = t
		}
	}
	kept := make([]*engine.Tensor, 0, len(lc.tensors))
	for _, t := range lc.tensors {
		if t.Name == "inner.puzzle_emb.weights" && fresh != nil && !slices.Equal(t.Shape, fresh.Shape) {
			notes = append(notes, fmt.Sprintf("the puzzle table %v of %s does not fit this data's %v: it starts fresh", t.Shape, path, fresh.Shape))
			t = fresh
		}
		kept = append(kept, t)
	}
	lc.tensors = kept
	// The trainer's EMA copy was taken from the initial weights: turning
	// EMA off and on again takes it anew from the loaded ones.
	h := s.trainer.Hyper()
	off := h
	off.EMARate = 0
	if err := s.trainer.SetHyper(off); err != nil {
		return nil, err
	}
	if err := lc.loadWeights(m, ema); err != nil {
		return nil, err
	}
	return notes, s.trainer.SetHyper(h)
}
