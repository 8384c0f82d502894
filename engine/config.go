package engine

import (
	"fmt"
	"math"
)

// IgnoreLabel is the label value of positions that are not scored.
const IgnoreLabel = -100

// Config is the structure of a model; changing it means a new model.
type Config struct {
	Arch         string  // "hrm" or "trm"
	VocabSize    int     // token ids are 0..VocabSize-1
	SeqLen       int     // L, number of grid cells (tokens after the puzzle prefix)
	NumPuzzleIDs int     // rows of the puzzle-embedding table (>= 1)
	PuzzleEmbLen int     // P prefix positions (HRM 1, TRM 16); 0: the Q head reads grid position 0
	Hidden       int     // D
	Heads        int     // attention heads; Hidden must be a multiple
	Expansion    float64 // SwiGLU expansion (4)
	HLayers      int     // HRM H stack depth; TRM ignores it
	LLayers      int     // HRM L stack depth; TRM: layers of its single net
	HCycles      int     // HRM N / TRM T (live: can change between steps)
	LCycles      int     // HRM T / TRM n (live)
	PosEncodings string  // "rope" | "learned" | "none"
	TokenMixer   string  // "attention" | "mlp" (TRM's mlp_t, selectable for HRM too)
	// LocalMix is the side k of a per-channel k×k convolution over the
	// grid that the "mlp" token mixer adds to its SwiGLU (gridconv.go); 0:
	// none. It needs a square grid (SeqLen a square). Not in the reference.
	LocalMix    int
	LossType    string // "stablemax" | "softmax"
	ACTContinue bool   // Q-learning continue head + bootstrap target (HRM true; TRM false)
	// HaltThreshold is evaluation's halting rule (Run's WouldHalt): halt once
	// sigmoid(q_halt − q_continue) exceeds it (no continue head:
	// sigmoid(q_halt)). 0 means 0.5, the reference's rule, which training
	// always uses. Live.
	HaltThreshold float64
	RopeTheta     float64 // 10000
	RMSNormEps    float64 // 1e-5
}

// DefaultHRM is the reference configuration of HRM.md §1.1 for 9×9 Sudoku:
// D 512, 8 heads, 4+4 layers, 2/2 cycles, vocab 11, 81 cells, one puzzle position.
func DefaultHRM() Config {
	return Config{
		Arch: "hrm", VocabSize: 11, SeqLen: 81, NumPuzzleIDs: 1, PuzzleEmbLen: 1,
		Hidden: 512, Heads: 8, Expansion: 4, HLayers: 4, LLayers: 4, HCycles: 2, LCycles: 2,
		PosEncodings: "rope", TokenMixer: "attention", LossType: "stablemax", ACTContinue: true,
		RopeTheta: 10000, RMSNormEps: 1e-5,
	}
}

// Validate reports the first invalid field, named as in lab.toml's [model].
func (c Config) Validate() error {
	pos := func(name string, v int) error {
		if v < 1 {
			return fmt.Errorf("model.%s: %d must be at least 1", name, v)
		}
		return nil
	}
	switch c.Arch {
	case "hrm", "trm":
	default:
		return fmt.Errorf("model.arch: %q is not \"hrm\" or \"trm\"", c.Arch)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"vocab_size", c.VocabSize}, {"seq_len", c.SeqLen}, {"num_puzzle_ids", c.NumPuzzleIDs},
		{"hidden", c.Hidden}, {"heads", c.Heads}, {"l_layers", c.LLayers},
		{"h_cycles", c.HCycles}, {"l_cycles", c.LCycles}} {
		if err := pos(f.name, f.v); err != nil {
			return err
		}
	}
	if c.Arch == "hrm" {
		if err := pos("h_layers", c.HLayers); err != nil {
			return err
		}
	}
	if c.PuzzleEmbLen < 0 {
		return fmt.Errorf("model.puzzle_emb_len: %d is negative", c.PuzzleEmbLen)
	}
	if c.Hidden%c.Heads != 0 {
		return fmt.Errorf("model.heads: %d does not divide hidden %d", c.Heads, c.Hidden)
	}
	if c.PosEncodings == "rope" && (c.Hidden/c.Heads)%2 != 0 {
		return fmt.Errorf("model.heads: head size %d must be even for rope", c.Hidden/c.Heads)
	}
	if !(c.Expansion > 0) || math.IsInf(c.Expansion, 0) {
		return fmt.Errorf("model.expansion: %v must be positive", c.Expansion)
	}
	switch c.PosEncodings {
	case "rope", "learned", "none":
	default:
		return fmt.Errorf("model.pos_encodings: %q is not rope, learned or none", c.PosEncodings)
	}
	switch c.TokenMixer {
	case "attention", "mlp":
	default:
		return fmt.Errorf("model.token_mixer: %q is not attention or mlp", c.TokenMixer)
	}
	if c.LocalMix != 0 {
		side := gridSide(c.SeqLen)
		switch {
		case c.TokenMixer != "mlp":
			return fmt.Errorf("model.local_mix: %d needs token_mixer = \"mlp\"", c.LocalMix)
		case side == 0:
			return fmt.Errorf("model.local_mix: %d needs a square grid; the task has %d cells", c.LocalMix, c.SeqLen)
		case c.LocalMix < 3 || c.LocalMix%2 == 0 || c.LocalMix > 2*side-1:
			return fmt.Errorf("model.local_mix: %d is not an odd kernel side from 3 to %d (0: none)", c.LocalMix, 2*side-1)
		}
	}
	switch c.LossType {
	case "stablemax", "softmax":
	default:
		return fmt.Errorf("model.loss_type: %q is not stablemax or softmax", c.LossType)
	}
	if c.PosEncodings == "rope" && !(c.RopeTheta > 0) {
		return fmt.Errorf("model.rope_theta: %v must be positive", c.RopeTheta)
	}
	if !(c.RMSNormEps > 0) {
		return fmt.Errorf("model.rms_norm_eps: %v must be positive", c.RMSNormEps)
	}
	return checkHaltThreshold(c.HaltThreshold)
}

func checkHaltThreshold(p float64) error {
	if p != 0 && !(p >= 0.5 && p < 1) {
		return fmt.Errorf("model.halt_threshold: %v is not in [0.5, 1)", p)
	}
	return nil
}

// EvalHaltThreshold is HaltThreshold with 0 read as the 0.5 it means.
func (c Config) EvalHaltThreshold() float64 {
	if c.HaltThreshold == 0 {
		return 0.5
	}
	return c.HaltThreshold
}

// haltMargin is the logit WouldHalt's margin must exceed: 0 at 0.5.
func (c Config) haltMargin() float32 {
	p := c.EvalHaltThreshold()
	return float32(math.Log(p / (1 - p)))
}

// gridSide is the side of a square grid of n cells, or 0 if n is not a square.
func gridSide(n int) int {
	side := int(math.Round(math.Sqrt(float64(n))))
	if side*side != n {
		return 0
	}
	return side
}

// seq is S = P + L, the number of positions the blocks see.
func (c Config) seq() int { return c.PuzzleEmbLen + c.SeqLen }

// swigluInner is ceil_256(round(expansion*n*2/3)), the SwiGLU inner width for input width n.
func swigluInner(expansion float64, n int) int {
	i := int(math.Round(expansion * float64(n) * 2 / 3))
	return (i + 255) / 256 * 256
}

// Hyper holds the training hyperparameters; all of them can change between steps.
type Hyper struct {
	BatchSize            int
	LR                   float64
	LRMinRatio           float64 // cosine floor; 1 = constant after warm-up
	WarmupSteps          int
	TotalSteps           int // for the cosine; 0 = constant after warm-up
	WeightDecay          float64
	Beta1, Beta2         float64
	Optimizer            string // "adam_atan2" | "adamw"
	PuzzleEmbLR          float64
	PuzzleEmbWeightDecay float64
	HaltMaxSteps         int
	HaltExplorationProb  float64
	HCycles, LCycles     int     // override the model's cycles (live); 0 keeps the model's
	HaltThreshold        float64 // override the model's evaluation halting threshold (live); 0 keeps the model's
	EMARate              float64 // 0 = off; e.g. 0.999 (TRM)
}

// Validate reports the first invalid field, named as in lab.toml's [train].
func (h Hyper) Validate() error {
	switch {
	case h.BatchSize < 1:
		return fmt.Errorf("train.batch_size: %d must be at least 1", h.BatchSize)
	case !(h.LR >= 0) || math.IsInf(h.LR, 0):
		return fmt.Errorf("train.lr: %v must be a finite number >= 0", h.LR)
	case !(h.LRMinRatio >= 0 && h.LRMinRatio <= 1):
		return fmt.Errorf("train.lr_min_ratio: %v is not in [0, 1]", h.LRMinRatio)
	case h.WarmupSteps < 0:
		return fmt.Errorf("train.warmup_steps: %d is negative", h.WarmupSteps)
	case h.TotalSteps < 0:
		return fmt.Errorf("train.total_steps: %d is negative", h.TotalSteps)
	case !(h.WeightDecay >= 0) || math.IsInf(h.WeightDecay, 0):
		return fmt.Errorf("train.weight_decay: %v must be a finite number >= 0", h.WeightDecay)
	case !(h.Beta1 >= 0 && h.Beta1 < 1):
		return fmt.Errorf("train.beta1: %v is not in [0, 1)", h.Beta1)
	case !(h.Beta2 >= 0 && h.Beta2 < 1):
		return fmt.Errorf("train.beta2: %v is not in [0, 1)", h.Beta2)
	case h.Optimizer != "adam_atan2" && h.Optimizer != "adamw":
		return fmt.Errorf("train.optimizer: %q is not adam_atan2 or adamw", h.Optimizer)
	case !(h.PuzzleEmbLR >= 0) || math.IsInf(h.PuzzleEmbLR, 0):
		return fmt.Errorf("train.puzzle_emb_lr: %v must be a finite number >= 0", h.PuzzleEmbLR)
	case !(h.PuzzleEmbWeightDecay >= 0) || math.IsInf(h.PuzzleEmbWeightDecay, 0):
		return fmt.Errorf("train.puzzle_emb_weight_decay: %v must be a finite number >= 0", h.PuzzleEmbWeightDecay)
	case h.HaltMaxSteps < 1:
		return fmt.Errorf("train.halt_max_steps: %d must be at least 1", h.HaltMaxSteps)
	case !(h.HaltExplorationProb >= 0 && h.HaltExplorationProb <= 1):
		return fmt.Errorf("train.halt_exploration_prob: %v is not in [0, 1]", h.HaltExplorationProb)
	case h.HCycles < 0:
		return fmt.Errorf("train.h_cycles: %d is negative", h.HCycles)
	case h.LCycles < 0:
		return fmt.Errorf("train.l_cycles: %d is negative", h.LCycles)
	case !(h.EMARate >= 0 && h.EMARate < 1):
		return fmt.Errorf("train.ema_rate: %v is not in [0, 1)", h.EMARate)
	}
	return checkHaltThreshold(h.HaltThreshold)
}

// Batch is a batch of examples, row-major.
type Batch struct {
	Size      int
	Inputs    []int32 // Size*SeqLen token ids
	Labels    []int32 // Size*SeqLen token ids, IgnoreLabel where not scored
	PuzzleIDs []int32 // Size
}

// check validates the batch against the model configuration; labels may be nil (evaluation).
func (c Config) check(b Batch, needLabels bool) error {
	if b.Size < 1 {
		return fmt.Errorf("batch: size %d must be at least 1", b.Size)
	}
	if len(b.Inputs) != b.Size*c.SeqLen {
		return fmt.Errorf("batch.inputs: %d tokens, want size %d * seq_len %d", len(b.Inputs), b.Size, c.SeqLen)
	}
	if len(b.PuzzleIDs) != b.Size {
		return fmt.Errorf("batch.puzzle_ids: %d ids, want size %d", len(b.PuzzleIDs), b.Size)
	}
	for i, t := range b.Inputs {
		if t < 0 || int(t) >= c.VocabSize {
			return fmt.Errorf("batch.inputs[%d]: token %d outside vocabulary 0..%d", i, t, c.VocabSize-1)
		}
	}
	for i, p := range b.PuzzleIDs {
		if p < 0 || int(p) >= c.NumPuzzleIDs {
			return fmt.Errorf("batch.puzzle_ids[%d]: id %d outside 0..%d", i, p, c.NumPuzzleIDs-1)
		}
	}
	if !needLabels {
		return nil
	}
	if len(b.Labels) != b.Size*c.SeqLen {
		return fmt.Errorf("batch.labels: %d labels, want size %d * seq_len %d", len(b.Labels), b.Size, c.SeqLen)
	}
	for i, t := range b.Labels {
		if t != IgnoreLabel && (t < 0 || int(t) >= c.VocabSize) {
			return fmt.Errorf("batch.labels[%d]: label %d outside vocabulary 0..%d and not %d", i, t, c.VocabSize-1, IgnoreLabel)
		}
	}
	return nil
}

// DefaultTRM is the TRM paper's Sudoku configuration (TRM.md §1): one 2-layer
// net, D 512, 8 heads, T 3, n 6, 16 prefix positions, attention with RoPE,
// stablemax, a single halting head (no Q-continue).
func DefaultTRM() Config {
	c := DefaultHRM()
	c.Arch, c.PuzzleEmbLen, c.HLayers, c.LLayers, c.HCycles, c.LCycles = "trm", 16, 0, 2, 3, 6
	c.ACTContinue = false
	return c
}
