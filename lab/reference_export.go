package lab

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"hrmlab/tasks"
)

// ReferenceRun is how to train a lab.toml with the reference's pretrain.py:
// the repository, its Hydra overrides, the command line and what does not
// carry over.
type ReferenceRun struct {
	Repo      string   // sapientinc/HRM or SamsungSAILMontreal/TinyRecursiveModels
	Overrides []string // Hydra overrides for pretrain.py
	Command   string   // the torchrun command line
	Notes     []string // what the reference trains differently
}

// ReferenceRunFor maps cfg onto the reference's pretrain.py for a dataset
// exported to dataDir whose training split has the structure train: the arch
// (sapientinc/HRM's hrm_v1, or TinyRecursiveModels' trm, or its hrm for what
// hrm_v1 lacks), the optimizer keys, the batch, epochs from run.max_steps
// (an epoch of the reference draws one puzzle of every group, so an
// augmented puzzle counts once) and an eval interval that divides them, as
// the reference requires.
func ReferenceRunFor(cfg *Config, dataDir string, train tasks.Index) (ReferenceRun, error) {
	epochExamples := train.EpochExamples()
	if epochExamples == 0 {
		return ReferenceRun{}, inputErrorf("-reference-config: the training puzzles are generated fresh (task.train_count = 0): the reference trains on a fixed set; set task.train_count")
	}
	m, t := cfg.Model, cfg.Train
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	loss := map[string]string{"stablemax": "stablemax_cross_entropy", "softmax": "softmax_cross_entropy"}[m.Loss]
	r := ReferenceRun{Repo: "sapientinc/HRM"}
	arch := "hrm_v1"
	if m.Arch == "trm" || m.TokenMixer == "mlp" || m.PosEncodings == "none" || !m.ACTContinue {
		r.Repo, arch = "SamsungSAILMontreal/TinyRecursiveModels", map[string]string{"hrm": "hrm", "trm": "trm"}[m.Arch]
	}
	if m.LocalMix != 0 {
		return r, inputErrorf("-reference-config: model.local_mix = %d: the reference's token mixer has no local convolution; set model.local_mix = 0", m.LocalMix)
	}
	if m.Arch == "hrm" && !m.ACTContinue {
		return r, inputErrorf("-reference-config: model.act_continue = false with model.arch = hrm: the reference's HRM always has the Q-continue head")
	}
	if m.Arch == "trm" && m.ACTContinue {
		return r, inputErrorf("-reference-config: model.act_continue = true with model.arch = trm: TinyRecursiveModels' trm.py fails in training with no_ACT_continue=False (it unpacks five values from its inner model's three); set model.act_continue = false")
	}
	o := []string{"arch=" + arch,
		"arch.H_cycles=" + strconv.Itoa(m.HCycles), "arch.L_cycles=" + strconv.Itoa(m.LCycles),
		"arch.H_layers=" + strconv.Itoa(m.HLayers), "arch.L_layers=" + strconv.Itoa(m.LLayers),
		"arch.hidden_size=" + strconv.Itoa(m.Hidden), "arch.num_heads=" + strconv.Itoa(m.Heads), "arch.expansion=" + f(m.Expansion),
		"arch.pos_encodings=" + m.PosEncodings, "arch.halt_max_steps=" + strconv.Itoa(m.HaltMaxSteps),
		"arch.halt_exploration_prob=" + f(m.HaltExplorationProb), "arch.loss.loss_type=" + loss}
	ndim := m.PuzzleEmbLen * m.Hidden // ceil(ndim / hidden) prefix positions
	switch {
	case m.Arch == "trm":
		ndim = min(ndim, m.Hidden) // TRM pads one embedding to puzzle_emb_len positions
		o = append(o, "arch.puzzle_emb_len="+strconv.Itoa(m.PuzzleEmbLen), "arch.mlp_t="+pyBool(m.TokenMixer == "mlp"),
			"arch.no_ACT_continue="+pyBool(!m.ACTContinue))
	case arch == "hrm":
		o = append(o, "arch.mlp_t="+pyBool(m.TokenMixer == "mlp"))
	}
	o = append(o, "arch.puzzle_emb_ndim="+strconv.Itoa(ndim))
	if r.Repo == "sapientinc/HRM" {
		o = append(o, "data_path="+dataDir)
	} else {
		o = append(o, "data_paths=["+dataDir+"]", "evaluators=[]", "ema="+pyBool(t.EMA > 0))
		if t.EMA > 0 {
			o = append(o, "ema_rate="+f(t.EMA))
		}
	}
	epochs, evalInterval := 100000, 10000 // the reference's defaults
	if steps := cfg.Run.MaxSteps; steps > 0 {
		epochs = max(1, int(math.Ceil(float64(steps*t.BatchSize)/epochExamples)))
		evals := 1
		if cfg.Run.EvalEvery > 0 {
			evals = max(1, steps/cfg.Run.EvalEvery)
		}
		for epochs%evals != 0 {
			evals--
		}
		evalInterval = epochs / evals
	} else {
		r.Notes = append(r.Notes, "run.max_steps is 0: epochs keeps the reference's default (100000); set it to your budget")
	}
	o = append(o, "global_batch_size="+strconv.Itoa(t.BatchSize), "epochs="+strconv.Itoa(epochs), "eval_interval="+strconv.Itoa(evalInterval),
		"lr="+f(t.LR), "lr_min_ratio="+f(t.LRMinRatio), "lr_warmup_steps="+strconv.Itoa(t.WarmupSteps),
		"weight_decay="+f(t.WeightDecay), "beta1="+f(t.Beta1), "beta2="+f(t.Beta2),
		"puzzle_emb_lr="+f(t.PuzzleEmbLR), "puzzle_emb_weight_decay="+f(t.PuzzleEmbWeightDecay))
	// TinyRecursiveModels' cfg_pretrain.yaml has a seed; sapientinc/HRM's has
	// none (PretrainConfig defaults it), and Hydra adds a key only with "+".
	seed := "seed="
	if r.Repo == "sapientinc/HRM" {
		seed = "+seed="
	}
	o = append(o, seed+strconv.FormatInt(cfg.Run.Seed, 10))
	r.Overrides = o
	r.Command = "OMP_NUM_THREADS=8 torchrun --nproc-per-node 8 pretrain.py " + strings.Join(o, " ")
	if t.Optimizer != "adam_atan2" {
		r.Notes = append(r.Notes, "train.optimizer "+t.Optimizer+": the reference always trains with AdamATan2")
	}
	if cfg.Model.HaltThreshold != 0.5 {
		r.Notes = append(r.Notes, fmt.Sprintf("model.halt_threshold %g is the lab's evaluation rule: the reference evaluates every segment and halts at 0.5 in training", cfg.Model.HaltThreshold))
	}
	if t.EMA > 0 && r.Repo == "sapientinc/HRM" {
		r.Notes = append(r.Notes, "train.ema: sapientinc/HRM keeps no EMA of the weights; its checkpoints hold the raw weights")
	}
	if t.LRMinRatio < 1 && cfg.Run.MaxSteps > 0 {
		r.Notes = append(r.Notes, "the cosine decays over the reference's total steps (epochs x examples / batch), which rounds run.max_steps up to whole epochs")
	} else if t.LRMinRatio < 1 && cfg.Run.MaxMinutes > 0 {
		r.Notes = append(r.Notes, "the cosine here runs over run.max_minutes; the reference's runs over its epochs: set run.max_steps to the steps the minutes bought")
	}
	r.Notes = append(r.Notes, "global_batch_size is split over the GPUs (8 here: change --nproc-per-node); the reference computes in bfloat16 (forward_dtype)")
	return r, nil
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// Script is a shell script that trains with the reference: run it from a
// checkout of Repo.
func (r ReferenceRun) Script() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/sh\n# Train this experiment with the PyTorch reference: run from a checkout of\n# https://github.com/%s (its requirements installed, on GPUs).\n", r.Repo)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "# note: %s\n", n)
	}
	fmt.Fprintf(&b, "%s\n", strings.Replace(r.Command, "pretrain.py ", "pretrain.py \\\n  ", 1))
	return b.String()
}
