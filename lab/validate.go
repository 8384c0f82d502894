package lab

import (
	"fmt"
	"math"
	"slices"

	"hrmlab/tasks"
)

// FieldError says which key holds an invalid value and why.
type FieldError struct {
	Key     string
	Msg     string
	Related []string // other keys the check depends on (task.kind for task.size)
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

// Validate checks every value and the relations between them. The first
// problem is returned as a *FieldError naming the key.
func (c *Config) Validate() error {
	for _, chk := range c.checks() {
		if !chk.ok {
			return &FieldError{Key: chk.key, Msg: chk.msg, Related: chk.rel}
		}
	}
	return nil
}

type check struct {
	key string
	ok  bool
	msg string
	rel []string // other keys the check depends on
}

func oneOf(key, v string, allowed ...string) check {
	for _, a := range allowed {
		if v == a {
			return check{key: key, ok: true}
		}
	}
	return check{key, false, fmt.Sprintf("%q is not one of %q", v, allowed), nil}
}

func atLeast[T int | int64 | float64](key string, v, lo T) check {
	return check{key, v >= lo, fmt.Sprintf("%v is below the minimum %v", v, lo), nil}
}

func between(key string, v, lo, hi float64) check {
	return check{key, v >= lo && v <= hi && !math.IsNaN(v), fmt.Sprintf("%v is outside [%v, %v]", v, lo, hi), nil}
}

func (c *Config) checks() []check {
	r, t, m, tr := c.Run, c.Task, c.Model, c.Train
	sizeOK, sizeMsg := true, ""
	switch t.Kind {
	case "sudoku":
		sizeOK = t.Size == 4 || t.Size == 6 || t.Size == 9
		sizeMsg = fmt.Sprintf("sudoku size %d: want 4, 6 or 9", t.Size)
	case "maze":
		sizeOK = t.Size >= 5 && t.Size <= 30
		sizeMsg = fmt.Sprintf("maze side %d: want 5 to 30", t.Size)
	case "arc":
		sizeOK = t.Size >= 3 && t.Size <= 30
		sizeMsg = fmt.Sprintf("ARC canvas %d: want 3 to 30", t.Size)
	}
	heads := m.Heads
	if heads < 1 {
		heads = 1
	}
	return []check{
		atLeast("run.seed", r.Seed, 0),
		{"run.out", r.Out != "", "must name a folder", nil},
		atLeast("run.max_steps", r.MaxSteps, 0),
		atLeast("run.max_minutes", r.MaxMinutes, 0),
		atLeast("run.log_every", r.LogEvery, 1),
		atLeast("run.eval_every", r.EvalEvery, 0),
		atLeast("run.eval_count", r.EvalCount, 1),
		atLeast("run.checkpoint_every", r.CheckpointEvery, 0),
		atLeast("run.keep_checkpoints", r.KeepCheckpoints, 1),
		atLeast("run.parent_step", r.ParentStep, 0),
		oneOf("task.kind", t.Kind, "sudoku", "maze", "arc"),
		{"task.size", sizeOK, sizeMsg, []string{"task.kind"}},
		atLeast("task.min_givens", t.MinGivens, 0),
		atLeast("task.max_givens", t.MaxGivens, 0),
		{"task.max_givens", t.MaxGivens == 0 || t.MaxGivens >= t.MinGivens,
			fmt.Sprintf("%d is below task.min_givens %d", t.MaxGivens, t.MinGivens), []string{"task.min_givens"}},
		{"task.min_givens", t.MinGivens <= t.Size*t.Size,
			fmt.Sprintf("%d is more than the %d cells of a %dx%d grid (0: the task's range for the size)", t.MinGivens, t.Size*t.Size, t.Size, t.Size), []string{"task.size"}},
		{"task.max_givens", t.MaxGivens <= t.Size*t.Size,
			fmt.Sprintf("%d is more than the %d cells of a %dx%d grid (0: the task's range for the size)", t.MaxGivens, t.Size*t.Size, t.Size, t.Size), []string{"task.size"}},
		oneOf("task.difficulty", t.Difficulty, "any", "easy", "medium", "hard"),
		atLeast("task.min_path", t.MinPath, 0),
		{"task.min_path", t.Kind != "maze" || t.MinPath <= mazePathBound(t.Size),
			fmt.Sprintf("%d is more than a %dx%d maze allows (at most %d steps; 0: the task's default for the side)",
				t.MinPath, t.Size, t.Size, mazePathBound(t.Size)), []string{"task.size", "task.kind"}},
		atLeast("task.max_path", t.MaxPath, 0),
		{"task.max_path", t.MaxPath == 0 || t.MaxPath >= max(t.MinPath, 1),
			fmt.Sprintf("%d is below task.min_path %d (0: no limit)", t.MaxPath, max(t.MinPath, 1)), []string{"task.min_path"}},
		{"task.max_path", t.Kind != "maze" || t.MaxPath <= mazePathBound(t.Size),
			fmt.Sprintf("%d is more than a %dx%d maze allows (at most %d steps; 0: no limit)",
				t.MaxPath, t.Size, t.Size, mazePathBound(t.Size)), []string{"task.size", "task.kind"}},
		between("task.path_skew", t.PathSkew, 0, 10),
		{"task.carver", tasks.CheckCarver(t.Carver) == nil, fmt.Sprintf("%q is not one of %q, nor a comma-separated list of the carvers (a name may repeat to weigh it)",
			t.Carver, append(slices.Clone(tasks.MazeCarvers), "mix")), nil},
		between("task.loops", t.Loops, -1, 1),
		atLeast("task.train_count", t.TrainCount, 0),
		atLeast("task.test_count", t.TestCount, 1),
		atLeast("task.num_aug", t.NumAug, 0),
		oneOf("model.arch", m.Arch, "hrm", "trm"),
		atLeast("model.hidden", m.Hidden, 8),
		atLeast("model.heads", m.Heads, 1),
		{"model.heads", m.Hidden%heads == 0 && (m.Hidden/heads)%2 == 0,
			fmt.Sprintf("%d heads must divide hidden %d into an even head size", m.Heads, m.Hidden), []string{"model.hidden"}},
		between("model.expansion", m.Expansion, 0.5, 16),
		atLeast("model.h_layers", m.HLayers, 0),
		{"model.h_layers", m.Arch != "hrm" || m.HLayers >= 1, "HRM needs at least one H block", []string{"model.arch"}},
		atLeast("model.l_layers", m.LLayers, 1),
		atLeast("model.h_cycles", m.HCycles, 1),
		atLeast("model.l_cycles", m.LCycles, 1),
		atLeast("model.halt_max_steps", m.HaltMaxSteps, 1),
		between("model.halt_exploration_prob", m.HaltExplorationProb, 0, 1),
		{"model.halt_threshold", m.HaltThreshold >= 0.5 && m.HaltThreshold < 1, fmt.Sprintf("%v is not in [0.5, 1)", m.HaltThreshold), nil},
		oneOf("model.pos_encodings", m.PosEncodings, "rope", "learned", "none"),
		oneOf("model.token_mixer", m.TokenMixer, "attention", "mlp"),
		{"model.local_mix", m.LocalMix == 0 || m.LocalMix >= 3 && m.LocalMix%2 == 1,
			fmt.Sprintf("%d is not an odd kernel side of at least 3 (0: none)", m.LocalMix), nil},
		{"model.local_mix", m.LocalMix == 0 || m.TokenMixer == "mlp",
			fmt.Sprintf("%d needs token_mixer = \"mlp\"", m.LocalMix), []string{"model.token_mixer"}},
		oneOf("model.loss", m.Loss, "stablemax", "softmax"),
		atLeast("model.puzzle_emb_len", m.PuzzleEmbLen, 0),
		{"model.puzzle_emb_len", m.PuzzleEmbLen <= 64, fmt.Sprintf("%d is more than 64 prefix positions", m.PuzzleEmbLen), nil},
		atLeast("train.batch_size", tr.BatchSize, 1),
		between("train.lr", tr.LR, 0, 1),
		between("train.lr_min_ratio", tr.LRMinRatio, 0, 1),
		atLeast("train.warmup_steps", tr.WarmupSteps, 0),
		between("train.weight_decay", tr.WeightDecay, 0, 10),
		between("train.beta1", tr.Beta1, 0, 0.999999),
		between("train.beta2", tr.Beta2, 0, 0.999999),
		oneOf("train.optimizer", tr.Optimizer, "adam_atan2", "adamw"),
		between("train.puzzle_emb_lr", tr.PuzzleEmbLR, 0, 1),
		between("train.puzzle_emb_weight_decay", tr.PuzzleEmbWeightDecay, 0, 10),
		between("train.ema", tr.EMA, 0, 0.999999),
		between("curriculum.advance_at", c.Curriculum.AdvanceAt, 0, 1),
		{"curriculum.stage", c.Curriculum.Stage >= 0 && c.Curriculum.Stage <= len(c.Curriculum.Stages),
			fmt.Sprintf("%d: want 0 to the %d stages", c.Curriculum.Stage, len(c.Curriculum.Stages)), []string{"curriculum.stages"}},
		c.curriculumCheck(),
	}
}

// mazePathBound is a generous upper bound on the shortest S-G path of an N x N
// maze: rooms sit on the odd cells of a k x k lattice (k = (N-1)/2) inside the
// wall border, and the cells where four rooms' corners meet never open, so a
// path can visit at most (2k-1)² - (k-1)² cells.
func mazePathBound(n int) int {
	k := (n - 1) / 2
	return max((2*k-1)*(2*k-1)-(k-1)*(k-1)-1, 0)
}
