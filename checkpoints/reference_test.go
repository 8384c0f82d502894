package checkpoints

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nlpodyssey/safetensors"
)

// writeStateDict writes a safetensors file as a PyTorch state dict would be
// saved, from raw little-endian bytes per tensor.
func writeStateDict(t *testing.T, tensors map[string]safetensors.TensorView, meta map[string]string) string {
	t.Helper()
	buf, err := safetensors.Serialize(tensors, meta)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "reference.safetensors")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func view(t *testing.T, dt safetensors.DType, shape []uint64, words ...uint64) safetensors.TensorView {
	t.Helper()
	var data []byte
	for _, w := range words {
		switch dt.Size() {
		case 2:
			data = binary.LittleEndian.AppendUint16(data, uint16(w))
		case 4:
			data = binary.LittleEndian.AppendUint32(data, uint32(w))
		default:
			data = binary.LittleEndian.AppendUint64(data, w)
		}
	}
	v, err := safetensors.NewTensorView(dt, shape, data)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestImportReference(t *testing.T) {
	path := writeStateDict(t, map[string]safetensors.TensorView{
		// BF16: 1, -3, 0.5, -Inf.
		"_orig_mod.model.inner.H_init": view(t, safetensors.BF16, []uint64{4}, 0x3F80, 0xC040, 0x3F00, 0xFF80),
		// F16: 1, -2, 65504, 2^-24, -0, +Inf, 2^-14, 1023*2^-24.
		"model.inner.lm_head.weight": view(t, safetensors.F16, []uint64{2, 4}, 0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x7C00, 0x0400, 0x03FF),
		"inner.q_head.bias":          view(t, safetensors.F32, []uint64{2}, uint64(math.Float32bits(-5)), uint64(math.Float32bits(0.125))),
		"_orig_mod.model.inner.ids":  view(t, safetensors.I32, []uint64{1}, uint64(uint32(0xFFFFFFFF))),
		"model.":                     view(t, safetensors.F32, []uint64{1}, uint64(math.Float32bits(7))),
	}, map[string]string{"format": "pt"})
	sd, err := ImportReference(path)
	if err != nil {
		t.Fatal(err)
	}
	tensors := sd.Tensors
	if sd.Format != "safetensors" || sd.DTypes["inner.H_init"] != "BF16" || sd.DTypes["inner.lm_head.weight"] != "F16" || sd.DTypes["inner.ids"] != "I32" {
		t.Errorf("format %q, dtypes %v", sd.Format, sd.DTypes)
	}
	var names []string
	for _, tn := range tensors {
		names = append(names, tn.Name)
	}
	if want := []string{"inner.H_init", "inner.ids", "inner.lm_head.weight", "inner.q_head.bias", "model."}; !reflect.DeepEqual(names, want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	want := map[string][]float32{
		"inner.H_init":         {1, -3, 0.5, float32(math.Inf(-1))},
		"inner.lm_head.weight": {1, -2, 65504, 1.0 / (1 << 24), float32(math.Copysign(0, -1)), float32(math.Inf(1)), 1.0 / (1 << 14), 1023.0 / (1 << 24)},
		"inner.q_head.bias":    {-5, 0.125},
		"model.":               {7},
	}
	for _, tn := range tensors {
		if tn.Name == "inner.ids" {
			if !reflect.DeepEqual(tn.I32, []int32{-1}) || !reflect.DeepEqual(tn.Shape, []int{1}) || tn.F32 != nil {
				t.Errorf("inner.ids = %+v", tn)
			}
			continue
		}
		if len(tn.F32) != len(want[tn.Name]) {
			t.Errorf("%s = %v, want %v", tn.Name, tn.F32, want[tn.Name])
			continue
		}
		for i, v := range tn.F32 {
			if math.Float32bits(v) != math.Float32bits(want[tn.Name][i]) {
				t.Errorf("%s[%d] = %v, want %v", tn.Name, i, v, want[tn.Name][i])
			}
		}
	}
	if lm := tensors[2]; !reflect.DeepEqual(lm.Shape, []int{2, 4}) {
		t.Errorf("lm_head shape %v", lm.Shape)
	}
	// A reference file is not a checkpoint: Load says so and points here.
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "ImportReference") {
		t.Errorf("Load of a reference state dict: %v", err)
	}
}

func TestImportReferenceErrors(t *testing.T) {
	f32 := func() safetensors.TensorView { return view(t, safetensors.F32, []uint64{1}, 0) }
	cases := []struct {
		name    string
		tensors map[string]safetensors.TensorView
		want    string
	}{
		{"prefix collision", map[string]safetensors.TensorView{"model.inner.x": f32(), "_orig_mod.model.inner.x": f32()},
			`tensors "_orig_mod.model.inner.x" and "model.inner.x" both map to "inner.x"`},
		{"unsupported dtype", map[string]safetensors.TensorView{"model.w": view(t, safetensors.F64, []uint64{1}, 0)},
			`tensor "model.w": dtype F64 is not supported`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeStateDict(t, tc.tensors, nil)
			if _, err := ImportReference(path); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("ImportReference error = %v, want one naming %s and %q", err, path, tc.want)
			}
		})
	}
	path := filepath.Join(t.TempDir(), "cut.safetensors")
	if err := os.WriteFile(path, []byte{1, 2, 3}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportReference(path); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Errorf("ImportReference of 3 bytes: %v", err)
	}
	if _, err := ImportReference(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("ImportReference of a missing file succeeded")
	}
}

// TestHalfToFloat32 checks every binary16 value against its definition:
// (-1)^s * 2^(e-15) * (1 + f/1024), or 2^-14 * f/1024 when e is 0.
func TestHalfToFloat32(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		s, e, f := h>>15, (h>>10)&0x1f, h&0x3ff
		got := halfToFloat32(uint16(h))
		var want float64
		switch {
		case e == 0x1f && f == 0:
			want = math.Inf(1)
		case e == 0x1f:
			if !math.IsNaN(float64(got)) {
				t.Errorf("half %#04x = %v, want NaN", h, got)
			}
			continue
		case e == 0:
			want = math.Ldexp(float64(f)/1024, -14)
		default:
			want = math.Ldexp(1+float64(f)/1024, e-15)
		}
		if s == 1 {
			want = -want
		}
		if math.Float32bits(got) != math.Float32bits(float32(want)) {
			t.Errorf("half %#04x = %v, want %v", h, got, want)
		}
	}
}
