package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"hrmlab/engine"
)

// envReport is what a bug report about speed or numerics needs to know of
// the machine and the build.
type envReport struct {
	Revision        string   `json:"revision,omitempty"` // the commit hrmlab was built from, when the build recorded it
	Go              string   `json:"go"`
	GOOS            string   `json:"goos"`
	GOARCH          string   `json:"goarch"`
	engine.BLASInfo          // backend, blas_core, blas_threads and how the core was chosen
	CPU             string   `json:"cpu"`
	CPUFeatures     []string `json:"cpu_features"`
	NumCPU          int      `json:"num_cpu"`
	GOMAXPROCS      int      `json:"gomaxprocs"`
	SGEMMSize       int      `json:"sgemm_size"` // m = n = k of the timed products
	SGEMMGFLOPS     float64  `json:"sgemm_gflops"`
	Hint            string   `json:"hint,omitempty"`
}

// sgemmSize makes a product large enough that every backend runs at full
// speed (2 GFLOP each) and small enough that the pure-Go one fits a few
// into a second.
const sgemmSize = 1024

// pureGoHint is the advice of a pure-Go build.
const pureGoHint = "install libopenblas-dev and build with -tags openblas (make build does) for several times faster training"

func cmdEnv(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("env", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seconds := fs.Float64("seconds", 1, "time the SGEMM measurement for `S` seconds (at least one product)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *seconds < 0 {
		return badInput("env: -seconds must be at least 0")
	}
	b, cpu := engine.BLAS(), engine.CPU()
	r := envReport{
		Revision: revision(), Go: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
		BLASInfo: b, CPU: cpu.String(), CPUFeatures: cpu.Features(),
		NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		SGEMMSize:   sgemmSize,
		SGEMMGFLOPS: sgemmGFLOPS(sgemmSize, time.Duration(*seconds*float64(time.Second))),
	}
	if b.Core == "" {
		r.Hint = pureGoHint
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	line := func(k, format string, args ...any) {
		fmt.Fprintf(stdout, "%-13s "+format+"\n", append([]any{k}, args...)...)
	}
	if r.Revision != "" {
		line("hrmlab", "%s", r.Revision)
	}
	line("go", "%s %s/%s", r.Go, r.GOOS, r.GOARCH)
	if b.Core == "" {
		line("backend", "%s (%s)", b.Backend, blasOrigin(b))
	} else {
		line("backend", "%s", b.Backend)
		line("blas core", "%s (%s)", b.Core, blasOrigin(b))
	}
	line("blas threads", "%d (GOMAXPROCS %d, %d CPUs)", b.Threads, r.GOMAXPROCS, r.NumCPU)
	line("cpu", "%s", r.CPU)
	line("cpu features", "%s", strings.Join(r.CPUFeatures, " "))
	line("sgemm", "%.1f GFLOPS (%dx%d by %dx%d float32)", r.SGEMMGFLOPS, sgemmSize, sgemmSize, sgemmSize, sgemmSize)
	if r.Hint != "" {
		line("hint", "%s", r.Hint)
	}
	return nil
}

// blasOrigin says where the BLAS kernels came from, for the lines that name
// them: "chosen by hrmlab; OpenBLAS picked Prescott", "OpenBLAS's own
// choice", "set by OPENBLAS_CORETYPE", "pure Go".
func blasOrigin(b engine.BLASInfo) string {
	if b.Core == "" {
		return "pure Go"
	}
	var parts []string
	switch b.Source {
	case "openblas":
		parts = append(parts, "OpenBLAS's own choice")
	case "hrmlab":
		parts = append(parts, "chosen by hrmlab")
	default: // the user's environment variable
		parts = append(parts, "set by "+b.Source)
	}
	if b.From != "" {
		parts = append(parts, "OpenBLAS picked "+b.From)
	}
	if b.Note != "" {
		parts = append(parts, b.Note)
	}
	return strings.Join(parts, "; ")
}

// blasLine names the kernels and where they came from:
// "openblas SkylakeX x2 (chosen by hrmlab; OpenBLAS picked Prescott)".
func blasLine(b engine.BLASInfo) string {
	return fmt.Sprintf("%s (%s)", b, blasOrigin(b))
}

// sgemmGFLOPS multiplies n×n float32 matrices through blas32.Gemm, where the
// engine registered its backend (OpenBLAS in the openblas build), until d
// has passed (at least once), and returns the rate in GFLOPS. Filling the
// matrices touches their memory, so the first product needs no warm-up.
func sgemmGFLOPS(n int, d time.Duration) float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	matrix := func() blas32.General {
		g := blas32.General{Rows: n, Cols: n, Stride: n, Data: make([]float32, n*n)}
		for i := range g.Data {
			g.Data[i] = rng.Float32() - 0.5
		}
		return g
	}
	a, b, c := matrix(), matrix(), matrix()
	reps := 0
	start := time.Now()
	for reps == 0 || time.Since(start) < d {
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a, b, 0, c)
		reps++
	}
	return 2 * float64(n) * float64(n) * float64(n) * float64(reps) / time.Since(start).Seconds() / 1e9
}

// revision is the commit of this build ("4bee6b6", "4bee6b6+modified"), or
// "" where the build did not record one (go test, go run).
func revision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(len(s.Value), 12)]
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modified"
			}
		}
	}
	if rev == "" {
		return ""
	}
	return rev + modified
}
