package tasks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"codeberg.org/sbinet/npyio"
)

// ReferenceMeta is the reference's dataset.json (PuzzleDatasetMetadata).
type ReferenceMeta struct {
	PadID                int      `json:"pad_id"`
	IgnoreLabelID        *int     `json:"ignore_label_id"` // null: every label is scored
	BlankIdentifierID    int      `json:"blank_identifier_id"`
	VocabSize            int      `json:"vocab_size"`
	SeqLen               int      `json:"seq_len"`
	NumPuzzleIdentifiers int      `json:"num_puzzle_identifiers"`
	TotalGroups          int      `json:"total_groups"`
	MeanPuzzleExamples   float64  `json:"mean_puzzle_examples"`
	TotalPuzzles         int      `json:"total_puzzles"` // TinyRecursiveModels' loader requires it
	Sets                 []string `json:"sets"`
}

// Export writes the dataset in the reference's on-disk format (HRM.md §6.1) under dir:
// train/ and test/ each with dataset.json and all__inputs.npy, all__labels.npy,
// all__puzzle_identifiers.npy, all__puzzle_indices.npy, all__group_indices.npy (int32), and
// identifiers.json (puzzle id -> name). Labels hold 0 where not scored (ignore_label_id 0).
// A fresh-stream dataset exports an empty train split.
func (d *Dataset) Export(dir string) error {
	for _, sp := range []struct {
		name string
		exs  []Example
		ix   Index
	}{{"train", d.Train, d.TrainIndex}, {"test", d.Test, d.TestIndex}} {
		if err := d.exportSplit(filepath.Join(dir, sp.name), sp.exs, sp.ix); err != nil {
			return err
		}
	}
	return writeJSON(filepath.Join(dir, "identifiers.json"), d.Identifiers)
}

func (d *Dataset) exportSplit(dir string, exs []Example, ix Index) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	inputs := make([][]int32, len(exs))
	labels := make([][]int32, len(exs))
	for i, ex := range exs {
		inputs[i] = ex.Input
		labels[i] = make([]int32, len(ex.Label))
		for k, t := range ex.Label {
			if t != Ignore {
				labels[i][k] = t
			}
		}
	}
	ids := make([]int32, ix.Puzzles())
	for p := range ids {
		ids[p] = exs[ix.PuzzleIndices[p]].PuzzleID
	}
	arrays := map[string]any{
		"inputs":             inputs,
		"labels":             labels,
		"puzzle_identifiers": ids,
		"puzzle_indices":     int32s(ix.PuzzleIndices),
		"group_indices":      int32s(ix.GroupIndices),
	}
	for name, v := range arrays {
		if len(exs) == 0 && (name == "inputs" || name == "labels") {
			v = make([]int32, 0) // shape (0,): an empty split
		}
		if err := writeNPY(filepath.Join(dir, "all__"+name+".npy"), v); err != nil {
			return err
		}
	}
	mean := 0.0
	if ix.Puzzles() > 0 {
		mean = float64(len(exs)) / float64(ix.Puzzles())
	}
	return writeJSON(filepath.Join(dir, "dataset.json"), ReferenceMeta{
		IgnoreLabelID:        new(int),
		VocabSize:            len(d.Task.Vocab()),
		SeqLen:               d.Task.SeqLen(),
		NumPuzzleIdentifiers: d.Task.NumPuzzleIDs(),
		TotalGroups:          ix.Groups(),
		MeanPuzzleExamples:   mean,
		TotalPuzzles:         ix.Puzzles(),
		Sets:                 []string{"all"},
	})
}

func int32s(v []int) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}

func writeNPY(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := npyio.Write(f, v); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

func writeJSON(path string, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "<blank>" as the reference writes it
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
