package lab

import (
	"hrmlab/engine"
	"hrmlab/tasks"
)

// modelConfig maps the [model] section and the dataset onto the engine.
func modelConfig(c *Config, d *dataStream) engine.Config {
	return engineConfig(c, d.Task(), d.NumPuzzleIDs())
}

// engineConfig maps the [model] section, a task and the size of the
// puzzle-embedding table onto the engine.
func engineConfig(c *Config, task tasks.Task, puzzleIDs int) engine.Config {
	m := c.Model
	return engine.Config{
		Arch:          m.Arch,
		VocabSize:     len(task.Vocab()),
		SeqLen:        task.SeqLen(),
		NumPuzzleIDs:  puzzleIDs,
		PuzzleEmbLen:  m.PuzzleEmbLen,
		Hidden:        m.Hidden,
		Heads:         m.Heads,
		Expansion:     m.Expansion,
		HLayers:       m.HLayers,
		LLayers:       m.LLayers,
		HCycles:       m.HCycles,
		LCycles:       m.LCycles,
		PosEncodings:  m.PosEncodings,
		TokenMixer:    m.TokenMixer,
		LocalMix:      m.LocalMix,
		LossType:      m.Loss,
		ACTContinue:   m.ACTContinue,
		HaltThreshold: m.HaltThreshold,
		RopeTheta:     10000,
		RMSNormEps:    1e-5,
	}
}

// hyperOf maps the live keys onto the trainer's hyperparameters.
func hyperOf(c *Config) engine.Hyper {
	t := c.Train
	return engine.Hyper{
		BatchSize:            t.BatchSize,
		LR:                   t.LR,
		LRMinRatio:           t.LRMinRatio,
		WarmupSteps:          t.WarmupSteps,
		TotalSteps:           c.Run.MaxSteps,
		WeightDecay:          t.WeightDecay,
		Beta1:                t.Beta1,
		Beta2:                t.Beta2,
		Optimizer:            t.Optimizer,
		PuzzleEmbLR:          t.PuzzleEmbLR,
		PuzzleEmbWeightDecay: t.PuzzleEmbWeightDecay,
		HaltMaxSteps:         c.Model.HaltMaxSteps,
		HaltExplorationProb:  c.Model.HaltExplorationProb,
		HCycles:              c.Model.HCycles,
		LCycles:              c.Model.LCycles,
		HaltThreshold:        c.Model.HaltThreshold,
		EMARate:              t.EMA,
	}
}

// NewModel builds a model for cfg as a session would, without a trainer (for
// benchmarks and tools).
func NewModel(cfg *Config) (*engine.Model, error) {
	d, err := newDataSource(cfg)
	if err != nil {
		return nil, err
	}
	m, err := engine.NewModel(modelConfig(cfg, d), uint64(cfg.Run.Seed))
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return m, nil
}

// paramCount builds cfg's model on its task alone (no dataset: the
// puzzle-embedding table is a buffer, not counted) and counts its parameters.
func paramCount(cfg *Config) (int, error) {
	task, err := tasks.NewTask(cfg.Task.Kind, cfg.Task.Size)
	if err != nil {
		return 0, err
	}
	m, err := engine.NewModel(engineConfig(cfg, task, task.NumPuzzleIDs()), uint64(cfg.Run.Seed))
	if err != nil {
		return 0, err
	}
	return m.NumParams(), nil
}
