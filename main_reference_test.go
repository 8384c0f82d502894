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
