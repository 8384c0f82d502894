package tasks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"codeberg.org/sbinet/npyio"
)

// The arrays of a split of a reference dataset folder, all__<name>.npy.
var referenceArrays = []string{"inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices"}

// IsReferenceFolder reports whether dir is a dataset folder in the
// reference's layout (HRM.md §6.1): train/ or test/ with a dataset.json.
func IsReferenceFolder(dir string) bool {
	for _, split := range []string{"train", "test"} {
		if st, err := os.Stat(filepath.Join(dir, split, "dataset.json")); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// ReadReferenceMeta reads the dataset.json of a reference dataset folder's
// train split (or of its test split when it has no train split).
func ReadReferenceMeta(dir string) (ReferenceMeta, error) {
	var meta ReferenceMeta
	path := filepath.Join(dir, "train", "dataset.json")
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join(dir, "test", "dataset.json")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return meta, err
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		return meta, fmt.Errorf("%s: %v", path, err)
	}
	return meta, nil
}

// loadReference reads a reference dataset folder (as the reference's
// dataset/build_*_dataset.py and Dataset.Export write it) into the splits:
// the examples, their puzzle identifiers and the group and puzzle structure,
// with identifiers.json's names. A split folder that is absent is empty.
func (d *Dataset) loadReference(dir string) error {
	splits := map[string]*splitBuilder{}
	for _, split := range []string{"train", "test"} {
		sub := filepath.Join(dir, split)
		if _, err := os.Stat(filepath.Join(sub, "dataset.json")); errors.Is(err, os.ErrNotExist) {
			splits[split] = newSplitBuilder()
			continue
		}
		b, err := d.readReferenceSplit(sub)
		if err != nil {
			return err
		}
		splits[split] = b
	}
	d.setSplits(splits["train"], splits["test"])
	path := filepath.Join(dir, "identifiers.json")
	names, err := os.ReadFile(path)
	a, isARC := d.Task.(*ARC)
	switch {
	case errors.Is(err, os.ErrNotExist) && isARC:
		return fmt.Errorf("%s is missing: an ARC folder needs the names of its puzzles, which say what augmentation each is, to vote over them", path)
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	}
	if err := json.Unmarshal(names, &d.Identifiers); err != nil || len(d.Identifiers) == 0 {
		return fmt.Errorf("%s: want a JSON list of puzzle names, [0] \"<blank>\" (%v)", path, err)
	}
	if isARC {
		if err := a.restoreReference(d.Identifiers, d.Test, d.TestIndex); err != nil {
			return fmt.Errorf("%s: %v", dir, err)
		}
	}
	return nil
}

// readReferenceSplit reads one split folder and checks it against the task.
func (d *Dataset) readReferenceSplit(dir string) (*splitBuilder, error) {
	b, err := os.ReadFile(filepath.Join(dir, "dataset.json"))
	if err != nil {
		return nil, err
	}
	var meta ReferenceMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, "dataset.json"), err)
	}
	V, L := len(d.Task.Vocab()), d.Task.SeqLen()
	if meta.VocabSize != V || meta.SeqLen != L {
		return nil, fmt.Errorf("%s: vocab_size %d and seq_len %d, but %s has %d tokens and %d cells (set task.kind and task.size to the data's task)",
			filepath.Join(dir, "dataset.json"), meta.VocabSize, meta.SeqLen, d.Task.Name(), V, L)
	}
	arr := map[string][]int32{}
	shapes := map[string][]int{}
	for _, name := range referenceArrays {
		path := filepath.Join(dir, "all__"+name+".npy")
		if arr[name], shapes[name], err = readNPYInts(path); err != nil {
			return nil, err
		}
	}
	in, lab := arr["inputs"], arr["labels"]
	n := len(in) / max(L, 1)
	switch {
	case len(in) != len(lab):
		return nil, fmt.Errorf("%s: %d inputs and %d labels", dir, len(in), len(lab))
	case len(in) != n*L || (len(shapes["inputs"]) == 2 && shapes["inputs"][1] != L):
		return nil, fmt.Errorf("%s: inputs of shape %v are not rows of seq_len %d", dir, shapes["inputs"], L)
	}
	pi, gi, ids := arr["puzzle_indices"], arr["group_indices"], arr["puzzle_identifiers"]
	if err := checkIndices(pi, n, "puzzle_indices", "examples"); err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	if err := checkIndices(gi, len(pi)-1, "group_indices", "puzzles"); err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	if len(ids) != len(pi)-1 {
		return nil, fmt.Errorf("%s: %d puzzle_identifiers for %d puzzles", dir, len(ids), len(pi)-1)
	}
	for i, t := range slices.Concat(in, lab) {
		if t < 0 || int(t) >= V {
			return nil, fmt.Errorf("%s: token %d (at %d of inputs and labels) is outside the vocabulary 0..%d", dir, t, i, V-1)
		}
	}
	sb := newSplitBuilder()
	for p := range len(pi) - 1 {
		for e := pi[p]; e < pi[p+1]; e++ {
			ex := Example{Input: in[int(e)*L : int(e+1)*L], Label: slices.Clone(lab[int(e)*L : int(e+1)*L]), PuzzleID: ids[p]}
			for k, y := range ex.Label {
				if meta.IgnoreLabelID != nil && int(y) == *meta.IgnoreLabelID {
					ex.Label[k] = Ignore
				}
			}
			sb.add(ex)
		}
	}
	sb.index = Index{PuzzleIndices: ints(pi), GroupIndices: ints(gi)}
	return sb, nil
}

// checkIndices checks an index array: it starts at 0, never decreases and
// ends at n (the count of the things it indexes).
func checkIndices(ix []int32, n int, name, what string) error {
	if len(ix) == 0 || ix[0] != 0 || int(ix[len(ix)-1]) != n {
		return fmt.Errorf("%s must run from 0 to the %d %s", name, n, what)
	}
	for i := 1; i < len(ix); i++ {
		if ix[i] < ix[i-1] {
			return fmt.Errorf("%s decreases at %d", name, i)
		}
	}
	return nil
}

func ints(v []int32) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// readNPYInts reads an integer .npy array of any width (the reference's
// builders write uint8 tokens and int32 indices) as int32, with its shape.
func readNPYInts(path string) ([]int32, []int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	shape := r.Header.Descr.Shape
	var out []int32
	read := func(ptr any, conv func() []int32) error {
		if err := r.Read(ptr); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		out = conv()
		return nil
	}
	dtype := strings.Trim(r.Header.Descr.Type, `'"`)
	switch dtype {
	case "|u1", "<u1":
		var v []uint8
		err = read(&v, func() []int32 { return widen(v) })
	case "|i1", "<i1":
		var v []int8
		err = read(&v, func() []int32 { return widen(v) })
	case "<i2":
		var v []int16
		err = read(&v, func() []int32 { return widen(v) })
	case "<u2":
		var v []uint16
		err = read(&v, func() []int32 { return widen(v) })
	case "<i4":
		err = read(&out, func() []int32 { return out })
	case "<i8":
		var v []int64
		err = read(&v, func() []int32 { return widen(v) })
	default:
		return nil, nil, fmt.Errorf("%s: dtype %s is not an integer type the reference writes", path, dtype)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	return out, shape, nil
}

func widen[T int8 | uint8 | int16 | uint16 | int64](v []T) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}
