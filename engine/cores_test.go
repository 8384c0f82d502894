package engine

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

var (
	cpuOld     = CPUFeatures{Vendor: "intel", SSE3: true}
	cpuAVX     = CPUFeatures{Vendor: "intel", SSE3: true, AVX: true}
	cpuHaswell = CPUFeatures{Vendor: "intel", SSE3: true, AVX: true, AVX2: true, FMA: true}
	cpuZen3    = CPUFeatures{Vendor: "amd", SSE3: true, AVX: true, AVX2: true, FMA: true}
	cpuZen4    = CPUFeatures{Vendor: "amd", SSE3: true, AVX: true, AVX2: true, FMA: true,
		AVX512F: true, AVX512BW: true, AVX512DQ: true, AVX512VL: true, AVX512BF16: true}
	cpuSPR = CPUFeatures{Vendor: "intel", SSE3: true, AVX: true, AVX2: true, FMA: true,
		AVX512F: true, AVX512BW: true, AVX512DQ: true, AVX512VL: true, AVX512BF16: true}
	// AVX-512 F only (Knights Landing): not enough for the SkylakeX kernels
	cpuKNL = CPUFeatures{Vendor: "intel", SSE3: true, AVX: true, AVX2: true, FMA: true, AVX512F: true}
)

func TestChooseCores(t *testing.T) {
	for _, tc := range []struct {
		running string
		cpu     CPUFeatures
		want    []string
	}{
		{"Prescott", cpuSPR, []string{"SkylakeX", "Haswell", "Sandybridge"}}, // Emerald Rapids on OpenBLAS 0.3.21
		{"Prescott", cpuZen4, []string{"SkylakeX", "Zen", "Sandybridge"}},
		{"Zen", cpuZen4, []string{"SkylakeX"}}, // Zen 4 on an OpenBLAS that knows only Zen
		{"Zen", cpuZen3, nil},
		{"Haswell", cpuHaswell, nil},
		{"Sandybridge", cpuHaswell, []string{"Haswell"}},
		{"Nehalem", cpuAVX, []string{"Sandybridge"}},
		{"Prescott", cpuOld, nil}, // nothing better to run
		{"Haswell", cpuKNL, nil},
		{"SkylakeX", cpuSPR, nil},
		{"Cooperlake", cpuSPR, nil},
		{"SapphireRapids", cpuSPR, nil},
		{"SomeFutureCore", cpuSPR, nil}, // a newer OpenBLAS's name: trusted
	} {
		if got := ChooseCores(tc.running, tc.cpu); !slices.Equal(got, tc.want) {
			t.Errorf("ChooseCores(%s, %v) = %v, want %v", tc.running, tc.cpu.Features(), got, tc.want)
		}
	}
}

func env(kv ...string) func(string) string {
	return func(k string) string {
		for i := 0; i < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1]
			}
		}
		return ""
	}
}

func TestDecide(t *testing.T) {
	ok := func() error { return nil }
	bad := func() error { return errors.New("NN 3x5x7: c[0,0] = 1, want 2") }
	for _, tc := range []struct {
		name    string
		env     func(string) string
		running string
		check   func() error
		want    decision
	}{
		{"weak core: restart with the best", env(), "Prescott", ok,
			decision{exec: map[string]string{envOpenBLAS: "SkylakeX", envFrom: "Prescott"}}},
		{"right core already", env(), "SkylakeX", ok, decision{source: "openblas"}},
		{"unknown core name", env(), "Future", ok, decision{source: "openblas"}},
		{"the user's OPENBLAS_CORETYPE wins", env(envOpenBLAS, "Prescott"), "Prescott", ok,
			decision{source: envOpenBLAS}},
		{"keep", env(EnvCore, "keep"), "Prescott", ok, decision{source: "openblas"}},
		{"explicit auto replaces a weak OPENBLAS_CORETYPE", env(EnvCore, "auto", envOpenBLAS, "Prescott"), "Prescott", ok,
			decision{exec: map[string]string{envOpenBLAS: "SkylakeX", envFrom: "Prescott"}}},
		{"a named core", env(EnvCore, "Haswell"), "Prescott", ok,
			decision{exec: map[string]string{envOpenBLAS: "Haswell", envFrom: "Prescott"}}},
		{"a named core already running", env(EnvCore, "Haswell"), "Haswell", ok, decision{source: EnvCore}},
		{"a named core the CPU cannot run", env(EnvCore, "Bogus"), "Prescott", ok,
			decision{source: "openblas", warn: "HRMLAB_BLAS_CORE=Bogus: not an OpenBLAS core this CPU runs; keeping Prescott"}},
		{"restarted, check passes", env(envOpenBLAS, "SkylakeX", envFrom, "Prescott"), "SkylakeX", ok,
			decision{source: "hrmlab", from: "Prescott"}},
		{"restarted, check fails: next choice", env(envOpenBLAS, "SkylakeX", envFrom, "Prescott"), "SkylakeX", bad,
			decision{warn: "OpenBLAS SkylakeX kernels failed the SGEMM check (NN 3x5x7: c[0,0] = 1, want 2); using Haswell",
				exec: map[string]string{envOpenBLAS: "Haswell", envFrom: "Prescott", envRejected: "SkylakeX"}}},
		{"second choice passes", env(envOpenBLAS, "Haswell", envFrom, "Prescott", envRejected, "SkylakeX"), "Haswell", ok,
			decision{source: "hrmlab", from: "Prescott", note: "rejected at start: SkylakeX"}},
		{"last choice fails: OpenBLAS's own", env(envOpenBLAS, "Sandybridge", envFrom, "Prescott", envRejected, "SkylakeX,Haswell"), "Sandybridge", bad,
			decision{warn: "OpenBLAS Sandybridge kernels failed the SGEMM check (NN 3x5x7: c[0,0] = 1, want 2); using Prescott",
				exec: map[string]string{envOpenBLAS: "Prescott", envFrom: "Prescott", envRejected: "SkylakeX,Haswell,Sandybridge"}}},
		{"end of the chain: no more restarts", env(envOpenBLAS, "Prescott", envFrom, "Prescott", envRejected, "SkylakeX,Haswell,Sandybridge"), "Prescott", bad,
			decision{source: "openblas", note: "rejected at start: SkylakeX, Haswell, Sandybridge"}},
		{"the library lacks the core", env(envOpenBLAS, "SkylakeX", envFrom, "Prescott"), "Cooperlake", ok,
			decision{warn: "OpenBLAS has no SkylakeX kernels (it runs Cooperlake); using Haswell",
				exec: map[string]string{envOpenBLAS: "Haswell", envFrom: "Prescott", envRejected: "SkylakeX"}}},
		{"a named core fails: straight back", env(EnvCore, "Haswell", envOpenBLAS, "Haswell", envFrom, "Prescott"), "Haswell", bad,
			decision{warn: "OpenBLAS Haswell kernels failed the SGEMM check (NN 3x5x7: c[0,0] = 1, want 2); using Prescott",
				exec: map[string]string{envOpenBLAS: "Prescott", envFrom: "Prescott", envRejected: "Haswell"}}},
		{"a named core passes", env(EnvCore, "Haswell", envOpenBLAS, "Haswell", envFrom, "Prescott"), "Haswell", ok,
			decision{source: EnvCore, from: "Prescott"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := decide(tc.env, tc.running, cpuSPR, tc.check)
			if !equalDecision(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func equalDecision(a, b decision) bool {
	if len(a.exec) != len(b.exec) {
		return false
	}
	for k, v := range a.exec {
		if b.exec[k] != v {
			return false
		}
	}
	return a.source == b.source && a.from == b.from && a.note == b.note && a.warn == b.warn
}

// The chain cannot loop: following the decisions with every check failing
// ends, within as many restarts as there are candidates, in a process that
// runs OpenBLAS's own choice and restarts no more.
func TestDecideNeverLoops(t *testing.T) {
	for _, cpu := range []CPUFeatures{cpuSPR, cpuZen4, cpuHaswell, cpuAVX} {
		vars := map[string]string{}
		running := "Prescott"
		fail := func() error { return errors.New("wrong") }
		for restarts := 0; ; restarts++ {
			if restarts > 4 {
				t.Fatalf("%v: still restarting after %d restarts", cpu.Features(), restarts)
			}
			d := decide(func(k string) string { return vars[k] }, running, cpu, fail)
			if d.exec == nil {
				if running != "Prescott" || d.source != "openblas" {
					t.Fatalf("%v: ended on %s (%s), want OpenBLAS's own Prescott", cpu.Features(), running, d.source)
				}
				break
			}
			for k, v := range d.exec {
				vars[k] = v
			}
			running = vars[envOpenBLAS]
		}
	}
}

// checkSgemm passes the backend's kernel and catches kernels that are wrong
// in the ways a broken BLAS build is: an entry off, beta or a leading
// dimension ignored, one transpose case mixed up.
func TestCheckSgemm(t *testing.T) {
	if err := checkSgemm(serialGemm); err != nil {
		t.Fatalf("the backend's own kernel: %v", err)
	}
	good := sgemmFunc(gonum.Implementation{}.Sgemm)
	broken := map[string]sgemmFunc{
		"one entry off": func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			good(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			if m > 16 && n > 16 {
				c[16*ldc+16] *= 1.001
			}
		},
		"beta ignored": func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			good(tA, tB, m, n, k, alpha, a, lda, b, ldb, 0, c, ldc)
		},
		"ldc taken as n": func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			good(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
		},
		"TT computed as NN": func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			if tA == blas.Trans && tB == blas.Trans && m == k && k == n {
				tA, tB = blas.NoTrans, blas.NoTrans
			}
			good(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		},
	}
	for name, k := range broken {
		if err := checkSgemm(k); err == nil {
			t.Errorf("%s: the check passed a wrong kernel", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

// TestKernelReport is the child of the restart tests: with
// HRMLAB_TEST_KERNEL_REPORT set it prints BLAS() as JSON.
func TestKernelReport(t *testing.T) {
	if os.Getenv("HRMLAB_TEST_KERNEL_REPORT") == "" {
		t.Skip("run by TestSelectKernelsRestarts")
	}
	json.NewEncoder(os.Stdout).Encode(BLAS())
}

// TestSelectKernelsRestarts runs this test binary as a fresh process that
// OpenBLAS starts on its oldest kernels, and checks that SelectKernels
// restarted it on the best ones this CPU runs, checked, and said nothing.
func TestSelectKernelsRestarts(t *testing.T) {
	if !openblasDynamic() {
		t.Skip("needs the openblas build with a DYNAMIC_ARCH OpenBLAS")
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	best := ChooseCores("Prescott", CPU())
	run := func(t *testing.T, kv ...string) (BLASInfo, string) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestKernelReport$")
		cmd.Env = slices.DeleteFunc(os.Environ(), func(e string) bool {
			return strings.HasPrefix(e, "OPENBLAS_CORETYPE=") || strings.HasPrefix(e, "HRMLAB_BLAS_")
		})
		cmd.Env = append(cmd.Env, append([]string{"HRMLAB_TEST_KERNEL_REPORT=1"}, kv...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v\n%s", kv, err, stderr.String())
		}
		var info BLASInfo
		line, _, _ := strings.Cut(string(out), "\n")
		if err := json.Unmarshal([]byte(line), &info); err != nil {
			t.Fatalf("%v: %v in %q", kv, err, out)
		}
		return info, stderr.String()
	}
	t.Run("auto from Prescott", func(t *testing.T) {
		if len(best) == 0 {
			t.Skip("this CPU runs nothing better than Prescott")
		}
		info, stderr := run(t, "OPENBLAS_CORETYPE=Prescott", "HRMLAB_BLAS_CORE=auto")
		if info.Core != best[0] || info.Source != "hrmlab" || info.From != "Prescott" || info.Note != "" || stderr != "" {
			t.Fatalf("got %+v (stderr %q), want %s chosen by hrmlab from Prescott, silently", info, stderr, best[0])
		}
	})
	t.Run("the user's OPENBLAS_CORETYPE wins", func(t *testing.T) {
		info, _ := run(t, "OPENBLAS_CORETYPE=Prescott")
		if info.Core != "Prescott" || info.Source != "OPENBLAS_CORETYPE" {
			t.Fatalf("got %+v, want Prescott as the user set it", info)
		}
	})
	t.Run("keep", func(t *testing.T) {
		info, _ := run(t, "OPENBLAS_CORETYPE=Prescott", "HRMLAB_BLAS_CORE=keep")
		if info.Core != "Prescott" || info.Source != "openblas" {
			t.Fatalf("got %+v, want Prescott kept", info)
		}
	})
	// OpenBLAS 0.3.21 has no SapphireRapids kernels (it runs Cooperlake's for
	// that name): the restarted process sees the mismatch, says so once, and
	// goes back to the core the first process ran. A newer OpenBLAS has them.
	t.Run("a core the library lacks falls back", func(t *testing.T) {
		if !canRun("SapphireRapids", CPU()) {
			t.Skip("this CPU has no AVX-512")
		}
		info, stderr := run(t, "OPENBLAS_CORETYPE=Prescott", "HRMLAB_BLAS_CORE=SapphireRapids")
		if info.Core == "SapphireRapids" {
			t.Skip("this OpenBLAS has SapphireRapids kernels")
		}
		if info.Core != "Prescott" || info.Note != "rejected at start: SapphireRapids" ||
			strings.Count(stderr, "hrmlab:") != 1 || !strings.Contains(stderr, "no SapphireRapids kernels") {
			t.Fatalf("got %+v, stderr %q; want back on Prescott with one warning", info, stderr)
		}
	})
}
