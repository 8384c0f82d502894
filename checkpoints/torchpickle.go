package checkpoints

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"

	"github.com/nlpodyssey/gopickle/types"
)

// checkPickleLengths walks the opcodes of a pickle and checks that every
// length an opcode declares (strings, bytes, long integers, frames) fits in
// the bytes that follow it. gopickle allocates such lengths before reading
// them, so a lying length would otherwise allocate whatever it claims. The
// walk stops at STOP; an opcode it does not know is left for the unpickler
// to refuse.
func checkPickleLengths(p []byte) error {
	i := 0
	need := func(n uint64) error {
		if n > uint64(len(p)-i) {
			return fmt.Errorf("pickle: opcode %#02x at byte %d declares %d bytes, %d remain", p[i-1], i-1, n, len(p)-i)
		}
		i += int(n)
		return nil
	}
	// length reads a little-endian length of size bytes, then skips that many.
	length := func(size int) error {
		if err := need(uint64(size)); err != nil {
			return err
		}
		var n uint64
		for k := size - 1; k >= 0; k-- {
			n = n<<8 | uint64(p[i-size+k])
		}
		return need(n)
	}
	for i < len(p) {
		op := p[i]
		i++
		var err error
		switch op {
		case '.': // STOP
			return nil
		case 'K', 'h', 'q', 0x80, 0x82: // BININT1 BINGET BINPUT PROTO EXT1
			err = need(1)
		case 'M', 0x83: // BININT2 EXT2
			err = need(2)
		case 'J', 'j', 'r', 0x84: // BININT LONG_BINGET LONG_BINPUT EXT4
			err = need(4)
		case 'G': // BINFLOAT
			err = need(8)
		case 0x95: // FRAME: the frame's opcodes follow and are walked too
			if err = need(8); err == nil && binary.LittleEndian.Uint64(p[i-8:]) > uint64(len(p)-i) {
				err = fmt.Errorf("pickle: frame at byte %d declares %d bytes, %d remain", i-9, binary.LittleEndian.Uint64(p[i-8:]), len(p)-i)
			}
		case 'U', 'C', 0x8c, 0x8a: // SHORT_BINSTRING SHORT_BINBYTES SHORT_BINUNICODE LONG1
			err = length(1)
		case 'T', 'B', 'X', 0x8b: // BINSTRING BINBYTES BINUNICODE LONG4
			err = length(4)
		case 0x8d, 0x8e, 0x96: // BINUNICODE8 BINBYTES8 BYTEARRAY8
			err = length(8)
		case 'I', 'L', 'F', 'S', 'V', 'P', 'g', 'p': // text arguments up to a newline
			i = skipLine(p, i)
		case 'c', 'i': // GLOBAL INST: two lines
			i = skipLine(p, skipLine(p, i))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// skipLine returns the index after the next newline at or after i (len(p)
// when there is none).
func skipLine(p []byte, i int) int {
	for i < len(p) && p[i] != '\n' {
		i++
	}
	return min(i+1, len(p))
}

// torchGlobal is what the restricted unpickler hands back for the globals a
// state dict needs: a tensor rebuild function or a storage type.
type torchGlobal string

// storageDTypes maps the storage types torch.save writes to the dtypes we
// read.
var storageDTypes = map[string]string{
	"FloatStorage":    "F32",
	"HalfStorage":     "F16",
	"BFloat16Storage": "BF16",
	"IntStorage":      "I32",
}

// findTorchGlobal is the unpickler's FindClass: it allows the tensor rebuild
// functions and the storage types, and refuses every other global by name,
// so loading a state dict never runs or imitates anything else.
func findTorchGlobal(module, name string) (any, error) {
	switch module + "." + name {
	case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter":
		return torchGlobal(name), nil
	}
	if _, ok := storageDTypes[name]; ok && module == "torch" {
		return torchGlobal(name), nil
	}
	return nil, fmt.Errorf("pickle: global %s.%s is not allowed in a state dict (only torch tensor rebuilds and storage types are)", module, name)
}

// storageRef is a persistent id: one storage of the archive.
type storageRef struct {
	dtype string // F32, F16, BF16 or I32
	key   string // the entry <name>/data/<key>
	numel int
}

// pickledTensor is a tensor as the pickle describes it: a strided view of a
// storage.
type pickledTensor struct {
	storage      *storageRef
	offset       int
	size, stride []int
}

// Call rebuilds a tensor (_rebuild_tensor_v2: storage, offset, size, stride,
// requires_grad, hooks[, metadata]) or unwraps a parameter
// (_rebuild_parameter: tensor, requires_grad, hooks). A storage type is not
// callable.
func (g torchGlobal) Call(args ...any) (any, error) {
	switch g {
	case "_rebuild_parameter":
		if len(args) < 1 {
			return nil, fmt.Errorf("pickle: _rebuild_parameter with no arguments")
		}
		if t, ok := args[0].(*pickledTensor); ok {
			return t, nil
		}
		return nil, fmt.Errorf("pickle: _rebuild_parameter of a %T, not a tensor", args[0])
	case "_rebuild_tensor_v2":
		if len(args) < 4 {
			return nil, fmt.Errorf("pickle: _rebuild_tensor_v2 with %d arguments, want at least 4", len(args))
		}
		st, ok := args[0].(*storageRef)
		if !ok {
			return nil, fmt.Errorf("pickle: _rebuild_tensor_v2 of a %T, not a storage", args[0])
		}
		offset, err := pickleInt(args[1], "storage offset")
		if err != nil {
			return nil, err
		}
		size, err := pickleInts(args[2], "size")
		if err != nil {
			return nil, err
		}
		stride, err := pickleInts(args[3], "stride")
		if err != nil {
			return nil, err
		}
		return &pickledTensor{storage: st, offset: offset, size: size, stride: stride}, nil
	}
	return nil, fmt.Errorf("pickle: %s is a storage type, not a function", string(g))
}

// persistentStorage is the unpickler's PersistentLoad: a storage reference
// ('storage', storage type, key, location, numel).
func persistentStorage(pid any) (any, error) {
	t, ok := pid.(*types.Tuple)
	if !ok || t.Len() != 5 || t.Get(0) != "storage" {
		return nil, fmt.Errorf("pickle: persistent id %v is not a storage reference", pid)
	}
	typ, ok := t.Get(1).(torchGlobal)
	dtype := storageDTypes[string(typ)]
	if !ok || dtype == "" {
		return nil, fmt.Errorf("pickle: storage reference with type %v", t.Get(1))
	}
	key, ok := t.Get(2).(string)
	if !ok {
		return nil, fmt.Errorf("pickle: storage key %v is not a string", t.Get(2))
	}
	numel, err := pickleInt(t.Get(4), "storage size")
	if err != nil {
		return nil, err
	}
	return &storageRef{dtype: dtype, key: key, numel: numel}, nil
}

func pickleInt(v any, what string) (int, error) {
	switch n := v.(type) {
	case int:
		if n >= 0 {
			return n, nil
		}
	case *big.Int:
		if n.IsInt64() && n.Int64() >= 0 && n.Int64() <= math.MaxInt {
			return int(n.Int64()), nil
		}
	}
	return 0, fmt.Errorf("pickle: %s %v is not a non-negative integer", what, v)
}

func pickleInts(v any, what string) ([]int, error) {
	t, ok := v.(*types.Tuple)
	if !ok {
		return nil, fmt.Errorf("pickle: %s %v is not a tuple", what, v)
	}
	out := make([]int, t.Len())
	for i := range out {
		n, err := pickleInt(t.Get(i), what)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}
