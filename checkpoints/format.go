package checkpoints

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/nlpodyssey/safetensors"

	"hrmlab/engine"
)

// maxHeaderLen caps the JSON header, as the safetensors library does, so a
// lying length field cannot make us allocate gigabytes.
const maxHeaderLen = 100_000_000

// tensorView adapts an engine.Tensor to safetensors.View. Data encodes
// lazily, so serializing holds at most one tensor's bytes at a time.
type tensorView struct{ t *engine.Tensor }

func (v tensorView) DType() safetensors.DType {
	if v.t.I32 != nil {
		return safetensors.I32
	}
	return safetensors.F32
}

func (v tensorView) Shape() []uint64 {
	shape := make([]uint64, len(v.t.Shape))
	for i, d := range v.t.Shape {
		shape[i] = uint64(d)
	}
	return shape
}

func (v tensorView) DataLen() uint64 { return 4 * uint64(v.t.Len()) }

func (v tensorView) Data() []byte {
	if v.t.I32 != nil {
		return littleEndian32(v.t.I32, func(x int32) uint32 { return uint32(x) })
	}
	return littleEndian32(v.t.F32, math.Float32bits)
}

func littleEndian32[T any](xs []T, bits func(T) uint32) []byte {
	b := make([]byte, 4*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint32(b[4*i:], bits(x))
	}
	return b
}

// checkTensor rejects tensors that would write a file we could not read back.
func checkTensor(t *engine.Tensor) error {
	if t == nil {
		return fmt.Errorf("nil tensor")
	}
	if t.Name == "" || t.Name == "__metadata__" {
		return fmt.Errorf("tensor name %q is not allowed", t.Name)
	}
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor %q: negative dimension in shape %v", t.Name, t.Shape)
		}
	}
	if t.F32 != nil && t.I32 != nil {
		return fmt.Errorf("tensor %q: both F32 and I32 data are set", t.Name)
	}
	n := len(t.F32)
	if t.I32 != nil {
		n = len(t.I32)
	}
	if n != t.Len() {
		return fmt.Errorf("tensor %q: %d values for shape %v (%d elements)", t.Name, n, t.Shape, t.Len())
	}
	return nil
}

// viewsOf checks tensors and maps them by name for the encoder.
func viewsOf(tensors []*engine.Tensor) (map[string]tensorView, error) {
	views := make(map[string]tensorView, len(tensors))
	for i, t := range tensors {
		if err := checkTensor(t); err != nil {
			return nil, fmt.Errorf("tensor %d: %w", i, err)
		}
		if _, dup := views[t.Name]; dup {
			return nil, fmt.Errorf("tensor %q appears twice", t.Name)
		}
		views[t.Name] = tensorView{t}
	}
	return views, nil
}

// headerLen reads the 8-byte little-endian header length from prefix and
// checks it against the size of the whole file.
func headerLen(prefix []byte, size int64) (uint64, error) {
	if size < 8 {
		return 0, fmt.Errorf("%d bytes is too short for a safetensors file (empty or truncated)", size)
	}
	n := binary.LittleEndian.Uint64(prefix)
	switch {
	case n > maxHeaderLen:
		return 0, fmt.Errorf("header length %d is implausible (not a safetensors file)", n)
	case n > uint64(size)-8:
		return 0, fmt.Errorf("header length %d exceeds the %d bytes that follow it (truncated or not a safetensors file)", n, size-8)
	}
	return n, nil
}

// parseHeader decodes the JSON header and checks every tensor's byte span
// against its dtype and shape, and the span of all tensors against dataLen,
// the bytes after the header. Overlaps and gaps are left to the library.
func parseHeader(header []byte, dataLen uint64) (safetensors.Metadata, error) {
	var md safetensors.Metadata
	if err := json.Unmarshal(header, &md); err != nil {
		return md, fmt.Errorf("header is not safetensors JSON: %v", err)
	}
	var end uint64
	for name, info := range md.Tensors() {
		off := info.DataOffsets
		if off[1] < off[0] {
			return md, fmt.Errorf("tensor %q: data_offsets %v end before they start", name, off)
		}
		need, ok := byteSize(info.DType, info.Shape)
		if !ok || need != off[1]-off[0] {
			return md, fmt.Errorf("tensor %q: %s shape %v does not fit data_offsets %v", name, info.DType, info.Shape, off)
		}
		end = max(end, off[1])
	}
	switch {
	case end > dataLen:
		return md, fmt.Errorf("truncated: the header describes %d bytes of tensor data, the file holds %d", end, dataLen)
	case end < dataLen:
		return md, fmt.Errorf("%d unexpected bytes after the tensor data", dataLen-end)
	}
	return md, nil
}

// byteSize is the number of bytes of a tensor; ok is false on overflow.
func byteSize(dt safetensors.DType, shape []uint64) (n uint64, ok bool) {
	n = dt.Size()
	for _, d := range shape {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// decodeFile validates a whole safetensors file held in buf and returns its
// __metadata__ map and tensor views sorted by name.
func decodeFile(buf []byte) (map[string]string, []safetensors.NamedTensorView, error) {
	n, err := headerLen(buf, int64(len(buf)))
	if err != nil {
		return nil, nil, err
	}
	md, err := parseHeader(buf[8:8+n], uint64(len(buf))-8-n)
	if err != nil {
		return nil, nil, err
	}
	// Deserialize parses the header again; it adds the checks for
	// overlapping or non-contiguous tensors and gives us the views.
	st, err := safetensors.Deserialize(buf)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid safetensors layout: %v", err)
	}
	views := st.Tensors()
	slices.SortFunc(views, func(a, b safetensors.NamedTensorView) int { return cmp.Compare(a.Name, b.Name) })
	return md.Metadata(), views, nil
}

// toTensor copies a tensor view into an engine.Tensor: F32 and I32 as they
// are, F16 and BF16 widened to float32.
func toTensor(v safetensors.NamedTensorView) (*engine.Tensor, error) {
	tv := v.TensorView
	t := &engine.Tensor{Name: v.Name, Shape: make([]int, len(tv.Shape()))}
	for i, d := range tv.Shape() {
		if d > math.MaxInt {
			return nil, fmt.Errorf("tensor %q: dimension %d of shape %v is too large", v.Name, d, tv.Shape())
		}
		t.Shape[i] = int(d)
	}
	var err error
	if t.F32, t.I32, err = decodeLE(tv.DType().String(), tv.Data()); err != nil {
		return nil, fmt.Errorf("tensor %q: %w", v.Name, err)
	}
	return t, nil
}

// decodeLE decodes little-endian tensor data of a dtype: F32 and I32 as they
// are, F16 and BF16 widened to float32.
func decodeLE(dtype string, data []byte) ([]float32, []int32, error) {
	switch dtype {
	case "F32":
		return fromLittleEndian(data, 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }), nil, nil
	case "I32":
		return nil, fromLittleEndian(data, 4, func(b []byte) int32 { return int32(binary.LittleEndian.Uint32(b)) }), nil
	case "F16":
		return fromLittleEndian(data, 2, func(b []byte) float32 { return halfToFloat32(binary.LittleEndian.Uint16(b)) }), nil, nil
	case "BF16":
		return fromLittleEndian(data, 2, func(b []byte) float32 {
			return math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16)
		}), nil, nil
	}
	return nil, nil, fmt.Errorf("dtype %s is not supported (F32, I32, F16 and BF16 are)", dtype)
}

func fromLittleEndian[T any](data []byte, size int, decode func([]byte) T) []T {
	out := make([]T, len(data)/size)
	for i := range out {
		out[i] = decode(data[size*i:])
	}
	return out
}

// halfToFloat32 converts an IEEE 754 binary16 value to float32 exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN: keep the payload
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0: // normal: rebias the exponent from 15 to 127
		return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
	}
	// Zero or subnormal: frac * 2^-24, exact in float32.
	v := float32(frac) * (1.0 / (1 << 24))
	return math.Float32frombits(sign | math.Float32bits(v))
}
