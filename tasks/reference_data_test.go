package tasks

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestReferenceFolderRoundTrip exports datasets in the reference's layout and
// reads the folders back as task.data: the same examples, puzzle ids, group
// and puzzle structure and identifiers.
func TestReferenceFolderRoundTrip(t *testing.T) {
	arcSrc := t.TempDir()
	task := `{"train":[{"input":[[1,2]],"output":[[3]]},{"input":[[4]],"output":[[5,5]]}],"test":[{"input":[[1]],"output":[[2]]}]}`
	if err := os.WriteFile(filepath.Join(arcSrc, "a.json"), []byte(task), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, opts := range []Options{
		{Kind: "sudoku", Size: 4, TrainCount: 3, TestCount: 4, Augment: true, NumAug: 2, Seed: 1},
		{Kind: "maze", Size: 7, TrainCount: 2, TestCount: 2, Seed: 2},
		{Kind: "arc", Size: 4, DataPath: arcSrc, Augment: true, NumAug: 2, Seed: 3},
	} {
		t.Run(opts.Kind, func(t *testing.T) {
			d, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := d.Export(dir); err != nil {
				t.Fatal(err)
			}
			if !IsReferenceFolder(dir) || IsReferenceFolder(arcSrc) {
				t.Fatal("IsReferenceFolder")
			}
			back, err := New(Options{Kind: opts.Kind, Size: opts.Size, DataPath: dir})
			if err != nil {
				t.Fatal(err)
			}
			if back.Fresh() || !reflect.DeepEqual(back.Train, d.Train) || !reflect.DeepEqual(back.Test, d.Test) {
				t.Errorf("examples differ after the round trip")
			}
			if !reflect.DeepEqual(back.TrainIndex, d.TrainIndex) || !reflect.DeepEqual(back.TestIndex, d.TestIndex) {
				t.Errorf("index %+v %+v, want %+v %+v", back.TrainIndex, back.TestIndex, d.TrainIndex, d.TestIndex)
			}
			if !reflect.DeepEqual(back.Identifiers, d.Identifiers) {
				t.Errorf("identifiers %v, want %v", back.Identifiers, d.Identifiers)
			}
			meta, err := ReadReferenceMeta(dir)
			if err != nil || meta.VocabSize != len(d.Task.Vocab()) || meta.SeqLen != d.Task.SeqLen() {
				t.Errorf("meta %+v %v", meta, err)
			}
		})
	}
}

func TestReferenceFolderErrors(t *testing.T) {
	d, err := New(Options{Kind: "sudoku", Size: 4, TrainCount: 2, TestCount: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := d.Export(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Kind: "sudoku", Size: 6, DataPath: dir}); err == nil || !strings.Contains(err.Error(), "vocab_size 6 and seq_len 16, but sudoku has 8 tokens and 36 cells") {
		t.Errorf("a 4x4 folder read as 6x6: %v", err)
	}
	// A label outside the vocabulary, and puzzle indices that do not cover the examples.
	bad := t.TempDir()
	if err := d.Export(bad); err != nil {
		t.Fatal(err)
	}
	writeNPY(filepath.Join(bad, "test", "all__labels.npy"), [][]int32{make([]int32, 16), append(make([]int32, 15), 9)})
	if _, err := New(Options{Kind: "sudoku", Size: 4, DataPath: bad}); err == nil || !strings.Contains(err.Error(), "token 9") {
		t.Errorf("label 9 of a 4x4 Sudoku: %v", err)
	}
	writeNPY(filepath.Join(bad, "test", "all__labels.npy"), [][]int32{make([]int32, 16), make([]int32, 16)})
	writeNPY(filepath.Join(bad, "test", "all__puzzle_indices.npy"), []int32{0, 1})
	if _, err := New(Options{Kind: "sudoku", Size: 4, DataPath: bad}); err == nil || !strings.Contains(err.Error(), "puzzle_indices must run from 0 to the 2 examples") {
		t.Errorf("short puzzle indices: %v", err)
	}
	writeNPY(filepath.Join(bad, "test", "all__puzzle_indices.npy"), []float32{0, 1, 2})
	if _, err := New(Options{Kind: "sudoku", Size: 4, DataPath: bad}); err == nil || !strings.Contains(err.Error(), "dtype <f4 is not an integer type") {
		t.Errorf("float indices: %v", err)
	}
}
