package engine

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
)

// State returns everything besides the model weights that exact resume
// needs: optimizer moments ("optim.m.<param>", "optim.v.<param>"), EMA
// weights ("ema.<param>"), the ACT carry ("carry.z_H", "carry.z_L",
// "carry.steps", "carry.halted", "carry.inputs", "carry.labels",
// "carry.puzzle_ids"), and in meta the step count, batch size and RNG state.
// The tensors are copies.
func (t *Trainer) State() (tensors []*Tensor, meta map[string]string) {
	c := t.m.cfg
	f32 := func(name string, data []float32, shape ...int) {
		tensors = append(tensors, &Tensor{Name: name, Shape: shape, F32: slices.Clone(data)})
	}
	i32 := func(name string, data []int32, shape ...int) {
		tensors = append(tensors, &Tensor{Name: name, Shape: shape, I32: slices.Clone(data)})
	}
	for i, p := range t.trainable {
		f32("optim.m."+p.t.Name, t.mom[i], p.t.Shape...)
		f32("optim.v."+p.t.Name, t.vel[i], p.t.Shape...)
		if t.ema != nil {
			f32("ema."+p.t.Name, t.ema[i], p.t.Shape...)
		}
	}
	b, s, d := t.h.BatchSize, c.seq(), c.Hidden
	cr := &t.carry
	f32("carry.z_H", cr.zH, b, s, d)
	f32("carry.z_L", cr.zL, b, s, d)
	i32("carry.steps", cr.steps, b)
	halted := make([]int32, b)
	for i, h := range cr.halted {
		if h {
			halted[i] = 1
		}
	}
	i32("carry.halted", halted, b)
	i32("carry.inputs", cr.inputs, b, c.SeqLen)
	i32("carry.labels", cr.labels, b, c.SeqLen)
	i32("carry.puzzle_ids", cr.pids, b)
	rng, _ := t.pcg.MarshalBinary() // PCG marshalling cannot fail
	meta = map[string]string{
		"step":       strconv.Itoa(t.step),
		"batch_size": strconv.Itoa(b),
		"rng":        hex.EncodeToString(rng),
		"ema":        strconv.FormatBool(t.ema != nil),
	}
	return tensors, meta
}

// Restore loads a State into the trainer, whose hyperparameters must already
// have the same batch size and EMA setting. Errors name the key or tensor.
func (t *Trainer) Restore(tensors []*Tensor, meta map[string]string) error {
	step, err := strconv.Atoi(meta["step"])
	if err != nil || step < 0 {
		return fmt.Errorf("trainer state: meta step %q is not a step count", meta["step"])
	}
	if bs := meta["batch_size"]; bs != strconv.Itoa(t.h.BatchSize) {
		return fmt.Errorf("trainer state: meta batch_size %q, trainer batch size %d", bs, t.h.BatchSize)
	}
	if e := meta["ema"]; e != strconv.FormatBool(t.ema != nil) {
		return fmt.Errorf("trainer state: meta ema %q, trainer EMA rate %v", e, t.h.EMARate)
	}
	rng, err := hex.DecodeString(meta["rng"])
	if err != nil {
		return fmt.Errorf("trainer state: meta rng: %v", err)
	}
	pcg := &rand.PCG{}
	if err := pcg.UnmarshalBinary(rng); err != nil {
		return fmt.Errorf("trainer state: meta rng: %v", err)
	}
	byName := map[string]*Tensor{}
	for _, x := range tensors {
		byName[x.Name] = x
	}
	// check every tensor before changing anything
	want, _ := t.State()
	for _, x := range want {
		got, ok := byName[x.Name]
		switch {
		case !ok:
			return fmt.Errorf("trainer state: tensor %s is missing", x.Name)
		case !slices.Equal(got.Shape, x.Shape):
			return fmt.Errorf("trainer state: tensor %s has shape %v, want %v", x.Name, got.Shape, x.Shape)
		case x.F32 != nil && len(got.F32) != len(x.F32), x.I32 != nil && len(got.I32) != len(x.I32):
			return fmt.Errorf("trainer state: tensor %s: data does not match shape %v or dtype", x.Name, x.Shape)
		}
	}
	c := t.m.cfg
	for i, h := range byName["carry.halted"].I32 {
		if h != 0 && h != 1 {
			return fmt.Errorf("trainer state: tensor carry.halted[%d] = %d, want 0 or 1", i, h)
		}
	}
	for i, v := range byName["carry.inputs"].I32 {
		if v < 0 || int(v) >= c.VocabSize {
			return fmt.Errorf("trainer state: tensor carry.inputs[%d] = %d outside the vocabulary", i, v)
		}
	}
	for i, v := range byName["carry.labels"].I32 {
		if v != IgnoreLabel && (v < 0 || int(v) >= c.VocabSize) {
			return fmt.Errorf("trainer state: tensor carry.labels[%d] = %d outside the vocabulary", i, v)
		}
	}
	for i, v := range byName["carry.puzzle_ids"].I32 {
		if v < 0 || int(v) >= c.NumPuzzleIDs {
			return fmt.Errorf("trainer state: tensor carry.puzzle_ids[%d] = %d outside 0..%d", i, v, c.NumPuzzleIDs-1)
		}
	}
	for i, p := range t.trainable {
		copy(t.mom[i], byName["optim.m."+p.t.Name].F32)
		copy(t.vel[i], byName["optim.v."+p.t.Name].F32)
		if t.ema != nil {
			copy(t.ema[i], byName["ema."+p.t.Name].F32)
		}
	}
	cr := &t.carry
	copy(cr.zH, byName["carry.z_H"].F32)
	copy(cr.zL, byName["carry.z_L"].F32)
	copy(cr.steps, byName["carry.steps"].I32)
	for i, h := range byName["carry.halted"].I32 {
		cr.halted[i] = h == 1
	}
	copy(cr.inputs, byName["carry.inputs"].I32)
	copy(cr.labels, byName["carry.labels"].I32)
	copy(cr.pids, byName["carry.puzzle_ids"].I32)
	*t.pcg = *pcg
	t.step = step
	return nil
}
