// Package engine implements the Hierarchical Reasoning Model (HRM) and the Tiny
// Recursive Model (TRM) in float32 on gonum's BLAS interface: forward and
// backward passes, deep supervision with adaptive computation time, losses,
// optimizers, the trainer step and solve traces. It knows nothing of puzzles,
// files or terminals: it sees token sequences, labels and puzzle ids.
//
// NewModel builds a model from a Config; NewTrainer trains it one ACT step at
// a time (Step), with hyperparameters that can change between steps
// (SetHyper) and exact resume (State, Restore); Model.Run evaluates and
// traces. Parameters carry the PyTorch reference's state-dict names (Tensors,
// SetTensor), and tests match the engine against fixtures written by the
// independent PyTorch implementation in tools/torchref.
//
// Dense products go through gonum's blas32. The default build uses gonum's
// pure-Go BLAS; `go build -tags openblas` uses OpenBLAS (libopenblas-dev)
// through cgo, together with vectorised C kernels for SiLU and softmax.
// Either way the work is spread over GOMAXPROCS goroutines of one worker pool
// and the cores are never oversubscribed. A warmed-up training step allocates
// only its Metrics. A Model is not safe for concurrent use: give another
// goroutine a Clone.
package engine

// Tensor is a named, row-major tensor. Exactly one of F32 and I32 holds the
// data. Model parameters and buffers carry the reference implementation's
// state-dict names (HRM.md §1.11), for example
// "inner.L_level.layers.0.self_attn.qkv_proj.weight", shaped (out, in).
type Tensor struct {
	Name      string
	Shape     []int
	F32       []float32
	I32       []int32
	Trainable bool // counted in the parameter count and updated by the dense optimizer
}

// Len is the number of elements the shape describes.
func (t *Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}
