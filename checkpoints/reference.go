package checkpoints

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"hrmlab/engine"
)

// referencePrefixes are the state-dict name prefixes of the PyTorch
// reference: its training wrapper stores the model as "model." and
// torch.compile adds "_orig_mod.". The longest comes first.
var referencePrefixes = []string{"_orig_mod.model.", "model.", "_orig_mod."}

// StateDict is a state dict of the PyTorch reference read from a file.
type StateDict struct {
	Format  string            // "torch.save zip" or "safetensors"
	Tensors []*engine.Tensor  // sorted by name, the wrapper prefixes stripped
	DTypes  map[string]string // the dtype each tensor has in the file: F32, F16, BF16 or I32
}

// namedTensor is a tensor read from a reference file with its dtype there.
type namedTensor struct {
	t     *engine.Tensor
	dtype string
}

// ImportReference reads a state dict of the PyTorch reference: a torch.save
// file (the zip format of PyTorch 1.6 and later, as the reference's
// pretrain.py writes its checkpoints) or a safetensors file (for example from
// safetensors.torch.save_file), told apart by their content. The wrapper
// prefixes "_orig_mod.model.", "model." or "_orig_mod." are stripped so the
// names match the engine's (e.g. "inner.H_init"). F32, F16 and BF16 tensors
// become float32; I32 tensors stay int32. A safetensors __metadata__ map is
// ignored.
func ImportReference(path string) (*StateDict, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	sd, err := decodeReference(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("checkpoints: import %s: %w", path, err)
	}
	return sd, nil
}

// decodeReference parses a reference state dict of size bytes read from r.
func decodeReference(r io.ReaderAt, size int64) (*StateDict, error) {
	prefix := make([]byte, 4)
	n, _ := r.ReadAt(prefix, 0)
	var named []namedTensor
	sd := &StateDict{Format: "safetensors", DTypes: map[string]string{}}
	if isZip(prefix[:n]) {
		sd.Format = "torch.save zip"
		var err error
		if named, err = decodeTorchZip(r, size); err != nil {
			return nil, err
		}
	} else {
		buf := make([]byte, size)
		if _, err := r.ReadAt(buf, 0); err != nil && err != io.EOF {
			return nil, err
		}
		_, views, err := decodeFile(buf)
		if err != nil && bytes.HasPrefix(buf, []byte{0x80}) {
			return nil, fmt.Errorf("a legacy torch.save file (a bare pickle, as PyTorch before 1.6 or _use_new_zipfile_serialization=False write): save it again with torch.save in the zip format")
		}
		if err != nil {
			return nil, err
		}
		for _, v := range views {
			t, err := toTensor(v)
			if err != nil {
				return nil, err
			}
			named = append(named, namedTensor{t: t, dtype: v.TensorView.DType().String()})
		}
	}
	from := make(map[string]string, len(named)) // stripped name -> name in the file
	for _, nt := range named {
		full := nt.t.Name
		nt.t.Name = stripReferencePrefix(full)
		if other, dup := from[nt.t.Name]; dup {
			a, b := min(other, full), max(other, full)
			return nil, fmt.Errorf("tensors %q and %q both map to %q", a, b, nt.t.Name)
		}
		from[nt.t.Name] = full
		sd.DTypes[nt.t.Name] = nt.dtype
		sd.Tensors = append(sd.Tensors, nt.t)
	}
	slices.SortFunc(sd.Tensors, func(a, b *engine.Tensor) int { return cmp.Compare(a.Name, b.Name) })
	return sd, nil
}

func stripReferencePrefix(name string) string {
	for _, p := range referencePrefixes {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" {
			return rest
		}
	}
	return name
}
