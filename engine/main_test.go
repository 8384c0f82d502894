package engine

import (
	"os"
	"testing"
)

// TestMain runs the tests and benchmarks on the kernels and scheduler setting
// hrmlab itself would use (Start),
// so that a benchmark never measures OpenBLAS's fallback kernels by
// accident and the fixture tests check the kernels users run.
func TestMain(m *testing.M) {
	Start(os.Stderr)
	os.Exit(m.Run())
}
