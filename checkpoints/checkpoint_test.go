package checkpoints

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nlpodyssey/safetensors"

	"hrmlab/engine"
)

// sampleTensors returns F32 and I32 tensors of several shapes, including a
// scalar and an empty one, with values that exercise the encoding (negative
// zero, infinities, NaN, extreme integers).
func sampleTensors(fill float32) []*engine.Tensor {
	w := &engine.Tensor{Name: "inner.L_level.layers.0.self_attn.qkv_proj.weight", Shape: []int{3, 4}, F32: make([]float32, 12), Trainable: true}
	for i := range w.F32 {
		w.F32[i] = fill + float32(i)*0.25
	}
	return []*engine.Tensor{
		w,
		{Name: "inner.H_init", Shape: []int{5}, F32: []float32{float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, math.SmallestNonzeroFloat32}},
		{Name: "carry.steps", Shape: []int{2, 2}, I32: []int32{math.MinInt32, -1, 0, math.MaxInt32}},
		{Name: "optim.step", Shape: []int{}, I32: []int32{42}},
		{Name: "empty", Shape: []int{0, 3}},
	}
}

func sampleMeta(step int) Meta {
	return Meta{
		Step:    step,
		Config:  "[model]\narch = \"hrm\"\nhidden = 64 # \"quoted\" and unicode: ✓\n",
		Backend: "gonum",
		Created: time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC),
		Extra:   map[string]string{"rng": "12345678901234567890", KeyTrainLoss: "0.75", KeyEvalExact: "0.5", "data.pos": ""},
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", Dir, FileName(42))
	in := sampleTensors(1)
	in[1].F32 = append(in[1].F32[:4:4], float32(math.NaN()))
	in[1].Shape = []int{5}
	if err := Save(path, in, sampleMeta(42)); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != path {
		t.Errorf("Path = %q, want %q", c.Path, path)
	}
	if !reflect.DeepEqual(c.Meta, sampleMeta(42)) {
		t.Errorf("Meta = %+v\nwant %+v", c.Meta, sampleMeta(42))
	}
	if len(c.Tensors) != len(in) {
		t.Fatalf("%d tensors loaded, want %d", len(c.Tensors), len(in))
	}
	for i := 1; i < len(c.Tensors); i++ {
		if c.Tensors[i-1].Name >= c.Tensors[i].Name {
			t.Errorf("tensors not sorted by name: %q before %q", c.Tensors[i-1].Name, c.Tensors[i].Name)
		}
	}
	for _, want := range in {
		got, ok := c.Tensor(want.Name)
		if !ok {
			t.Errorf("tensor %q missing", want.Name)
			continue
		}
		if !reflect.DeepEqual(got.Shape, want.Shape) && !(len(got.Shape) == 0 && len(want.Shape) == 0) {
			t.Errorf("%s: shape %v, want %v", want.Name, got.Shape, want.Shape)
		}
		if len(got.F32) != len(want.F32) || len(got.I32) != len(want.I32) || (want.I32 != nil) != (got.I32 != nil) {
			t.Errorf("%s: F32 %d / I32 %d values, want %d / %d", want.Name, len(got.F32), len(got.I32), len(want.F32), len(want.I32))
			continue
		}
		for j := range want.F32 { // bit for bit, so NaN and -0 count
			if math.Float32bits(got.F32[j]) != math.Float32bits(want.F32[j]) {
				t.Errorf("%s[%d] = %v, want %v", want.Name, j, got.F32[j], want.F32[j])
			}
		}
		if !reflect.DeepEqual(got.I32, want.I32) {
			t.Errorf("%s = %v, want %v", want.Name, got.I32, want.I32)
		}
	}
	if _, ok := c.Tensor("nope"); ok {
		t.Error("Tensor(\"nope\") found something")
	}
	if v, ok := c.Meta.Float(KeyTrainLoss); !ok || v != 0.75 {
		t.Errorf("Float(train_loss) = %v, %v", v, ok)
	}
	if _, ok := c.Meta.Float("data.pos"); ok {
		t.Error("Float of an empty value reported ok")
	}
	if _, ok := c.Meta.Float("absent"); ok {
		t.Error("Float of an absent key reported ok")
	}
}

func TestSaveFillsCreated(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName(1))
	before := time.Now().Add(-time.Second)
	if err := Save(path, nil, Meta{Step: 1}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Meta.Created.Before(before.Truncate(time.Second)) || c.Meta.Created.After(time.Now()) {
		t.Errorf("Created = %v, want about now", c.Meta.Created)
	}
	if len(c.Tensors) != 0 || len(c.Meta.Extra) != 0 {
		t.Errorf("got %d tensors, extra %v; want none", len(c.Tensors), c.Meta.Extra)
	}
}

func TestSaveRejectsBadInput(t *testing.T) {
	ok := func() []*engine.Tensor { return sampleTensors(0) }
	cases := []struct {
		name    string
		tensors []*engine.Tensor
		meta    Meta
		want    string
	}{
		{"negative step", ok(), Meta{Step: -1}, "step -1 is negative"},
		{"reserved extra", ok(), Meta{Extra: map[string]string{KeyConfig: "x"}}, `extra key "config" is reserved`},
		{"nil tensor", []*engine.Tensor{nil}, Meta{}, "tensor 0: nil tensor"},
		{"empty name", []*engine.Tensor{{Shape: []int{1}, F32: []float32{1}}}, Meta{}, `tensor name "" is not allowed`},
		{"metadata name", []*engine.Tensor{{Name: "__metadata__", Shape: []int{1}, F32: []float32{1}}}, Meta{}, "not allowed"},
		{"duplicate", append(ok(), ok()[0]), Meta{}, "appears twice"},
		{"both dtypes", []*engine.Tensor{{Name: "x", Shape: []int{1}, F32: []float32{1}, I32: []int32{1}}}, Meta{}, "both F32 and I32"},
		{"short data", []*engine.Tensor{{Name: "x", Shape: []int{2, 3}, F32: make([]float32, 5)}}, Meta{}, `tensor "x": 5 values for shape [2 3] (6 elements)`},
		{"negative dim", []*engine.Tensor{{Name: "x", Shape: []int{-1}}}, Meta{}, "negative dimension"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName(3))
			err := Save(path, tc.tensors, tc.meta)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Save error = %v, want one naming %s and %q", err, path, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("failed Save left %v", entries)
			}
		})
	}
}

// rawFile assembles a safetensors file from a JSON header and data bytes.
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

const goodMeta = `"__metadata__":{"format":"hrmlab-checkpoint","format_version":"1","config":"","step":"7","backend":"gonum","created":"2026-11-28T13:00:00Z"}`

func TestLoadRejectsDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	validPath := filepath.Join(dir, "valid.safetensors")
	if err := Save(validPath, sampleTensors(2), sampleMeta(7)); err != nil {
		t.Fatal(err)
	}
	valid, err := os.ReadFile(validPath)
	if err != nil {
		t.Fatal(err)
	}
	hdrLen := int(binary.LittleEndian.Uint64(valid))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(i*7919 + i*i*31)
	}
	f32x2 := make([]byte, 8)
	cases := []struct {
		name string
		data []byte
		want string
		list bool // List reports it too (Load alone checks dtypes and the layout)
	}{
		{"empty", nil, "0 bytes is too short", true},
		{"five bytes", valid[:5], "5 bytes is too short", true},
		{"cut in header", valid[:8+hdrLen/2], "exceeds the", true},
		{"cut in data", valid[:len(valid)-3], "truncated: the header describes", true},
		{"trailing bytes", append(append([]byte{}, valid...), 1, 2, 3), "3 unexpected bytes", true},
		{"random bytes", random, "implausible", true},
		{"text file", []byte("[model]\narch = \"hrm\"\nhidden = 512\n"), "implausible", true},
		{"header not JSON", rawFile("{{{{{{{{", nil), "header is not safetensors JSON", true},
		{"tensor entry not an object", rawFile(`{"x":5}`, nil), "header is not safetensors JSON", true},
		{"foreign safetensors", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, f32x2), `not an hrmlab checkpoint: __metadata__ has no "format" key`, true},
		{"other format", rawFile(`{"__metadata__":{"format":"pt"}}`, nil), `__metadata__ "format" is "pt"`, true},
		{"future version", rawFile(`{"__metadata__":{"format":"hrmlab-checkpoint","format_version":"2"}}`, nil), `"format_version" is "2"`, true},
		{"missing step", rawFile(`{"__metadata__":{"format":"hrmlab-checkpoint","format_version":"1","config":"","backend":"","created":""}}`, nil), `no "step" key`, true},
		{"bad step", rawFile(strings.Replace(`{`+goodMeta+`}`, `"step":"7"`, `"step":"-3"`, 1), nil), `"step" is "-3"`, true},
		{"bad created", rawFile(strings.Replace(`{`+goodMeta+`}`, `"2026-11-28T13:00:00Z"`, `"yesterday"`, 1), nil), `"created" is "yesterday"`, true},
		{"metadata not string", rawFile(`{"__metadata__":{"step":7}}`, nil), "expected string type", true},
		{"offsets past the end", rawFile(`{`+goodMeta+`,"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8000]}}`, f32x2), `tensor "w": F32 shape [2] does not fit data_offsets [0 8000]`, true},
		{"shape lies", rawFile(`{`+goodMeta+`,"w":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}`, f32x2), `tensor "w": F32 shape [4] does not fit`, true},
		{"offsets reversed", rawFile(`{`+goodMeta+`,"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`, f32x2), "end before they start", true},
		{"shape overflow", rawFile(`{`+goodMeta+`,"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, f32x2), "does not fit", true},
		{"overlapping tensors", rawFile(`{`+goodMeta+`,"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, f32x2), "invalid safetensors layout", false},
		{"gap", rawFile(`{`+goodMeta+`,"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f32x2), "invalid safetensors layout", false},
		{"unknown dtype", rawFile(`{`+goodMeta+`,"a":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}}`, []byte{0}), "header is not safetensors JSON", true},
		{"foreign dtype", rawFile(`{`+goodMeta+`,"a":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}`, f32x2), `tensor "a" has dtype F16; hrmlab checkpoints hold F32 and I32 only`, false},
		{"huge dimension", rawFile(`{`+goodMeta+`,"a":{"dtype":"F32","shape":[0,18446744073709551615],"data_offsets":[0,0]}}`, nil), "is too large", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName(7))
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Load error = %v\nwant one naming %s and %q", err, path, tc.want)
			}
			infos, err := List(filepath.Dir(path))
			if err != nil || len(infos) != 1 {
				t.Fatalf("List = %v, %v", infos, err)
			}
			if got := infos[0].Err; tc.list != (got != nil) || (got != nil && !strings.Contains(got.Error(), path)) {
				t.Errorf("List error = %v, want error naming the file: %v", got, tc.list)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.safetensors")
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load error = %v, want a not-exist error naming %s", err, path)
	}
}

// FuzzLoad feeds arbitrary bytes to the checkpoint, header-only and reference
// decoders: they must return an error or a consistent result, never panic.
// The seeds (a valid checkpoint, its truncations, a foreign file) run as
// ordinary tests.
func FuzzLoad(f *testing.F) {
	var valid bytes.Buffer
	views, err := viewsOf(sampleTensors(3))
	if err != nil {
		f.Fatal(err)
	}
	md, err := sampleMeta(9).toMap(time.Now())
	if err != nil {
		f.Fatal(err)
	}
	if err := safetensors.SerializeToWriter(views, md, &valid); err != nil {
		f.Fatal(err)
	}
	f.Add(valid.Bytes())
	f.Add(valid.Bytes()[:valid.Len()/2])
	f.Add(valid.Bytes()[:12])
	f.Add(rawFile(`{"w":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}`, []byte{1, 2, 3, 4}))
	f.Add(rawFile(`{`+goodMeta+`,"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}`, []byte{1, 2, 3, 4}))
	f.Add([]byte("not a checkpoint at all"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := decodeCheckpoint(data)
		if err == nil {
			for _, tn := range c.Tensors {
				if n := len(tn.F32) + len(tn.I32); n != tn.Len() {
					t.Errorf("tensor %q: %d values for shape %v", tn.Name, n, tn.Shape)
				}
			}
		}
		meta, herr := readMeta(bytes.NewReader(data), int64(len(data)))
		if err == nil && (herr != nil || !reflect.DeepEqual(meta, c.Meta)) {
			t.Errorf("Load accepts what the header reader does not: %v", herr)
		}
		if sd, err := decodeReference(bytes.NewReader(data), int64(len(data))); err == nil {
			for _, tn := range sd.Tensors {
				if n := len(tn.F32) + len(tn.I32); n != tn.Len() {
					t.Errorf("reference tensor %q: %d values for shape %v", tn.Name, n, tn.Shape)
				}
			}
		}
	})
}
