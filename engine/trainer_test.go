package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestParamCountReference(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the 27M-parameter reference model")
	}
	m := newTestModel(t, DefaultHRM(), 0)
	if got := m.NumParams(); got != 27275266 {
		t.Errorf("reference HRM has %d trainable parameters, want 27,275,266", got)
	}
	if got := m.byName["inner.L_level.layers.0.mlp.down_proj.weight"].t.Shape; !slices.Equal(got, []int{512, 1536}) {
		t.Errorf("down_proj shape %v, want [512 1536]", got)
	}
}

func TestTruncNormalInit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 200000)
	truncNormal(rng, x, 0.5)
	var s, s2 float64
	for _, v := range x {
		if math.Abs(float64(v)) > 2.2737*0.5+1e-6 {
			t.Fatalf("value %v beyond the truncation bound", v)
		}
		s += float64(v)
		s2 += float64(v) * float64(v)
	}
	mean := s / float64(len(x))
	std := math.Sqrt(s2/float64(len(x)) - mean*mean)
	if math.Abs(mean) > 0.005 || math.Abs(std-0.5) > 0.005 {
		t.Errorf("mean %.4f std %.4f, want 0 and 0.5", mean, std)
	}
}

func TestConfigValidate(t *testing.T) {
	c := tinyConfig()
	c.Heads = 5
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "model.heads") {
		t.Errorf("heads 5 with hidden 16: %v", err)
	}
	for _, lm := range []struct {
		mixer    string
		cells, k int
		want     string
	}{
		{"mlp", 6, 3, "needs a square grid; the task has 6 cells"},
		{"attention", 9, 3, `needs token_mixer = "mlp"`},
		{"mlp", 9, 7, "not an odd kernel side from 3 to 5"},
		{"mlp", 9, 2, "not an odd kernel side"},
	} {
		c := tinyConfig()
		c.TokenMixer, c.SeqLen, c.LocalMix = lm.mixer, lm.cells, lm.k
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "model.local_mix: ") || !strings.Contains(err.Error(), lm.want) {
			t.Errorf("local_mix %d on %d cells with the %s mixer: %v", lm.k, lm.cells, lm.mixer, err)
		}
	}
	h := testHyper(4)
	h.Beta2 = 1
	if err := h.Validate(); err == nil || !strings.Contains(err.Error(), "train.beta2") {
		t.Errorf("beta2 1: %v", err)
	}
}

func testHyper(b int) Hyper {
	return Hyper{BatchSize: b, LR: 1e-3, LRMinRatio: 1, WarmupSteps: 2, WeightDecay: 0.1, Beta1: 0.9, Beta2: 0.95,
		Optimizer: "adam_atan2", PuzzleEmbLR: 1e-2, PuzzleEmbWeightDecay: 0.1, HaltMaxSteps: 3, HaltExplorationProb: 0.5}
}

func weightsOf(m *Model) [][]float32 {
	var out [][]float32
	for _, p := range m.params {
		out = append(out, slices.Clone(p.t.F32))
	}
	return out
}

func sameWeights(t *testing.T, a, b *Model) {
	t.Helper()
	wa, wb := weightsOf(a), weightsOf(b)
	for i := range wa {
		if !slices.Equal(wa[i], wb[i]) {
			t.Fatalf("tensor %s differs", a.params[i].t.Name)
		}
	}
}

func trainSteps(t *testing.T, tr *Trainer, c Config, from, n int) []Metrics {
	t.Helper()
	var out []Metrics
	for i := from; i < from+n; i++ {
		met, err := tr.Step(randomBatch(c, tr.Hyper().BatchSize, uint64(100+i)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, met)
	}
	return out
}

func sameMetrics(t *testing.T, a, b []Metrics) {
	t.Helper()
	for i := range a {
		if a[i].Loss != b[i].Loss || a[i].GradNorm != b[i].GradNorm || a[i].Count != b[i].Count ||
			!slices.Equal(a[i].HaltHistogram, b[i].HaltHistogram) {
			t.Fatalf("step %d: %+v vs %+v", i+1, a[i], b[i])
		}
	}
}

// TestDeterministicAndResume: the same seeds give the same run, and N steps,
// State/Restore into a fresh trainer, N more steps equal 2N steps bit for bit.
func TestDeterministicAndResume(t *testing.T) {
	c := tinyConfig()
	h := testHyper(4)
	h.EMARate = 0.9
	run := func() (*Trainer, []Metrics) {
		tr, err := NewTrainer(newTestModel(t, c, 1), h, 9)
		if err != nil {
			t.Fatal(err)
		}
		return tr, trainSteps(t, tr, c, 0, 6)
	}
	a, ma := run()
	b, mb := run()
	sameMetrics(t, ma, mb)
	sameWeights(t, a.Model(), b.Model())

	first, err := NewTrainer(newTestModel(t, c, 1), h, 9)
	if err != nil {
		t.Fatal(err)
	}
	m1 := trainSteps(t, first, c, 0, 3)
	tensors, meta := first.State()
	fresh := newTestModel(t, c, 77) // different init: everything must come from the saved state
	for _, x := range first.Model().Tensors() {
		if err := fresh.SetTensor(x.Name, x.Shape, x.F32); err != nil {
			t.Fatal(err)
		}
	}
	second, err := NewTrainer(fresh, h, 12345)
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Restore(tensors, meta); err != nil {
		t.Fatal(err)
	}
	m2 := trainSteps(t, second, c, 3, 3)
	sameMetrics(t, ma, append(m1, m2...))
	sameWeights(t, a.Model(), second.Model())
	sameWeights(t, a.EvalModel(), second.EvalModel())
	if second.Steps() != 6 {
		t.Errorf("steps after resume: %d, want 6", second.Steps())
	}

	tensors[0].Shape = []int{1}
	if err := second.Restore(tensors, meta); err == nil || !strings.Contains(err.Error(), tensors[0].Name) {
		t.Errorf("restore with a bad shape: %v", err)
	}
}

func TestSetHyper(t *testing.T) {
	c := tinyConfig()
	h := testHyper(4)
	tr, err := NewTrainer(newTestModel(t, c, 1), h, 3)
	if err != nil {
		t.Fatal(err)
	}
	trainSteps(t, tr, c, 0, 2)

	// lr 0 (and no puzzle lr): the weights stay put.
	h.LR, h.PuzzleEmbLR = 0, 0
	if err := tr.SetHyper(h); err != nil {
		t.Fatal(err)
	}
	before := weightsOf(tr.Model())
	met := trainSteps(t, tr, c, 2, 1)[0]
	if met.LR != 0 {
		t.Errorf("lr %v with base 0", met.LR)
	}
	for i, w := range weightsOf(tr.Model()) {
		if !slices.Equal(w, before[i]) {
			t.Errorf("%s changed at lr 0", tr.Model().params[i].t.Name)
		}
	}

	// halt_max_steps 1: every slot halts after one segment.
	h.HaltMaxSteps = 1
	h.BatchSize = 5 // also resets the carry
	h.LCycles = 3
	if err := tr.SetHyper(h); err != nil {
		t.Fatal(err)
	}
	if tr.Model().Config().LCycles != 3 {
		t.Errorf("l_cycles not applied")
	}
	met = trainSteps(t, tr, c, 3, 1)[0]
	if met.Count != 5 || met.MeanSteps != 1 || !slices.Equal(met.HaltHistogram, []int{5}) {
		t.Errorf("halt_max_steps 1: %+v", met)
	}
	if _, err := tr.Step(randomBatch(c, 4, 1)); err == nil {
		t.Error("a batch of 4 with batch size 5 was accepted")
	}
	h.Optimizer = "sgd"
	if err := tr.SetHyper(h); err == nil {
		t.Error("optimizer sgd accepted")
	}
}

func TestScheduleLR(t *testing.T) {
	h := Hyper{WarmupSteps: 10, TotalSteps: 110, LRMinRatio: 0.1}
	for _, tc := range []struct {
		step int
		want float64
	}{{1, 0.1}, {5, 0.5}, {10, 1}, {60, 0.55}, {110, 0.1}, {500, 0.1}} {
		if got := scheduleLR(h, tc.step, 1, 0); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("step %d: lr %v, want %v", tc.step, got, tc.want)
		}
	}
	// A time budget ahead of the steps leads the cosine; behind them, the
	// steps do; spent past 1 stays at the floor; warm-up comes first.
	for _, tc := range []struct {
		step        int
		spent, want float64
	}{{60, 0.75, 0.1 + 0.9*0.5*(1+math.Cos(0.75*math.Pi))}, {60, 0.25, 0.55}, {20, 3, 0.1}, {5, 0.9, 0.5}} {
		if got := scheduleLR(h, tc.step, 1, tc.spent); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("step %d, time spent %v: lr %v, want %v", tc.step, tc.spent, got, tc.want)
		}
	}
	h.TotalSteps = 0
	if got := scheduleLR(h, 1000, 2, 0); got != 2 {
		t.Errorf("constant after warm-up: %v", got)
	}
	if got := scheduleLR(h, 1000, 2, 0.5); math.Abs(got-1.1) > 1e-12 {
		t.Errorf("time budget alone, half spent: %v, want 1.1", got)
	}
}

func TestSignSGDTouchedRowsOnly(t *testing.T) {
	table := []float32{1, 1, 2, 2, 3, 3}
	grads := []float32{0.5, -0.5, -1, 0.25, 0, 0}
	signSGD(table, grads, []int32{2, 2, 0}, 2, 0.1, 0.5, make([]int32, 3), make([]float32, 6))
	// row 2: sum (-0.5, -0.25) -> +0.1 each after decay 0.95; row 0: zero grad, decayed only; row 1 untouched
	want := []float32{0.95, 0.95, 2, 2, 3*0.95 + 0.1, 3*0.95 + 0.1}
	for i := range want {
		if math.Abs(float64(table[i]-want[i])) > 1e-6 {
			t.Fatalf("table %v, want %v", table, want)
		}
	}
}

func TestRunTrace(t *testing.T) {
	c := tinyConfig()
	c.HCycles = 3
	m := newTestModel(t, c, 1)
	bt := randomBatch(c, 2, 5)
	var segs int
	err := m.Run(bt, 2, true, func(seg int, out *SegmentOutput) {
		segs++
		if seg != segs || len(out.Inner) != 3 || !slices.Equal(out.Inner[2], out.Preds) {
			t.Errorf("segment %d: %d inner frames, last equal to preds: %v", seg, len(out.Inner), slices.Equal(out.Inner[2], out.Preds))
		}
		for i, p := range out.Confidence {
			if !(p > 0 && p <= 1) || out.Preds[i] < 0 {
				t.Fatalf("confidence %v", p)
			}
		}
		if out.QHalt[0] <= 0 || out.QHalt[0] >= 0.01 {
			t.Errorf("q_halt %v, want sigmoid(-5) at init", out.QHalt[0])
		}
	})
	if err != nil || segs != 2 {
		t.Fatalf("Run: %v after %d segments", err, segs)
	}
	bt.Inputs[0] = 99
	if err := m.Run(bt, 1, false, func(int, *SegmentOutput) {}); err == nil || !strings.Contains(err.Error(), "batch.inputs[0]") {
		t.Errorf("bad token: %v", err)
	}
}

// TestStepAllocations: after warm-up a training step allocates only the
// returned Metrics' HaltHistogram; Run allocates nothing per segment beyond
// its outputs.
func TestStepAllocations(t *testing.T) {
	for _, arch := range []string{"hrm", "trm"} {
		c := tinyConfig()
		c.Arch = arch
		tr, err := NewTrainer(newTestModel(t, c, 1), testHyper(4), 1)
		if err != nil {
			t.Fatal(err)
		}
		bt := randomBatch(c, 4, 1)
		trainSteps(t, tr, c, 0, 2)
		if n := testing.AllocsPerRun(10, func() { tr.Step(bt) }); n > 1 {
			t.Errorf("%s: %v allocations per step, want 1 (the metrics histogram)", arch, n)
		}
	}
}

// TestMemoryIndependentOfCycles: raising HRM's H/L cycles reuses the same
// workspace and allocates nothing more per step (only graded calls keep activations).
func TestMemoryIndependentOfCycles(t *testing.T) {
	c := tinyConfig()
	h := testHyper(4)
	tr, err := NewTrainer(newTestModel(t, c, 1), h, 1)
	if err != nil {
		t.Fatal(err)
	}
	bt := randomBatch(c, 4, 1)
	trainSteps(t, tr, c, 0, 2)
	ws := tr.Model().ws
	h.HCycles, h.LCycles = 4, 5
	if err := tr.SetHyper(h); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(5, func() { tr.Step(bt) }); n > 1 || tr.Model().ws != ws {
		t.Errorf("cycles 4/5: %v allocations per step, workspace rebuilt: %v", n, tr.Model().ws != ws)
	}
}

// TestCloneRunsWhileTraining: a Clone evaluates in another goroutine while
// training goes on (the Solve screen's use), and sees the snapshot's weights.
func TestCloneRunsWhileTraining(t *testing.T) {
	c := tinyConfig()
	tr, err := NewTrainer(newTestModel(t, c, 1), testHyper(4), 1)
	if err != nil {
		t.Fatal(err)
	}
	snap := tr.Model().Clone()
	want := weightsOf(snap)
	done := make(chan error)
	go func() {
		bt := randomBatch(c, 3, 2)
		var err error
		for range 5 {
			err = snap.Run(bt, 2, true, func(int, *SegmentOutput) {})
		}
		done <- err
	}()
	trainSteps(t, tr, c, 0, 5)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := weightsOf(snap)
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("snapshot tensor %s changed while training", snap.params[i].t.Name)
		}
	}
}

// TestTRMWithQContinue: HRM's Q-learning halting stays selectable for TRM
// (the bootstrap target comes from one more TRM supervision step).
func TestTRMWithQContinue(t *testing.T) {
	c := tinyConfig()
	c.Arch, c.ACTContinue = "trm", true
	tr, err := NewTrainer(newTestModel(t, c, 1), testHyper(4), 1)
	if err != nil {
		t.Fatal(err)
	}
	met := trainSteps(t, tr, c, 0, 1)[0]
	if !(met.QContinueLoss > 0) {
		t.Errorf("TRM with act_continue: q_continue loss %v", met.QContinueLoss)
	}
	for i, v := range tr.tgt {
		if !(v > 0 && v < 1) {
			t.Errorf("target_continue[%d] = %v", i, v)
		}
	}
	c.ACTContinue = false
	tr, err = NewTrainer(newTestModel(t, c, 1), testHyper(4), 1)
	if err != nil {
		t.Fatal(err)
	}
	if met := trainSteps(t, tr, c, 0, 1)[0]; met.QContinueLoss != 0 {
		t.Errorf("TRM without act_continue: q_continue loss %v", met.QContinueLoss)
	}
}

// TestHaltingRule: with q_halt > q_continue every slot wants to halt, but
// with exploration probability 1 none may halt before its minimum of 2..M
// segments; without exploration all halt after one segment.
func TestHaltingRule(t *testing.T) {
	c := tinyConfig()
	for _, eps := range []float64{0, 1} {
		m := newTestModel(t, c, 1)
		m.qB.t.F32[0], m.qB.t.F32[1] = 5, -5 // q_halt logit far above q_continue
		h := testHyper(6)
		h.LR, h.PuzzleEmbLR, h.HaltMaxSteps, h.HaltExplorationProb = 0, 0, 4, eps
		tr, err := NewTrainer(m, h, 1)
		if err != nil {
			t.Fatal(err)
		}
		met := trainSteps(t, tr, c, 0, 4)
		if eps == 0 && met[0].Count != 6 {
			t.Errorf("no exploration: %d of 6 halted after one segment", met[0].Count)
		}
		if eps == 1 {
			if met[0].Count != 0 || met[0].HaltHistogram[0] != 0 {
				t.Errorf("exploration 1: %d halted after one segment", met[0].Count)
			}
			total := 0
			for _, mt := range met {
				total += mt.Count
			}
			if total < 6 {
				t.Errorf("exploration 1: only %d of 6 halted within 4 steps", total)
			}
		}
	}
}

// TestHaltThreshold: evaluation halts once sigmoid(q_halt − q_continue)
// (without a continue head, sigmoid(q_halt)) exceeds the threshold; 0 means
// the reference's 0.5; a live change reaches the evaluation model.
func TestHaltThreshold(t *testing.T) {
	for _, cont := range []bool{true, false} {
		c := tinyConfig()
		c.ACTContinue = cont
		m := newTestModel(t, c, 1)
		m.qB.t.F32[0], m.qB.t.F32[1] = 2, 0.5 // the q head's weights start at 0: the logits are the biases
		margin := 2.0
		if cont {
			margin = 1.5
		}
		p := 1 / (1 + math.Exp(-margin)) // 0.818 with the continue head, 0.881 without
		wouldHalt := func(m *Model) bool {
			var h bool
			if err := m.Run(randomBatch(c, 1, 3), 1, false, func(_ int, o *SegmentOutput) { h = o.WouldHalt[0] }); err != nil {
				t.Fatal(err)
			}
			return h
		}
		for _, tc := range []struct {
			threshold float64
			want      bool
		}{{0, true}, {0.5, true}, {p - 0.01, true}, {p + 0.01, false}, {0.99, false}} {
			if err := m.SetHaltThreshold(tc.threshold); err != nil {
				t.Fatal(err)
			}
			if got := wouldHalt(m); got != tc.want {
				t.Errorf("continue head %v, sigmoid(margin) %.3f, threshold %v: would halt %v", cont, p, tc.threshold, got)
			}
		}
		for _, bad := range []float64{0.3, 1, math.NaN()} {
			if err := m.SetHaltThreshold(bad); err == nil || !strings.Contains(err.Error(), "model.halt_threshold") {
				t.Errorf("threshold %v: %v", bad, err)
			}
		}
		m.SetHaltThreshold(0)
		tr, err := NewTrainer(m, testHyper(1), 1)
		if err != nil {
			t.Fatal(err)
		}
		h := testHyper(1)
		h.HaltThreshold = 0.99
		if err := tr.SetHyper(h); err != nil {
			t.Fatal(err)
		}
		if wouldHalt(tr.EvalModel()) {
			t.Errorf("continue head %v: a live threshold of 0.99 did not reach the evaluation model", cont)
		}
	}
}
