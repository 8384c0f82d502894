package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestReferenceCheckpointCommands opens a PyTorch reference checkpoint (the
// lab/testdata fixture: torch.save, all_config.yaml, a reference dataset
// folder) with inspect, solve and eval, and refuses a damaged one with exit
// status 2 naming the file.
func TestReferenceCheckpointCommands(t *testing.T) {
	dir := filepath.Join("lab", "testdata", "reference", "hrm_sudoku4")
	ckpt, data := filepath.Join(dir, "step_40"), filepath.Join(dir, "data")
	out, _, code := runCmd(t, "inspect", "-json", ckpt)
	var in struct {
		Format, Config string
		Params         int
		Tensors        []struct{ Name, DType string }
	}
	if err := json.Unmarshal([]byte(out), &in); code != 0 || err != nil || in.Format != "PyTorch reference, torch.save zip" ||
		!strings.Contains(in.Config, `arch = "hrm"`) || in.Params == 0 || len(in.Tensors) != 19 {
		t.Fatalf("inspect: exit %d, %v, %+v", code, err, in)
	}
	out, stderr, code := runCmd(t, "solve", "-checkpoint", ckpt, "-data", data, "-index", "2", "-json")
	var tr struct {
		Answer   string
		Segments []struct {
			QHalt float64 `json:"q_halt"`
		}
	}
	if err := json.Unmarshal([]byte(out), &tr); code != 0 || err != nil || len(tr.Segments) != 4 || len(tr.Answer) != 16 ||
		!strings.Contains(stderr, "note: trained with forward_dtype bfloat16") {
		t.Fatalf("solve: exit %d, %v, %s %s", code, err, out, stderr)
	}
	if _, _, code := runCmd(t, "solve", "-checkpoint", ckpt, "-data", data, "-index", "3", "-split", "train"); code != 0 {
		t.Errorf("solve -split train: exit %d", code)
	}
	out, _, code = runCmd(t, "eval", "-checkpoint", ckpt, "-json")
	var r struct{ N, Segments int }
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || r.N != 3 || r.Segments != 4 {
		t.Fatalf("eval on the config's data_path: exit %d, %v, %s", code, err, out)
	}

	bad := t.TempDir()
	raw, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, "step_40"), raw[:len(raw)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runCmd(t, "eval", "-checkpoint", filepath.Join(bad, "step_40"))
	if code != 2 || !strings.Contains(stderr, filepath.Join(bad, "step_40")) {
		t.Errorf("a cut torch.save file: exit %d, %s", code, stderr)
	}
	_, stderr, code = runCmd(t, "inspect", filepath.Join(bad, "nothing"))
	if code != 2 || !strings.Contains(stderr, "nothing") {
		t.Errorf("inspect of a missing file: exit %d, %s", code, stderr)
	}
}

// TestSolveReferenceRoundTrip is issue 13's done-when as a command: `hrmlab
// solve -checkpoint FILE -data DIR -index I -json` on checkpoints the
// reference repositories' own code wrote (lab/testdata/reference/*_roundtrip,
// tools/torchref/reference_roundtrip.py) prints every segment of the
// reference's own forward pass in float32: its tokens, q_halt within 1e-5
// (lab's TestReferenceRoundTrip compares with its bfloat16 pass too).
func TestSolveReferenceRoundTrip(t *testing.T) {
	for _, name := range []string{"hrm_roundtrip", "trm_roundtrip"} {
		dir := filepath.Join("lab", "testdata", "reference", name)
		raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
		if err != nil {
			t.Fatal(err)
		}
		var want struct {
			Checkpoint string
			Examples   int
			Forward    map[string]struct {
				Segments []struct {
					Tokens     [][]int32 `json:"tokens"`
					QHaltLogit []float64 `json:"q_halt_logit"`
				}
			}
		}
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		segs := want.Forward["float32"].Segments
		for i := range want.Examples {
			out, stderr, code := runCmd(t, "solve", "-checkpoint", filepath.Join(dir, want.Checkpoint), "-data", filepath.Join(dir, "data"),
				"-index", strconv.Itoa(i), "-json")
			var tr struct {
				Segments []struct {
					Tokens []int32
					QHalt  float64 `json:"q_halt"`
				}
			}
			if err := json.Unmarshal([]byte(out), &tr); code != 0 || err != nil || len(tr.Segments) != len(segs) {
				t.Fatalf("%s -index %d: exit %d, %v, %d segments, want %d: %s", name, i, code, err, len(tr.Segments), len(segs), stderr)
			}
			for k, s := range tr.Segments {
				q := 1 / (1 + math.Exp(-segs[k].QHaltLogit[i]))
				if !slices.Equal(s.Tokens, segs[k].Tokens[i]) || math.Abs(s.QHalt-q) > 1e-5 {
					t.Errorf("%s -index %d segment %d: tokens %v q_halt %v, the reference's %v %v", name, i, k+1, s.Tokens, s.QHalt, segs[k].Tokens[i], q)
				}
			}
		}
	}
}

// TestTrainInit runs train -init from a reference checkpoint (its
// all_config.yaml mapped, its data folder given) and from an hrmlab run, and
// refuses what it cannot do with exit status 2 and a message naming it.
func TestTrainInit(t *testing.T) {
	ref := filepath.Join("lab", "testdata", "reference", "hrm_sudoku4")
	out := t.TempDir()
	stdout, stderr, code := runCmd(t, "train", "-init", filepath.Join(ref, "step_40"), "-set", "task.data="+filepath.Join(ref, "data"),
		"-set", "run.name=fromref", "-steps", "2", "-out", out, "-json")
	if code != 0 || !strings.Contains(stdout, `"kind":"checkpoint"`) || !strings.Contains(stderr, "note: trained with forward_dtype bfloat16") {
		t.Fatalf("train -init a reference checkpoint: exit %d\n%s\n%s", code, stdout, stderr)
	}
	toml, err := os.ReadFile(filepath.Join(out, "fromref", "lab.toml"))
	if err != nil || !strings.Contains(string(toml), "hidden = 16") || !strings.Contains(string(toml), `arch = "hrm"`) {
		t.Fatalf("the new run's lab.toml (%v):\n%s", err, toml)
	}
	// From an hrmlab run: its config, a run of its own.
	_, stderr, code = runCmd(t, "train", "-init", filepath.Join(out, "fromref"), "-set", "run.name=again", "-steps", "1", "-out", out)
	if _, err := os.Stat(filepath.Join(out, "again", "lab.toml")); code != 0 || err != nil {
		t.Fatalf("train -init an hrmlab run: exit %d, %v: %s", code, err, stderr)
	}
	// A 6x6 Sudoku folder: 8 tokens, not the checkpoint's 6.
	s6 := filepath.Join(out, "s6")
	if _, stderr, code := runCmd(t, "data", "export", "-set", "task.size=6", "-set", "task.train_count=2", "-set", "task.test_count=2", "-out", s6); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-init", filepath.Join(ref, "step_40"), "-resume", filepath.Join(out, "fromref")}, "drop -resume"},
		{[]string{"-init", filepath.Join(ref, "step_40"), "-preset", "arc-mini"}, "drop -resume, -branch, -config and -preset"},
		{[]string{"-init", filepath.Join(out, "nothing")}, "nothing"},
		{[]string{"-init", filepath.Join(ref, "step_40"), "-set", "task.data=" + s6}, "vocabulary 8 and sequence length 36, but"},
	} {
		_, stderr, code := runCmd(t, append([]string{"train", "-steps", "1", "-out", out}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("train %v: exit %d, %s; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestDataExportReferenceConfig exports with -reference-config: the data
// folder and reference_train.sh, the command printed; what the reference
// cannot train is refused with exit status 2.
func TestDataExportReferenceConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	stdout, stderr, code := runCmd(t, "data", "export", "-set", "task.train_count=4", "-set", "task.test_count=2", "-set", "run.max_steps=10",
		"-set", "train.batch_size=8", "-reference-config", "-out", dir)
	script := filepath.Join(dir, "reference_train.sh")
	if code != 0 || !strings.Contains(stdout, "wrote "+script+": in a checkout of https://github.com/sapientinc/HRM run") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(script)
	st, _ := os.Stat(script)
	// 10 steps of 8 over 4 puzzles (in 9 variants each): 20 epochs.
	for _, want := range []string{"pretrain.py \\\n  arch=hrm_v1 ", " data_path=" + dir + " ", " epochs=20 ", " +seed=0\n"} {
		if err != nil || !strings.Contains(string(b), want) || st.Mode()&0o100 == 0 {
			t.Errorf("%s (%v, mode %v) lacks %q:\n%s", script, err, st.Mode(), want, b)
		}
	}
	meta, err := os.ReadFile(filepath.Join(dir, "train", "dataset.json"))
	if err != nil || !strings.Contains(string(meta), `"total_puzzles": 36`) {
		t.Errorf("train/dataset.json (%v):\n%s", err, meta)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-set", "task.train_count=0"}, "set task.train_count"},
		{[]string{"-preset", "sudoku6-trm", "-set", "task.train_count=2", "-set", "model.act_continue=true"}, "no_ACT_continue=False"},
		{nil, "-out is required"},
	} {
		args := append([]string{"data", "export", "-reference-config", "-set", "task.test_count=2"}, tc.args...)
		if tc.want != "-out is required" {
			args = append(args, "-out", filepath.Join(t.TempDir(), "x"))
		}
		_, stderr, code := runCmd(t, args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %s; want 2 and %q", args, code, stderr, tc.want)
		}
	}
}
