package checkpoints

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/bits"
	"path"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"

	"hrmlab/engine"
)

// maxPickleLen caps data.pkl: the pickle of a state dict holds names and
// shapes only (a few hundred bytes a tensor), never the tensor data.
const maxPickleLen = 64 << 20

// isZip reports whether a file starts like a zip archive, as torch.save
// writes them since PyTorch 1.6.
func isZip(prefix []byte) bool {
	return bytes.HasPrefix(prefix, []byte("PK\x03\x04")) || bytes.HasPrefix(prefix, []byte("PK\x05\x06"))
}

// decodeTorchZip reads a state dict written by torch.save (the zip format):
// <name>/data.pkl, a pickled dict of tensor names to tensors whose storages
// are the entries <name>/data/<key>. The pickle is read by a restricted
// unpickler (findTorchGlobal) and every size it states is checked against the
// archive before anything is allocated for it.
func decodeTorchZip(r io.ReaderAt, size int64) (tensors []namedTensor, err error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a readable zip archive: %v", err)
	}
	entries := map[string]*zip.File{}
	var pkl string
	for _, f := range zr.File {
		entries[f.Name] = f
		_, base := path.Split(f.Name)
		switch {
		case base == "constants.pkl":
			return nil, fmt.Errorf("a TorchScript archive (%s), not a torch.save state dict", f.Name)
		case base == "data.pkl" && strings.Count(f.Name, "/") == 1:
			if pkl != "" {
				return nil, fmt.Errorf("two pickles, %s and %s", pkl, f.Name)
			}
			pkl = f.Name
		}
	}
	if pkl == "" {
		return nil, fmt.Errorf("a zip archive without <name>/data.pkl: not a torch.save file")
	}
	prefix := strings.TrimSuffix(pkl, "data.pkl")
	if f, ok := entries[prefix+"byteorder"]; ok {
		order, err := readEntry(f, 16)
		if err != nil {
			return nil, err
		}
		if string(order) != "little" {
			return nil, fmt.Errorf("%s is %q: only little-endian archives are read", f.Name, order)
		}
	}
	p, err := readEntry(entries[pkl], maxPickleLen)
	if err != nil {
		return nil, err
	}
	dict, err := unpickle(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkl, err)
	}
	storages := map[string]*decodedStorage{}
	for name, pt := range dict {
		st, ok := storages[pt.storage.key]
		if !ok {
			st, err = readStorage(entries[prefix+"data/"+pt.storage.key], pt.storage, prefix, size)
			if err != nil {
				return nil, err
			}
			storages[pt.storage.key] = st
		}
		t, err := st.view(name, pt)
		if err != nil {
			return nil, err
		}
		tensors = append(tensors, namedTensor{t: t, dtype: pt.storage.dtype})
	}
	return tensors, nil
}

// readEntry reads a whole zip entry of at most limit bytes.
func readEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %v", f.Name, err)
	case int64(len(b)) > limit:
		return nil, fmt.Errorf("%s: larger than %d bytes", f.Name, limit)
	}
	return b, nil
}

// unpickle runs the restricted unpickler over a state dict's pickle and
// returns its tensors by name. Lengths are checked first (gopickle allocates
// what a header says); a panic inside the library on a malformed pickle is
// turned into an error.
func unpickle(p []byte) (dict map[string]*pickledTensor, err error) {
	if err := checkPickleLengths(p); err != nil {
		return nil, err
	}
	u := pickle.NewUnpickler(bytes.NewReader(p))
	u.FindClass = findTorchGlobal
	u.PersistentLoad = persistentStorage
	var v any
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("malformed pickle (%v)", r)
			}
		}()
		v, err = u.Load()
	}()
	if err != nil {
		return nil, err
	}
	dict = map[string]*pickledTensor{}
	add := func(k, v any) error {
		name, ok := k.(string)
		if !ok {
			return fmt.Errorf("state dict key %v is not a string", k)
		}
		t, ok := v.(*pickledTensor)
		if !ok {
			return fmt.Errorf("state dict entry %q is a %T, not a tensor", name, v)
		}
		dict[name] = t
		return nil
	}
	switch d := v.(type) {
	case *types.OrderedDict:
		for e := d.List.Front(); e != nil; e = e.Next() {
			entry := e.Value.(*types.OrderedDictEntry)
			if err := add(entry.Key, entry.Value); err != nil {
				return nil, err
			}
		}
	case *types.Dict:
		for _, entry := range *d {
			if err := add(entry.Key, entry.Value); err != nil {
				return nil, err
			}
		}
	default:
		return nil, fmt.Errorf("the pickle holds a %T, not a state dict", v)
	}
	return dict, nil
}

// decodedStorage is one storage of the archive widened to float32 (or kept
// as int32).
type decodedStorage struct {
	key string
	f32 []float32
	i32 []int32
}

// dtypeBytes is the size of an element of each dtype a storage may have.
var dtypeBytes = map[string]int{"F32": 4, "I32": 4, "F16": 2, "BF16": 2}

// readStorage reads the entry of a storage. Its size must be exactly what
// the pickle says (numel elements of the dtype), fit in the archive's size
// and be stored uncompressed, as torch.save writes it: so the allocation is
// bounded by the bytes the archive really holds.
func readStorage(f *zip.File, ref *storageRef, prefix string, archiveSize int64) (*decodedStorage, error) {
	if f == nil {
		return nil, fmt.Errorf("storage %q: no entry %sdata/%s", ref.key, prefix, ref.key)
	}
	size := dtypeBytes[ref.dtype]
	hi, want := bits.Mul64(uint64(ref.numel), uint64(size))
	switch {
	case f.Method != zip.Store:
		return nil, fmt.Errorf("%s: compressed (method %d); torch.save stores tensor data uncompressed", f.Name, f.Method)
	case hi != 0 || want > uint64(archiveSize):
		return nil, fmt.Errorf("%s: the pickle says %d %s elements, more than the %d bytes of the file", f.Name, ref.numel, ref.dtype, archiveSize)
	case f.UncompressedSize64 != want || f.CompressedSize64 != want:
		return nil, fmt.Errorf("%s: %d bytes, but the pickle says %d %s elements (%d bytes)", f.Name, f.UncompressedSize64, ref.numel, ref.dtype, want)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", f.Name, err)
	}
	defer rc.Close()
	buf := make([]byte, want)
	if _, err := io.ReadFull(rc, buf); err != nil {
		return nil, fmt.Errorf("%s: %v", f.Name, err)
	}
	st := &decodedStorage{key: ref.key}
	st.f32, st.i32, err = decodeLE(ref.dtype, buf)
	return st, err
}

// view copies the strided view a pickled tensor describes out of the
// storage. A view may not hold more elements than its storage (no expanded
// views), so what it allocates is bounded by the archive.
func (st *decodedStorage) view(name string, pt *pickledTensor) (*engine.Tensor, error) {
	n := max(len(st.f32), len(st.i32))
	if len(pt.size) != len(pt.stride) {
		return nil, fmt.Errorf("tensor %q: size %v and stride %v differ in rank", name, pt.size, pt.stride)
	}
	if pt.offset > n {
		return nil, fmt.Errorf("tensor %q: offset %d is past its storage %q (%d elements)", name, pt.offset, st.key, n)
	}
	numel, last := 1, pt.offset // elements, and the largest index the view reads
	for d, s := range pt.size {
		hi, lo := bits.Mul64(uint64(numel), uint64(s))
		if hi != 0 || lo > uint64(n) {
			return nil, fmt.Errorf("tensor %q: shape %v has more elements than its storage %q (%d)", name, pt.size, st.key, n)
		}
		numel = int(lo)
		if s > 0 {
			hi, lo = bits.Mul64(uint64(s-1), uint64(pt.stride[d]))
			if hi != 0 || lo > uint64(n) {
				return nil, fmt.Errorf("tensor %q: stride %v reads past its storage %q (%d elements)", name, pt.stride, st.key, n)
			}
			last += int(lo)
		}
	}
	if numel > 0 && last >= n {
		return nil, fmt.Errorf("tensor %q: offset %d, shape %v and stride %v read past its storage %q (%d elements)", name, pt.offset, pt.size, pt.stride, st.key, n)
	}
	t := &engine.Tensor{Name: name, Shape: append([]int{}, pt.size...)}
	if st.i32 != nil {
		t.I32 = gather(st.i32, pt, numel)
	} else {
		t.F32 = gather(st.f32, pt, numel)
	}
	return t, nil
}

// gather copies numel elements of a strided view in row-major order.
func gather[T any](src []T, pt *pickledTensor, numel int) []T {
	out := make([]T, numel)
	idx := make([]int, len(pt.size))
	for i := range out {
		at := pt.offset
		for d, k := range idx {
			at += k * pt.stride[d]
		}
		out[i] = src[at]
		for d := len(idx) - 1; d >= 0; d-- {
			if idx[d]++; idx[d] < pt.size[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out
}
