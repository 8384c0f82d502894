package tasks

// Index is the group/puzzle structure of a list of examples (HRM.md §6.1): puzzle p holds
// examples PuzzleIndices[p] .. PuzzleIndices[p+1]-1, group g holds puzzles GroupIndices[g] ..
// GroupIndices[g+1]-1. A group is one original puzzle or ARC task with all its augmentations.
type Index struct {
	PuzzleIndices []int // len puzzles+1, starts at 0
	GroupIndices  []int // len groups+1, starts at 0
}

// splitBuilder accumulates examples with their structure.
type splitBuilder struct {
	examples []Example
	index    Index
}

func newSplitBuilder() *splitBuilder {
	return &splitBuilder{index: Index{PuzzleIndices: []int{0}, GroupIndices: []int{0}}}
}

func (b *splitBuilder) add(ex Example) { b.examples = append(b.examples, ex) }

// endPuzzle closes the current puzzle (no-op when it holds no example).
func (b *splitBuilder) endPuzzle() {
	if p := b.index.PuzzleIndices; p[len(p)-1] < len(b.examples) {
		b.index.PuzzleIndices = append(p, len(b.examples))
	}
}

// endGroup closes the current puzzle and group (no-op when the group holds no puzzle).
func (b *splitBuilder) endGroup() {
	b.endPuzzle()
	if g, np := b.index.GroupIndices, len(b.index.PuzzleIndices)-1; g[len(g)-1] < np {
		b.index.GroupIndices = append(g, np)
	}
}

// Groups returns the number of groups.
func (ix Index) Groups() int { return len(ix.GroupIndices) - 1 }

// Puzzles returns the number of puzzles.
func (ix Index) Puzzles() int { return len(ix.PuzzleIndices) - 1 }

// EpochExamples is how many examples the reference's data loader draws in
// one epoch: every group once, one puzzle of it with all its examples, so
// the groups times the mean examples of a puzzle (pretrain.py counts its
// total steps so).
func (ix Index) EpochExamples() float64 {
	if ix.Puzzles() <= 0 {
		return 0
	}
	return float64(ix.Groups()) * float64(ix.PuzzleIndices[ix.Puzzles()]) / float64(ix.Puzzles())
}
