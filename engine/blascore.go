package engine

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// The environment of the kernel choice.
const (
	// EnvCore is the user's switch: "auto" (the default) picks the best
	// kernels this CPU runs, unless OPENBLAS_CORETYPE is set (then the
	// user's choice wins); set to "auto" explicitly, it replaces a weaker
	// OPENBLAS_CORETYPE too. "keep" runs whatever OpenBLAS picked; a core
	// name (SkylakeX, Haswell, ...) asks for those kernels, checked like an
	// automatic choice.
	EnvCore = "HRMLAB_BLAS_CORE"
	// envFrom marks a re-executed process: the core OpenBLAS ran in the
	// first one. Its presence means the choice was made; it also ends the
	// fallback chain (re-running that core is OpenBLAS's own choice).
	envFrom = "HRMLAB_BLAS_FROM"
	// envRejected lists the cores whose kernels failed the check.
	envRejected = "HRMLAB_BLAS_REJECTED"
	envOpenBLAS = "OPENBLAS_CORETYPE"
)

// BLASInfo describes the dense-product backend this process runs.
type BLASInfo struct {
	Backend string `json:"backend"`      // "openblas" or "gonum" (pure Go)
	Core    string `json:"blas_core"`    // OpenBLAS's kernel family ("SkylakeX"); "" for gonum
	Threads int    `json:"blas_threads"` // goroutines running products at once
	// Source says who chose Core: "openblas" (its own CPU detection),
	// "hrmlab" (chosen at start and checked), "OPENBLAS_CORETYPE" or
	// "HRMLAB_BLAS_CORE" (set by the user).
	Source string `json:"blas_source,omitempty"`
	From   string `json:"blas_from,omitempty"` // the core OpenBLAS picked itself, when hrmlab changed it
	Note   string `json:"blas_note,omitempty"` // what went wrong on the way, if anything
}

// String is the short form of the status bar: "openblas SkylakeX x2", "gonum x2".
func (b BLASInfo) String() string {
	if b.Core == "" {
		return fmt.Sprintf("%s x%d", b.Backend, b.Threads)
	}
	return fmt.Sprintf("%s %s x%d", b.Backend, b.Core, b.Threads)
}

// chosen is what SelectKernels decided, for BLAS.
var chosen struct{ source, from, note string }

// BLAS reports the active backend, its kernels and how they were chosen.
func BLAS() BLASInfo {
	name, threads := backend()
	info := BLASInfo{Backend: name, Core: openblasCore(), Threads: threads}
	if info.Core != "" {
		info.Source, info.From, info.Note = chosen.source, chosen.from, chosen.note
		if info.Source == "" {
			info.Source = "openblas"
		}
	}
	return info
}

// Start prepares this process for training: it runs SelectKernels and, in
// the OpenBLAS build, unless the user set GOMAXPROCS, gives the Go scheduler
// one P more than there are cores (the worker pool stays at one goroutine
// per core). A goroutine in a long OpenBLAS product holds its P in a system
// call; the runtime hands such a P on, and with no idle P it wakes a thread
// to look for work, which takes a core from the products: at the lab's
// default size about 900 context switches a step with GOMAXPROCS 2 on two
// cores, 350 with 3, and a shorter median step. Call it first in main.
func Start(warn io.Writer) {
	SelectKernels(warn)
	if openblasCore() != "" && os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(runtime.NumCPU() + 1)
	}
}

// SelectKernels makes sure this process runs the best OpenBLAS kernels its
// CPU supports; Start calls it, first in main (and TestMain), before any output.
// Where OpenBLAS picked weaker kernels than the CPU runs, it re-executes the
// same binary with the same arguments and OPENBLAS_CORETYPE set (OpenBLAS
// reads it only when it loads): the process keeps its PID, terminal and
// exit status. The new process checks the chosen kernels against gonum's
// pure-Go SGEMM and, if any product differs beyond float32 rounding, says so
// once on warn and moves down the list, ending with OpenBLAS's own choice.
// It never loops, and does nothing in the pure-Go build, with
// HRMLAB_BLAS_CORE=keep, or where the user set OPENBLAS_CORETYPE.
func SelectKernels(warn io.Writer) {
	running := openblasCore()
	if running == "" || !openblasDynamic() {
		return
	}
	d := decide(os.Getenv, running, CPU(), checkKernels)
	chosen.source, chosen.from, chosen.note = d.source, d.from, d.note
	if d.warn != "" {
		fmt.Fprintln(warn, "hrmlab:", d.warn)
	}
	if d.exec == nil {
		return
	}
	exe, err := os.Executable()
	if err == nil {
		env := os.Environ()
		for k, v := range d.exec {
			env = setEnv(env, k, v)
		}
		err = syscall.Exec(exe, os.Args, env)
	}
	// still here: the exec failed; go on with the kernels we have
	fmt.Fprintf(warn, "hrmlab: could not restart with OpenBLAS %s kernels (%v); running %s\n", d.exec[envOpenBLAS], err, running)
	chosen.source, chosen.note = "openblas", fmt.Sprintf("restart with %s failed: %v", d.exec[envOpenBLAS], err)
}

func setEnv(env []string, k, v string) []string {
	env = slices.DeleteFunc(env, func(e string) bool { return strings.HasPrefix(e, k+"=") })
	return append(env, k+"="+v)
}

// decision is what SelectKernels does: re-execute with exec's variables set,
// or go on, recording source, from and note; warn is said once.
type decision struct {
	exec               map[string]string
	source, from, note string
	warn               string
}

// decide is the kernel choice as a pure function of the environment, the
// core OpenBLAS runs, the CPU and the check of the running kernels.
func decide(getenv func(string) string, running string, f CPUFeatures, check func() error) decision {
	mode := getenv(EnvCore)
	if mode == "keep" {
		return decision{source: "openblas"}
	}
	from := getenv(envFrom)
	if from == "" { // the first process
		user := getenv(envOpenBLAS)
		var cands []string
		switch {
		case mode == "" && user != "":
			return decision{source: envOpenBLAS}
		case mode == "" || mode == "auto":
			cands = ChooseCores(running, f)
		case mode == running:
			return decision{source: EnvCore}
		case !canRun(mode, f):
			return decision{source: "openblas", warn: fmt.Sprintf("%s=%s: not an OpenBLAS core this CPU runs; keeping %s", EnvCore, mode, running)}
		default:
			cands = []string{mode}
		}
		if len(cands) == 0 {
			return decision{source: "openblas"}
		}
		return decision{exec: map[string]string{envOpenBLAS: cands[0], envFrom: running}}
	}
	// a re-executed process: OPENBLAS_CORETYPE is the core it was started for
	want := getenv(envOpenBLAS)
	rejected := splitList(getenv(envRejected))
	if running == from && want == from { // the end of the chain: OpenBLAS's own choice
		return decision{source: "openblas", note: rejectedNote(rejected)}
	}
	source := "hrmlab"
	if mode != "" && mode != "auto" {
		source = EnvCore
	}
	var fail string
	if running != want {
		fail = fmt.Sprintf("OpenBLAS has no %s kernels (it runs %s)", want, running)
	} else if err := check(); err != nil {
		fail = fmt.Sprintf("OpenBLAS %s kernels failed the SGEMM check (%v)", want, err)
	}
	if fail == "" {
		return decision{source: source, from: from, note: rejectedNote(rejected)}
	}
	rejected = append(rejected, want)
	next := from
	if source == "hrmlab" {
		for _, c := range ChooseCores(from, f) {
			if !slices.Contains(rejected, c) {
				next = c
				break
			}
		}
	}
	return decision{
		warn: fail + "; using " + next,
		exec: map[string]string{envOpenBLAS: next, envFrom: from, envRejected: strings.Join(rejected, ",")},
	}
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func rejectedNote(rejected []string) string {
	if len(rejected) == 0 {
		return ""
	}
	return "rejected at start: " + strings.Join(rejected, ", ")
}

// checkKernels compares the backend's single-threaded SGEMM with gonum's
// pure-Go one on every transpose case, tiny, odd and the engine's own
// shapes, with alpha and beta both in play (a few milliseconds).
func checkKernels() error { return checkSgemm(serialGemm) }

// checkSgemm compares kernel with gonum's Sgemm. A result may differ from the
// reference by float32 rounding only: a bound proportional to k and to the
// magnitudes Σ|a||b| and |βc| that the entry sums.
func checkSgemm(kernel sgemmFunc) error {
	rng := rand.New(rand.NewPCG(7, 11))
	// m×n×k: vectors, odd sizes, the kernels' 16/32/64 blocks and one past,
	// and a product shaped like the engine's (82 positions, D 64, heads of 16)
	shapes := [][3]int{{1, 1, 1}, {1, 7, 3}, {5, 1, 9}, {3, 5, 7}, {17, 33, 9}, {31, 2, 65},
		{64, 64, 64}, {65, 67, 33}, {82, 96, 64}, {136, 16, 17}}
	for _, sh := range shapes {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				if err := checkOne(kernel, rng, tA, tB, m, n, k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func checkOne(kernel sgemmFunc, rng *rand.Rand, tA, tB blas.Transpose, m, n, k int) error {
	// padded leading dimensions catch kernels that ignore them
	lda, ldb, ldc := k+3, n+1, n+2
	ar, br := m, k
	if tA == blas.Trans {
		lda, ar = m+3, k
	}
	if tB == blas.Trans {
		ldb, br = k+1, n
	}
	fill := func(x []float32) {
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
	}
	a, b, c := make([]float32, ar*lda), make([]float32, br*ldb), make([]float32, m*ldc)
	fill(a)
	fill(b)
	fill(c)
	orig, ref := slices.Clone(c), slices.Clone(c)
	const alpha, beta = 0.75, -0.5
	kernel(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	gonum.Implementation{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, ref, ldc)
	// the magnitude each entry sums: α|op(a)||op(b)| + |β c|, by the same product on absolute values
	abs := func(x []float32) []float32 {
		y := make([]float32, len(x))
		for i, v := range x {
			y[i] = float32(math.Abs(float64(v)))
		}
		return y
	}
	mag := abs(orig)
	gonum.Implementation{}.Sgemm(tA, tB, m, n, k, alpha, abs(a), lda, abs(b), ldb, float32(math.Abs(beta)), mag, ldc)
	eps := float64(math.Nextafter32(1, 2) - 1)
	for i := range m {
		for j := range n {
			got, want := float64(c[i*ldc+j]), float64(ref[i*ldc+j])
			if e := math.Abs(got - want); !(e <= 2*float64(k+4)*eps*float64(mag[i*ldc+j])+1e-30) {
				return fmt.Errorf("%s%s %dx%dx%d: c[%d,%d] = %.7g, want %.7g", tc(tA), tc(tB), m, n, k, i, j, got, want)
			}
		}
	}
	return nil
}

func tc(t blas.Transpose) string {
	if t == blas.Trans {
		return "T"
	}
	return "N"
}
