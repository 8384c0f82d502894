package checkpoints_test

import (
	"fmt"
	"os"
	"path/filepath"

	"hrmlab/checkpoints"
	"hrmlab/engine"
)

// A training run saves a checkpoint every few steps into its run folder,
// keeps the last two, and resumes from the latest.
func Example() {
	out, err := os.MkdirTemp("", "runs")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(out)
	dir := filepath.Join(out, "sudoku-demo", checkpoints.Dir)

	weights := &engine.Tensor{Name: "inner.H_init", Shape: []int{4}, F32: []float32{0.1, 0.2, 0.3, 0.4}}
	for step := 100; step <= 300; step += 100 {
		meta := checkpoints.Meta{
			Step:    step,
			Config:  "[model]\narch = \"hrm\"\n",
			Backend: "gonum",
			Extra:   map[string]string{checkpoints.KeyTrainLoss: fmt.Sprint(3.0 / float64(step))},
		}
		if err := checkpoints.Save(checkpoints.Path(dir, step), []*engine.Tensor{weights}, meta); err != nil {
			panic(err)
		}
		if _, err := checkpoints.Prune(dir, 2); err != nil {
			panic(err)
		}
	}

	runs, err := checkpoints.ListRuns(out)
	if err != nil {
		panic(err)
	}
	for _, run := range runs {
		fmt.Println("run", run.Name)
		for _, c := range run.Checkpoints {
			loss, _ := c.Meta.Float(checkpoints.KeyTrainLoss)
			fmt.Printf("  %s step %d train_loss %.3f\n", filepath.Base(c.Path), c.Step, loss)
		}
	}

	latest, err := checkpoints.Latest(dir)
	if err != nil {
		panic(err)
	}
	ckpt, err := checkpoints.Load(latest.Path)
	if err != nil {
		panic(err)
	}
	t, _ := ckpt.Tensor("inner.H_init")
	fmt.Println("resume from step", ckpt.Meta.Step, t.Shape, t.F32)
	// Output:
	// run sudoku-demo
	//   step-0000200.safetensors step 200 train_loss 0.015
	//   step-0000300.safetensors step 300 train_loss 0.010
	// resume from step 300 [4] [0.1 0.2 0.3 0.4]
}
