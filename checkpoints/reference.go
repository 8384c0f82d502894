package checkpoints

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"

	"hrmlab/engine"
)

// referencePrefixes are the state-dict name prefixes of the PyTorch
// reference: its training wrapper stores the model as "model." and
// torch.compile adds "_orig_mod.". The longest comes first.
var referencePrefixes = []string{"_orig_mod.model.", "model.", "_orig_mod."}

// ImportReference reads a PyTorch-reference-style state dict saved as
// safetensors (for example with safetensors.torch.save_file) and returns its
// tensors sorted by name, with the wrapper prefixes "_orig_mod.model.",
// "model." or "_orig_mod." stripped so the names match the engine's
// (e.g. "inner.H_init"). F32, F16 and BF16 tensors become float32; I32
// tensors stay int32. The __metadata__ map, if any, is ignored.
func ImportReference(path string) ([]*engine.Tensor, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	tensors, err := decodeReference(buf)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: import %s: %w", path, err)
	}
	return tensors, nil
}

// decodeReference parses a reference state dict held in buf.
func decodeReference(buf []byte) ([]*engine.Tensor, error) {
	_, views, err := decodeFile(buf)
	if err != nil {
		return nil, err
	}
	tensors := make([]*engine.Tensor, 0, len(views))
	from := make(map[string]string, len(views)) // stripped name -> name in the file
	for _, v := range views {
		t, err := toTensor(v)
		if err != nil {
			return nil, err
		}
		t.Name = stripReferencePrefix(v.Name)
		if other, dup := from[t.Name]; dup {
			return nil, fmt.Errorf("tensors %q and %q both map to %q", other, v.Name, t.Name)
		}
		from[t.Name] = v.Name
		tensors = append(tensors, t)
	}
	// Sort by the stripped names (the file order is by the full names).
	slices.SortFunc(tensors, func(a, b *engine.Tensor) int { return cmp.Compare(a.Name, b.Name) })
	return tensors, nil
}

func stripReferencePrefix(name string) string {
	for _, p := range referencePrefixes {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" {
			return rest
		}
	}
	return name
}
