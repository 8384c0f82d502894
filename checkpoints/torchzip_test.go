package checkpoints

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const torchSmall = "testdata/torch_small.pt"

// TestImportTorchZip reads a state dict written by torch.save (torch 1.13,
// tools/torchref/reference_checkpoints.py) and compares every tensor with
// the values torch printed.
func TestImportTorchZip(t *testing.T) {
	sd, err := ImportReference(torchSmall)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/torch_small.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]struct {
		Shape  []int
		DType  string
		Values []any
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	dtypes := map[string]string{"float32": "F32", "bfloat16": "BF16", "float16": "F16", "int32": "I32"}
	if sd.Format != "torch.save zip" || len(sd.Tensors) != len(want) {
		t.Fatalf("format %q, %d tensors, want torch.save zip and %d", sd.Format, len(sd.Tensors), len(want))
	}
	for _, tn := range sd.Tensors {
		w, ok := want[tn.Name]
		if !ok {
			t.Errorf("unexpected tensor %q", tn.Name)
			continue
		}
		if !slices.Equal(tn.Shape, w.Shape) || sd.DTypes[tn.Name] != dtypes[w.DType] {
			t.Errorf("%s: shape %v dtype %s, want %v %s", tn.Name, tn.Shape, sd.DTypes[tn.Name], w.Shape, w.DType)
		}
		for i, v := range w.Values {
			var wv float64
			switch v := v.(type) {
			case float64:
				wv = v
			case string: // "inf", "-inf"
				wv = math.Inf(map[bool]int{true: -1, false: 1}[strings.HasPrefix(v, "-")])
			}
			var got float64
			if tn.I32 != nil {
				got = float64(tn.I32[i])
			} else {
				got = float64(tn.F32[i])
			}
			if got != wv {
				t.Errorf("%s[%d] = %v, want %v", tn.Name, i, got, wv)
			}
		}
	}
}

// rezip rewrites a zip archive, letting edit replace (or drop, with nil) any
// entry's content and choose its method, and adds entries given as name,
// content pairs.
func rezip(t testing.TB, data []byte, edit func(name string, body []byte) ([]byte, uint16), add ...string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		if _, err := body.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		b, method := edit(f.Name, body.Bytes())
		if b == nil {
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	for i := 0; i+1 < len(add); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: add[i], Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(add[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withPickle replaces data.pkl of the small fixture.
func withPickle(t testing.TB, small, pkl []byte) []byte {
	return rezip(t, small, func(name string, body []byte) ([]byte, uint16) {
		if strings.HasSuffix(name, "/data.pkl") {
			return pkl, zip.Store
		}
		return body, zip.Store
	})
}

func TestImportTorchZipErrors(t *testing.T) {
	small, err := os.ReadFile(torchSmall)
	if err != nil {
		t.Fatal(err)
	}
	pkl := func(s string) []byte { return []byte("\x80\x02" + s) }
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"code", withPickle(t, small, pkl("cos\nsystem\nX\x02\x00\x00\x00lsR.")),
			"global os.system is not allowed in a state dict"},
		{"builtins eval", withPickle(t, small, pkl("cbuiltins\neval\n.")), "global builtins.eval is not allowed"},
		{"lying string length", withPickle(t, small, pkl("X\xff\xff\xff\xff.")), "declares 4294967295 bytes"},
		{"lying bytes8 length", withPickle(t, small, pkl("\x8e\xff\xff\xff\xff\xff\xff\xff\x7f.")), "declares 9223372036854775807 bytes"},
		{"lying frame", withPickle(t, small, []byte("\x80\x04\x95\xff\xff\xff\xff\x00\x00\x00\x00N.")), "frame at byte 2 declares"},
		{"empty long", withPickle(t, small, pkl("\x8a\x00.")), "malformed pickle"},
		{"not a dict", withPickle(t, small, pkl("K\x07.")), "holds a int, not a state dict"},
		{"not a tensor", withPickle(t, small, pkl("}X\x01\x00\x00\x00aK\x01s.")), `state dict entry "a" is a int, not a tensor`},
		{"storage bigger than its entry", withPickle(t, small, pkl(
			"}X\x01\x00\x00\x00actorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuJ\x00\x00\x00\x10tQK\x00K\x01\x85K\x01\x85\x89NtRs.")),
			"the pickle says 268435456 F32 elements, more than the"},
		{"storage unlike its entry", withPickle(t, small, pkl(
			"}X\x01\x00\x00\x00actorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x07tQK\x00K\x01\x85K\x01\x85\x89NtRs.")),
			"torch_small/data/0: 24 bytes, but the pickle says 7 F32 elements (28 bytes)"},
		{"view past its storage", withPickle(t, small, pkl(
			"}X\x01\x00\x00\x00actorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x06tQK\x00K\x07\x85K\x01\x85\x89NtRs.")),
			`tensor "a": shape [7] has more elements than its storage "0" (6)`},
		{"expanded view", withPickle(t, small, pkl(
			"}X\x01\x00\x00\x00actorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x06tQK\x00J\x00\x00\x00\x01\x85K\x00\x85\x89NtRs.")),
			"more elements than its storage"},
		{"double storage", withPickle(t, small, pkl("ctorch\nDoubleStorage\n.")), "global torch.DoubleStorage is not allowed"},
		{"compressed storage", rezip(t, small, func(name string, body []byte) ([]byte, uint16) {
			if strings.HasSuffix(name, "/data/1") {
				return body, zip.Deflate
			}
			return body, zip.Store
		}), "compressed (method 8)"},
		{"missing storage", rezip(t, small, func(name string, body []byte) ([]byte, uint16) {
			if strings.HasSuffix(name, "/data/1") {
				return nil, 0
			}
			return body, zip.Store
		}), `storage "1": no entry torch_small/data/1`},
		{"big endian", rezip(t, small, func(name string, body []byte) ([]byte, uint16) { return body, zip.Store }, "torch_small/byteorder", "big"),
			`torch_small/byteorder is "big": only little-endian archives are read`},
		{"no pickle", rezip(t, small, func(name string, body []byte) ([]byte, uint16) {
			if strings.HasSuffix(name, "/data.pkl") {
				return nil, 0
			}
			return body, zip.Store
		}), "without <name>/data.pkl"},
		{"truncated", small[:len(small)/2], "not a readable zip archive"},
		{"legacy torch.save", []byte("\x80\x02\x8a\x0alZ\xfc\x9cF\xf9 j\xa8P\x19."), "a legacy torch.save file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "checkpoint")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ImportReference(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want one naming %s and %q", err, path, tc.want)
			}
		})
	}
}

// FuzzImportReference feeds damaged archives and pickles to the reader: it
// must return an error or consistent tensors, never panic or allocate what a
// header claims.
func FuzzImportReference(f *testing.F) {
	small, err := os.ReadFile(torchSmall)
	if err != nil {
		f.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(small), int64(len(small)))
	if err != nil {
		f.Fatal(err)
	}
	rc, err := zr.Open("torch_small/data.pkl")
	if err != nil {
		f.Fatal(err)
	}
	var pkl bytes.Buffer
	pkl.ReadFrom(rc)
	f.Add(small, false)
	f.Add(small[:len(small)-30], false)
	f.Add(pkl.Bytes(), true)
	f.Add(pkl.Bytes()[:pkl.Len()/2], true)
	f.Add([]byte("\x80\x02cos\nsystem\n."), true)
	f.Fuzz(func(t *testing.T, data []byte, asPickle bool) {
		if asPickle {
			data = withPickle(t, small, data)
		}
		sd, err := decodeReference(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, tn := range sd.Tensors {
			if n := len(tn.F32) + len(tn.I32); n != tn.Len() {
				t.Errorf("tensor %q: %d values for shape %v", tn.Name, n, tn.Shape)
			}
		}
	})
}
