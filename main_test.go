package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"hrmlab/checkpoints"
	"hrmlab/engine"
)

// TestMain lets the test binary act as hrmlab itself when HRMLAB_BE_MAIN is
// set, so a test can run the command as a process and signal it.
func TestMain(m *testing.M) {
	engine.Start(os.Stderr) // the kernels and scheduler hrmlab itself runs
	if os.Getenv("HRMLAB_BE_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// tiny keeps end-to-end runs to a second or two.
var tiny = []string{
	"-set", "model.hidden=16", "-set", "model.heads=2", "-set", "model.h_layers=1", "-set", "model.l_layers=1",
	"-set", "train.batch_size=8", "-set", "task.test_count=8", "-set", "run.eval_count=8", "-set", "run.name=e2e",
	"-set", "model.halt_max_steps=3",
}

func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

func TestTrainEvalSolveEndToEnd(t *testing.T) {
	out := t.TempDir()
	args := append([]string{"train", "-steps", "6", "-out", out, "-json", "-set", "run.eval_every=3", "-set", "run.log_every=2"}, tiny...)
	stdout, stderr, code := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	kinds := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var line struct {
			Kind string          `json:"kind"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		kinds[line.Kind]++
		if line.Kind == "start" {
			var start map[string]any
			json.Unmarshal(line.Data, &start)
			for _, k := range []string{"backend", "threads", "blas_core", "blas_threads", "blas_source", "cpu"} {
				if _, ok := start[k]; !ok {
					t.Errorf("the start record lacks %q: %s", k, line.Data)
				}
			}
		}
	}
	if kinds["start"] != 1 || kinds["train"] != 3 || kinds["eval"] != 2 || kinds["checkpoint"] != 1 {
		t.Fatalf("train -json printed %v", kinds)
	}
	ck := filepath.Join(out, "e2e", "checkpoints", "step-0000006.safetensors")
	for _, f := range []string{ck, filepath.Join(out, "e2e", "lab.toml"), filepath.Join(out, "e2e", "metrics.jsonl")} {
		if _, err := os.Stat(f); err != nil {
			t.Fatal(err)
		}
	}
	saved, err := checkpoints.Load(ck)
	if err != nil {
		t.Fatal(err)
	}
	if b, m := engine.BLAS(), saved.Meta; m.Backend != b.Backend || m.Extra["blas_core"] != b.Core || m.Extra["blas_threads"] != strconv.Itoa(b.Threads) {
		t.Errorf("the checkpoint records backend %q, blas_core %q, blas_threads %q; want %s",
			m.Backend, m.Extra["blas_core"], m.Extra["blas_threads"], b)
	}

	stdout, stderr, code = runCmd(t, "eval", "-checkpoint", ck, "-json")
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"n", "exact_accuracy", "token_accuracy", "mean_halt_step", "halt_histogram"} {
		if _, ok := ev[k]; !ok {
			t.Errorf("eval -json lacks %q: %s", k, stdout)
		}
	}
	if ev["n"].(float64) != 8 || len(ev["halt_histogram"].([]any)) != 3 {
		t.Errorf("eval -json: %s", stdout)
	}

	stdout, stderr, code = runCmd(t, "solve", "-checkpoint", ck, "-puzzle", ".2.3....3..221..", "-json")
	if code != 0 {
		t.Fatalf("solve exit %d: %s", code, stderr)
	}
	var sv struct {
		Puzzle   string `json:"puzzle"`
		HaltStep int    `json:"halt_step"`
		Segments []struct {
			Step       int     `json:"step"`
			Tokens     []int   `json:"tokens"`
			Prediction string  `json:"prediction"`
			Changed    int     `json:"changed"`
			QHalt      float64 `json:"q_halt"`
			QContinue  float64 `json:"q_continue"`
			Exact      *bool   `json:"exact"`
		} `json:"segments"`
	}
	if err := json.Unmarshal([]byte(stdout), &sv); err != nil {
		t.Fatal(err)
	}
	if sv.Puzzle != ".2.3....3..221.." || len(sv.Segments) != 3 || sv.HaltStep < 1 || sv.HaltStep > 3 {
		t.Fatalf("solve -json: %s", stdout)
	}
	for i, s := range sv.Segments {
		if s.Step != i+1 || len(s.Tokens) != 16 || len(s.Prediction) != 16 || s.Exact == nil ||
			s.QHalt <= 0 || s.QHalt >= 1 || s.QContinue <= 0 || s.QContinue >= 1 {
			t.Fatalf("segment %d: %+v", i+1, s)
		}
	}

	stdout, stderr, code = runCmd(t, "solve", "-checkpoint", ck, "-data", writeCSV(t), "-index", "0", "-json")
	if code != 0 || !strings.Contains(stdout, `"answer":"1234341221434321"`) {
		t.Fatalf("solve -data: exit %d %s %s", code, stdout, stderr)
	}
}

func writeCSV(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "p.csv")
	text := "question,answer\n12..34..21..43..,1234341221434321\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadInputExitsTwoWithWhere(t *testing.T) {
	dir := t.TempDir()
	badTOML := filepath.Join(dir, "bad.toml")
	os.WriteFile(badTOML, []byte("[train]\nlr = 1e-3\nbatch = 4\n"), 0o644)
	damaged := filepath.Join(dir, "step-0000001.safetensors")
	os.WriteFile(damaged, []byte("not a checkpoint at all"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "-config", badTOML}, "bad.toml:3: unknown key \"train.batch\""},
		{[]string{"train", "-set", "train.lr=abc"}, "train.lr"},
		{[]string{"train", "-set", "model.nope=1"}, "unknown key \"model.nope\""},
		{[]string{"train", "-preset", "nope"}, "unknown preset"},
		{[]string{"eval", "-checkpoint", damaged}, "step-0000001.safetensors"},
		{[]string{"eval"}, "-checkpoint is required"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"train", "-steps"}, ""},
		{[]string{"data", "show", "-data", filepath.Join(dir, "missing.csv")}, "missing.csv"},
		{[]string{"train", "-preset", "arc-mini", "-set", "task.data=" + filepath.Join(dir, "arc")}, "task.data: lstat " + filepath.Join(dir, "arc")},
	}
	for _, c := range cases {
		_, stderr, code := runCmd(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

func TestDataGenerateAndShow(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s.csv")
	stdout, stderr, code := runCmd(t, "data", "generate", "-n", "5", "-out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	text, _ := os.ReadFile(out)
	if lines := strings.Split(strings.TrimSpace(string(text)), "\n"); len(lines) != 6 || lines[0] != "question,answer" {
		t.Fatalf("%s wrote:\n%s", stdout, text)
	}
	stdout, stderr, code = runCmd(t, "data", "show", "-data", out, "-index", "2")
	if code != 0 || !strings.Contains(stdout, "question:") || !strings.Contains(stdout, "answer:") {
		t.Fatalf("show: exit %d %s %s", code, stdout, stderr)
	}
	exp := filepath.Join(t.TempDir(), "export")
	if _, stderr, code = runCmd(t, "data", "export", "-set", "task.test_count=4", "-set", "task.train_count=3", "-out", exp); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	for _, f := range []string{"dataset.json", "all__inputs.npy", "all__labels.npy", "all__puzzle_identifiers.npy", "all__puzzle_indices.npy", "all__group_indices.npy"} {
		if _, err := os.Stat(filepath.Join(exp, "train", f)); err != nil {
			t.Errorf("export: %v", err)
		}
	}
}

// TestInterruptSavesCheckpoint runs hrmlab train as a process with no step
// limit, interrupts it, and finds a final checkpoint.
func TestInterruptSavesCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a subprocess")
	}
	out := t.TempDir()
	args := append([]string{"train", "-out", out, "-json", "-set", "run.eval_every=0", "-set", "run.checkpoint_every=0"}, tiny...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "HRMLAB_BE_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	trained := 0
	for sc.Scan() && trained < 3 {
		if strings.Contains(sc.Text(), `"kind":"train"`) {
			trained++
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var rest strings.Builder
	for sc.Scan() {
		rest.WriteString(sc.Text() + "\n")
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("train after SIGINT: %v\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("train did not exit after SIGINT")
	}
	if !strings.Contains(rest.String(), `"kind":"checkpoint"`) {
		t.Fatalf("no checkpoint event after SIGINT:\n%s", rest.String())
	}
	matches, _ := filepath.Glob(filepath.Join(out, "e2e", "checkpoints", "step-*.safetensors"))
	if len(matches) != 1 {
		t.Fatalf("checkpoints after SIGINT: %v", matches)
	}
}

// TestTrainFirstLineNamesKernels: the text header says which BLAS kernels run.
func TestTrainFirstLineNamesKernels(t *testing.T) {
	args := append([]string{"train", "-steps", "1", "-out", t.TempDir(), "-set", "run.eval_every=0"}, tiny...)
	stdout, stderr, code := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	first, _, _ := strings.Cut(stdout, "\n")
	if want := blasLine(engine.BLAS()); !strings.HasPrefix(first, "run e2e ") || !strings.HasSuffix(first, want) {
		t.Errorf("first line %q, want the run and %q", first, want)
	}
}

func TestEnvJSON(t *testing.T) {
	stdout, stderr, code := runCmd(t, "env", "-json", "-seconds", "0.01")
	if code != 0 {
		t.Fatalf("env exit %d: %s", code, stderr)
	}
	var env map[string]any
	if err := json.Unmarshal([]byte(stdout), &env); err != nil {
		t.Fatalf("env -json: %v\n%s", err, stdout)
	}
	for _, k := range []string{"go", "goos", "goarch", "backend", "blas_core", "blas_threads", "cpu", "cpu_features", "gomaxprocs", "sgemm_gflops"} {
		if _, ok := env[k]; !ok {
			t.Errorf("env -json lacks %q: %s", k, stdout)
		}
	}
	if g, _ := env["sgemm_gflops"].(float64); g <= 0 {
		t.Errorf("sgemm_gflops %v", env["sgemm_gflops"])
	}
	if _, hint := env["hint"]; hint != (env["backend"] == "gonum") {
		t.Errorf("backend %v with hint %v: the hint belongs to the pure-Go build only", env["backend"], env["hint"])
	}
	stdout, _, code = runCmd(t, "env", "-seconds", "0")
	if code != 0 || !strings.Contains(stdout, "blas threads") || !strings.Contains(stdout, "GFLOPS") {
		t.Errorf("env: exit %d\n%s", code, stdout)
	}
}

// fast is a bench of the tiny model: one untimed and one timed step.
var fast = append([]string{"bench", "-warmup", "1", "-steps", "1"}, tiny...)

func TestBenchJSONNamesKernelsAndModel(t *testing.T) {
	stdout, stderr, code := runCmd(t, slices.Concat(fast, []string{"-json"})...)
	if code != 0 {
		t.Fatalf("bench exit %d: %s", code, stderr)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"backend", "threads", "blas_core", "blas_threads", "cpu", "cpu_features", "params",
		"step_seconds", "min_step_seconds", "steps_per_second", "tokens_per_second", "gflops", "pos_encodings", "ema"} {
		if _, ok := r[k]; !ok {
			t.Errorf("bench -json lacks %q", k)
		}
	}
	// the tiny model: 4x4 Sudoku, 16 cells + 1 puzzle position
	want := map[string]any{"arch": "hrm", "hidden": 16.0, "heads": 2.0, "h_layers": 1.0, "l_layers": 1.0, "h_cycles": 2.0,
		"l_cycles": 2.0, "puzzle_emb_len": 1.0, "token_mixer": "attention", "vocab": 6.0, "grid_cells": 16.0, "seq_len": 17.0,
		"batch_size": 8.0, "act_continue": true, "halt_max_steps": 3.0}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("bench -json %s = %v, want %v", k, r[k], v)
		}
	}
	if engine.BLAS().Core != "" && r["blas_source"] == nil {
		t.Error("bench -json lacks blas_source on OpenBLAS")
	}
}

// torchResult is a hand-written result of tools/torchref/bench.py for the
// tiny model, with one key changed where a case asks.
func torchResult(key string, value any) string {
	r := map[string]any{"arch": "hrm", "hidden": 16, "heads": 2, "expansion": 4.0, "h_layers": 1, "l_layers": 1,
		"h_cycles": 2, "l_cycles": 2, "puzzle_emb_len": 1, "token_mixer": "attention", "vocab": 6, "grid_cells": 16,
		"seq_len": 17, "batch_size": 8, "act_continue": true, "threads": 2, "blas_core": "SkylakeX",
		"step_seconds": 0.5, "min_step_seconds": 0.4}
	if key != "" {
		r[key] = value
		if value == nil {
			delete(r, key)
		}
	}
	b, _ := json.Marshal(r)
	return string(b) + "\n"
}

func TestBenchCompare(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, file string // file: the contents, "" for no file
		json       bool
		code       int
		want       string // in stdout (exit 0) or stderr
	}{
		{"match", torchResult("", nil), false, 0, "PyTorch 0.400 s/step (OpenBLAS SkylakeX x2), hrmlab "},
		{"match json", torchResult("", nil), true, 0, `"torch_min_step_seconds":0.4`},
		{"second line matches", torchResult("hidden", 128) + torchResult("", nil), false, 0, "hrmlab is "},
		{"hidden differs", torchResult("hidden", 32), false, 2, "hidden is 32 there and 16 in this model"},
		{"no line matches", torchResult("heads", 4) + torchResult("batch_size", 64), false, 2, "none of its 2 results"},
		{"old bench.py", torchResult("vocab", nil), false, 2, `no "vocab" key`},
		{"no time", torchResult("min_step_seconds", 0), false, 2, "min_step_seconds"},
		{"malformed", `{"arch": "hrm",`, false, 2, "not bench.py output"},
		{"empty", "", false, 2, "empty"},
		{"missing", "-", false, 2, "no such file"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("torch%d.json", i))
			if c.file != "-" {
				if err := os.WriteFile(path, []byte(c.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := slices.Concat(fast, []string{"-compare", path})
			if c.json {
				args = append(args, "-json")
			}
			stdout, stderr, code := runCmd(t, args...)
			out := stdout
			if c.code != 0 {
				out = stderr
				if !strings.Contains(stderr, path) {
					t.Errorf("the error does not name %s: %q", path, stderr)
				}
			}
			if code != c.code || !strings.Contains(out, c.want) {
				t.Errorf("exit %d, want %d with %q in\n%s%s", code, c.code, c.want, stdout, stderr)
			}
		})
	}
}

// TestCompare trains two tiny runs that differ in train.lr and compares them.
func TestCompare(t *testing.T) {
	out := t.TempDir()
	for _, r := range []struct{ name, lr string }{{"slow", "1e-3"}, {"fast", "3e-3"}} {
		args := slices.Concat([]string{"train", "-steps", "30", "-out", out, "-set", "run.eval_every=10", "-set", "run.log_every=5"},
			tiny, []string{"-set", "run.name=" + r.name, "-set", "train.lr=" + r.lr})
		if _, stderr, code := runCmd(t, args...); code != 0 {
			t.Fatalf("train %s: exit %d: %s", r.name, code, stderr)
		}
	}
	slow, fast := filepath.Join(out, "slow"), filepath.Join(out, "fast")
	notRun := t.TempDir()
	malformed := t.TempDir()
	os.WriteFile(filepath.Join(malformed, "lab.toml"), []byte("[train]\n"), 0o644)
	os.WriteFile(filepath.Join(malformed, "metrics.jsonl"), []byte(`{"kind":"train","data":{"step":1}}`+"\n{oops\n"), 0o644)
	png := filepath.Join(t.TempDir(), "c.png")
	cases := []struct {
		name string
		args []string
		code int
		want []string // in stdout (exit 0) or stderr
		not  []string
	}{
		{"table and legend", []string{slow, fast}, 0,
			[]string{"slow", "fast", "slow: train.lr=0.001", "fast: train.lr=0.003", "steps/s", "params"}, []string{"run.name", "model.hidden="}},
		{"one run", []string{slow}, 0, []string{"slow", "30"}, []string{"train.lr"}},
		{"json", []string{slow, fast, "-json"}, 0, []string{`"differing_keys":["train.lr"]`, `"steps":30`, `"train_seconds"`,
			`"steps_per_second"`, `"params"`, `"last_eval_exact"`, `"best_eval_exact"`, `"differs":{"train.lr":"0.001"}`}, nil},
		{"png by time", []string{"-png", png, "-x", "time", slow, fast}, 0, []string{"curves by time: " + png}, nil},
		{"not a run", []string{slow, notRun}, 2, []string{notRun, "not a run folder"}, nil},
		{"malformed metrics", []string{malformed}, 2, []string{filepath.Join(malformed, "metrics.jsonl") + ":2:"}, nil},
		{"no runs", []string{"-json"}, 2, []string{"name one or more run folders"}, nil},
		{"bad x", []string{"-x", "wall", slow}, 2, []string{`-x "wall"`}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := runCmd(t, append([]string{"compare"}, c.args...)...)
			got := stdout
			if c.code != 0 {
				got = stderr
			}
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, c.code, stdout, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("no %q in\n%s", w, got)
				}
			}
			for _, w := range c.not {
				if strings.Contains(got, w) {
					t.Errorf("%q in\n%s", w, got)
				}
			}
		})
	}
	b, err := os.ReadFile(png)
	if err != nil || len(b) < 1000 || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("-png wrote %d bytes (%v)", len(b), err)
	}
}

// TestSolveTypedPuzzleBreakingRules: a typed puzzle with two 1s in a row is
// named on stderr and in -json, and solved anyway.
func TestSolveTypedPuzzleBreakingRules(t *testing.T) {
	out := t.TempDir()
	args := append([]string{"train", "-steps", "2", "-out", out, "-set", "run.eval_every=0"}, tiny...)
	if _, stderr, code := runCmd(t, args...); code != 0 {
		t.Fatalf("train exit %d: %s", code, stderr)
	}
	ck := filepath.Join(out, "e2e", "checkpoints", "step-0000002.safetensors")
	cases := []struct {
		puzzle string
		want   []string // givens_violations; nil: no warning, no field
	}{
		{"11..34..21..43..", []string{"row 1 has two 1s", "column 2 has two 1s", "box 1 has two 1s"}},
		{"12..34..21..43..", nil},
	}
	for _, c := range cases {
		stdout, stderr, code := runCmd(t, "solve", "-checkpoint", ck, "-puzzle", c.puzzle, "-json")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.puzzle, code, stderr)
		}
		var sv struct {
			Segments         []json.RawMessage `json:"segments"`
			GivensViolations []string          `json:"givens_violations"`
		}
		if err := json.Unmarshal([]byte(stdout), &sv); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sv.GivensViolations, c.want) || len(sv.Segments) != 3 {
			t.Errorf("%s: givens_violations %q, %d segments; want %q and 3", c.puzzle, sv.GivensViolations, len(sv.Segments), c.want)
		}
		if warned := strings.Contains(stderr, "breaks the rules: row 1 has two 1s"); warned != (c.want != nil) {
			t.Errorf("%s: stderr %q", c.puzzle, stderr)
		}
		if c.want != nil && !strings.Contains(stdout, `"givens_violations":[`) {
			t.Errorf("no givens_violations list in %s", stdout)
		}
	}
}
