package lab

import (
	"hrmlab/engine"
)

// modelConfig maps the [model] section and the dataset onto the engine.
func modelConfig(c *Config, d *dataStream) engine.Config {
	m := c.Model
	return engine.Config{
		Arch:         m.Arch,
		VocabSize:    len(d.Task().Vocab()),
		SeqLen:       d.Task().SeqLen(),
		NumPuzzleIDs: d.NumPuzzleIDs(),
		PuzzleEmbLen: m.PuzzleEmbLen,
		Hidden:       m.Hidden,
		Heads:        m.Heads,
		Expansion:    m.Expansion,
		HLayers:      m.HLayers,
		LLayers:      m.LLayers,
		HCycles:      m.HCycles,
		LCycles:      m.LCycles,
		PosEncodings: m.PosEncodings,
		TokenMixer:   m.TokenMixer,
		LossType:     m.Loss,
		ACTContinue:  m.ACTContinue,
		RopeTheta:    10000,
		RMSNormEps:   1e-5,
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
