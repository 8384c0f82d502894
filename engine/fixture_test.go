package engine

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is one safetensors file written by tools/torchref (FIXTURES.md).
type fixture struct {
	cfg     map[string]any
	f32     map[string][]float32
	i32     map[string][]int32
	f64     map[string][]float64
	shape   map[string][]int
	ordered []string
}

// readFixture is a minimal safetensors reader: 8-byte little-endian header
// length, JSON header, raw little-endian data.
func readFixture(path string) (*fixture, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw) < 8 {
		return nil, fmt.Errorf("%s: too short", path)
	}
	n := binary.LittleEndian.Uint64(raw)
	if 8+n > uint64(len(raw)) {
		return nil, fmt.Errorf("%s: header length %d beyond the file", path, n)
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &hdr); err != nil {
		return nil, fmt.Errorf("%s: header: %v", path, err)
	}
	data := raw[8+n:]
	fx := &fixture{f32: map[string][]float32{}, i32: map[string][]int32{}, f64: map[string][]float64{}, shape: map[string][]int{}}
	for name, msg := range hdr {
		if name == "__metadata__" {
			var meta map[string]string
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, fmt.Errorf("%s: metadata: %v", path, err)
			}
			if err := json.Unmarshal([]byte(meta["config"]), &fx.cfg); err != nil {
				return nil, fmt.Errorf("%s: metadata config: %v", path, err)
			}
			continue
		}
		var info struct {
			Dtype   string   `json:"dtype"`
			Shape   []int    `json:"shape"`
			Offsets [2]int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &info); err != nil {
			return nil, fmt.Errorf("%s: tensor %s: %v", path, name, err)
		}
		b := data[info.Offsets[0]:info.Offsets[1]]
		fx.shape[name] = info.Shape
		fx.ordered = append(fx.ordered, name)
		switch info.Dtype {
		case "F32":
			v := make([]float32, len(b)/4)
			for i := range v {
				v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
			fx.f32[name] = v
		case "I32":
			v := make([]int32, len(b)/4)
			for i := range v {
				v[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
			}
			fx.i32[name] = v
		case "F64":
			v := make([]float64, len(b)/8)
			for i := range v {
				v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			}
			fx.f64[name] = v
		default:
			return nil, fmt.Errorf("%s: tensor %s: dtype %s", path, name, info.Dtype)
		}
	}
	return fx, nil
}

func (fx *fixture) num(key string) float64 {
	switch v := fx.cfg[key].(type) {
	case float64:
		return v
	case bool:
		if v {
			return 1
		}
	}
	return 0
}

func (fx *fixture) str(key string) string { s, _ := fx.cfg[key].(string); return s }

func (fx *fixture) config() Config {
	return Config{
		Arch: fx.str("arch"), VocabSize: int(fx.num("vocab_size")), SeqLen: int(fx.num("seq_len")),
		NumPuzzleIDs: int(fx.num("num_puzzle_identifiers")), PuzzleEmbLen: int(fx.num("puzzle_emb_len")),
		Hidden: int(fx.num("hidden_size")), Heads: int(fx.num("num_heads")), Expansion: fx.num("expansion"),
		HLayers: int(fx.num("H_layers")), LLayers: int(fx.num("L_layers")),
		HCycles: int(fx.num("H_cycles")), LCycles: int(fx.num("L_cycles")),
		PosEncodings: fx.str("pos_encodings"), TokenMixer: fx.str("token_mixer"),
		LossType: strings.TrimSuffix(fx.str("loss_type"), "_cross_entropy"), ACTContinue: fx.num("act_continue") == 1,
		RopeTheta: fx.num("rope_theta"), RMSNormEps: fx.num("rms_norm_eps"),
	}
}

func (fx *fixture) hyper() Hyper {
	return Hyper{
		BatchSize: int(fx.num("batch_size")), LR: fx.num("lr"), LRMinRatio: 1, WeightDecay: fx.num("weight_decay"),
		Beta1: fx.num("beta1"), Beta2: fx.num("beta2"), Optimizer: "adam_atan2",
		PuzzleEmbLR: fx.num("puzzle_emb_lr"), PuzzleEmbWeightDecay: fx.num("puzzle_emb_weight_decay"),
		HaltMaxSteps: int(fx.num("halt_max_steps")), HaltExplorationProb: fx.num("halt_exploration_prob"),
		EMARate: fx.num("ema_rate"),
	}
}

// model builds the fixture's model with the file's weights.
func (fx *fixture) model(t *testing.T) *Model {
	t.Helper()
	m := newTestModel(t, fx.config(), 0)
	for _, p := range m.params {
		v, ok := fx.f32[p.t.Name]
		if !ok {
			t.Fatalf("fixture has no tensor %s", p.t.Name)
		}
		if err := m.SetTensor(p.t.Name, fx.shape[p.t.Name], v); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func (fx *fixture) batch() Batch {
	ids := fx.i32["batch.puzzle_identifiers"]
	return Batch{Size: len(ids), Inputs: fx.i32["batch.inputs"], Labels: fx.i32["batch.labels"], PuzzleIDs: ids}
}

// near reports values that differ by more than tol relative to the larger of
// 1 and the expected tensor's max abs value (FIXTURES.md tolerances).
func near(t *testing.T, what string, got []float32, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, fixture has %d", what, len(got), len(want))
		return
	}
	var scale float64
	for _, v := range want {
		scale = max(scale, math.Abs(float64(v)))
	}
	limit := tol * max(scale, 1)
	if strings.Contains(what, "grad") || strings.HasPrefix(what, "opt") {
		limit = tol * max(scale, 1e-12)
	}
	worst, at := 0.0, 0
	for i := range got {
		if d := math.Abs(float64(got[i]) - float64(want[i])); d > worst || math.IsNaN(d) {
			worst, at = d, i
		}
	}
	if !(worst <= limit) {
		t.Errorf("%s: max abs difference %.3g at [%d] (got %v, want %v), limit %.3g", what, worst, at, got[at], want[at], limit)
	}
}

func nearScalar(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-5*max(1, math.Abs(want)) {
		t.Errorf("%s: got %.8g, fixture %.8g", what, got, want)
	}
}

// gridLogits extracts the (B, L, V) logits of the grid positions.
func gridLogits(w *workspace) []float32 {
	c := w.m.cfg
	v := c.VocabSize
	out := make([]float32, 0, w.b*c.SeqLen*v)
	for b := range w.b {
		row := (b*w.s + c.PuzzleEmbLen) * v
		out = append(out, w.logits[row:row+c.SeqLen*v]...)
	}
	return out
}

func column(q []float32, k int) []float32 {
	out := make([]float32, len(q)/2)
	for i := range out {
		out[i] = q[2*i+k]
	}
	return out
}

// TestFixtures matches the engine against every fixture of the PyTorch oracle
// in testdata: one graded segment (logits, q, new carry, losses, every
// gradient), one AdamATan2 + sign-SGD update, and one full ACT step.
func TestFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.safetensors"))
	if len(files) == 0 {
		t.Skip("no fixtures in testdata (tools/torchref/make_fixtures.py writes them)")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".safetensors"), func(t *testing.T) {
			fx, err := readFixture(file)
			if err != nil {
				t.Fatal(err)
			}
			fixtureSegment(t, fx)
			fixtureOptimizer(t, fx)
			fixtureACT(t, fx)
		})
	}
}

func fixtureSegment(t *testing.T, fx *fixture) {
	m := fx.model(t)
	bt := fx.batch()
	w := m.work(bt.Size)
	zH, zL := append([]float32(nil), fx.f32["carry.z_H"]...), append([]float32(nil), fx.f32["carry.z_L"]...)
	for _, p := range m.params {
		clear(p.g)
	}
	w.segment(zH, zL, bt.Inputs, bt.PuzzleIDs, true, nil)
	near(t, "seg.logits", gridLogits(w), fx.f32["seg.logits"], 1e-4)
	near(t, "seg.q_halt_logits", column(w.q, 0), fx.f32["seg.q_halt_logits"], 1e-4)
	target := fx.f32["batch.target_continue"]
	if m.cfg.ACTContinue {
		near(t, "seg.q_continue_logits", column(w.q, 1), fx.f32["seg.q_continue_logits"], 1e-4)
	}
	near(t, "seg.z_H", zH, fx.f32["seg.z_H"], 1e-4)
	near(t, "seg.z_L", zL, fx.f32["seg.z_L"], 1e-4)
	lo := newLossOut(bt.Size)
	scale := 1 / float64(bt.Size)
	w.loss(bt.Labels, target, scale, lo)
	nearScalar(t, "seg.loss", (lo.lm+0.5*(lo.qHalt+lo.qCont))*scale, fx.f64["seg.loss"][0])
	nearScalar(t, "seg.lm_loss", lo.lm*scale, fx.f64["seg.lm_loss"][0])
	nearScalar(t, "seg.q_halt_loss", lo.qHalt*scale, fx.f64["seg.q_halt_loss"][0])
	if m.cfg.ACTContinue {
		nearScalar(t, "seg.q_continue_loss", lo.qCont*scale, fx.f64["seg.q_continue_loss"][0])
	}
	w.segmentBack(zH, bt.Inputs)
	fixtureGrads(t, fx, m, "seg.grad.", bt.PuzzleIDs)
}

func fixtureGrads(t *testing.T, fx *fixture, m *Model, prefix string, pids []int32) {
	t.Helper()
	for _, p := range m.params {
		want, ok := fx.f32[prefix+p.t.Name]
		switch {
		case p.g != nil:
			near(t, prefix+p.t.Name, p.g, want, 1e-3)
		case p == m.puzzle:
			near(t, prefix+p.t.Name, puzzleTableGrad(m, pids), want, 1e-3)
		case ok:
			t.Errorf("fixture has %s for buffer %s", prefix+p.t.Name, p.t.Name)
		}
	}
}

func fixtureOptimizer(t *testing.T, fx *fixture) {
	m := fx.model(t)
	bt := fx.batch()
	h := fx.hyper()
	w := m.work(bt.Size)
	zH, zL := append([]float32(nil), fx.f32["carry.z_H"]...), append([]float32(nil), fx.f32["carry.z_L"]...)
	for _, p := range m.params {
		clear(p.g)
	}
	w.segment(zH, zL, bt.Inputs, bt.PuzzleIDs, true, nil)
	w.loss(bt.Labels, fx.f32["batch.target_continue"], 1/float64(bt.Size), newLossOut(bt.Size))
	w.segmentBack(zH, bt.Inputs)
	// the trainer's own update at step 1 (no warm-up: the given lr is the step's lr)
	tr, err := NewTrainer(m, h, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr.step = 1
	copy(tr.carry.pids, bt.PuzzleIDs)
	tr.update(w, h.LR)
	if h.EMARate > 0 {
		for _, p := range tr.EvalModel().params {
			if p.t.Trainable {
				near(t, "ema."+p.t.Name, p.t.F32, fx.f32["ema."+p.t.Name], 1e-3)
			}
		}
	}
	for _, p := range m.params {
		if want, ok := fx.f32["opt."+p.t.Name]; ok {
			got := maskSignNoise(p.t.F32, want, fx.f32["seg.grad."+p.t.Name])
			near(t, "opt."+p.t.Name, got, want, 1e-3)
		} else if p.g != nil || p == m.puzzle {
			t.Errorf("fixture has no opt.%s", p.t.Name)
		}
	}
}

func fixtureACT(t *testing.T, fx *fixture) {
	m := fx.model(t)
	bt := fx.batch()
	tr, err := NewTrainer(m, fx.hyper(), 1)
	if err != nil {
		t.Fatal(err)
	}
	met, err := tr.Step(bt)
	if err != nil {
		t.Fatal(err)
	}
	w := m.ws
	near(t, "act.q_halt_logits", column(w.q, 0), fx.f32["act.q_halt_logits"], 1e-4)
	if m.cfg.ACTContinue {
		near(t, "act.q_continue_logits", column(w.q, 1), fx.f32["act.q_continue_logits"], 1e-4)
		near(t, "act.target_continue", tr.tgt, fx.f32["act.target_continue"], 1e-4)
	}
	for i, h := range tr.carry.halted {
		if want := fx.i32["act.halted"][i] == 1; h != want {
			t.Errorf("act.halted[%d]: %v, fixture %v", i, h, want)
		}
	}
	nearScalar(t, "act.loss", met.Loss, fx.f64["act.loss"][0])
	fixtureGrads(t, fx, m, "act.grad.", bt.PuzzleIDs)
	if _, ok := fx.i32["batch2.inputs"]; ok {
		fixtureACT2(t, fx, tr)
	}
}

// fixtureACT2 checks the second training step of the streaming carry: the
// first step's update applied, halted slots refilled from batch2, the others
// continuing with their example and state.
func fixtureACT2(t *testing.T, fx *fixture, tr *Trainer) {
	ids := fx.i32["batch2.puzzle_identifiers"]
	bt := Batch{Size: len(ids), Inputs: fx.i32["batch2.inputs"], Labels: fx.i32["batch2.labels"], PuzzleIDs: ids}
	met, err := tr.Step(bt)
	if err != nil {
		t.Fatal(err)
	}
	w := tr.Model().ws
	near(t, "act2.q_halt_logits", column(w.q, 0), fx.f32["act2.q_halt_logits"], 1e-4)
	if tr.Model().cfg.ACTContinue {
		near(t, "act2.q_continue_logits", column(w.q, 1), fx.f32["act2.q_continue_logits"], 1e-4)
		near(t, "act2.target_continue", tr.tgt, fx.f32["act2.target_continue"], 1e-4)
	}
	for i, h := range tr.carry.halted {
		if want := fx.i32["act2.halted"][i] == 1; h != want {
			t.Errorf("act2.halted[%d]: %v, fixture %v", i, h, want)
		}
		if got, want := tr.carry.steps[i], fx.i32["act2.steps"][i]; got != want {
			t.Errorf("act2.steps[%d]: %d, fixture %d", i, got, want)
		}
	}
	nearScalar(t, "act2.loss", met.Loss, fx.f64["act2.loss"][0])
}

// maskSignNoise returns got with the entries whose gradient is below the
// gradient tolerance (1e-3 of the tensor's max) replaced by the expected value:
// AdamATan2's first step moves every entry by about ±lr whatever its size, so
// the sign of a gradient that is float32 noise decides it.
func maskSignNoise(got, want, grad []float32) []float32 {
	var gmax float64
	for _, g := range grad {
		gmax = max(gmax, math.Abs(float64(g)))
	}
	out := append([]float32(nil), got...)
	for i, g := range grad {
		if i < len(out) && i < len(want) && math.Abs(float64(g)) < 1e-3*gmax {
			out[i] = want[i]
		}
	}
	return out
}
