package engine

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/cpu"
)

// OpenBLAS built with DYNAMIC_ARCH (Debian's and most distributions') picks
// its kernels once, when the library loads: from OPENBLAS_CORETYPE if set,
// else by recognising the CPU. A CPU newer than the library is not
// recognised and gets the oldest kernels (Debian 12's 0.3.21 runs Prescott,
// SSE3 only, on Sapphire/Emerald Rapids: a quarter of SkylakeX's SGEMM). The
// choice below names the kernels the CPU can run; SelectKernels (blascore.go)
// re-executes the process with them.

// CPUFeatures is what the kernel choice needs to know of the processor.
// The AVX flags are set only where the operating system saves the registers
// (golang.org/x/sys/cpu checks XGETBV).
type CPUFeatures struct {
	Vendor                                string // "intel", "amd" or "" (other or unknown)
	Model                                 string // the processor's name, for reports
	Family, ModelNumber                   int    // CPUID family and model (0: unknown)
	SSE3, AVX, AVX2, FMA, AVXVNNI         bool
	AVX512F, AVX512BW, AVX512DQ, AVX512VL bool
	AVX512CD, AVX512VNNI, AVX512BF16, AMX bool
}

// coreTier ranks OpenBLAS's x86-64 core names (openblas_get_corename) by the
// widest vector instructions their kernels use: 0 SSE, 1 AVX (and AMD's
// Bulldozer line), 2 AVX2 with FMA, 3 AVX-512. A name not listed (a newer
// OpenBLAS's) is trusted as it is.
var coreTier = map[string]int{
	"Katmai": 0, "Coppermine": 0, "Northwood": 0, "Prescott": 0, "Banias": 0, "Atom": 0,
	"Core2": 0, "Penryn": 0, "Dunnington": 0, "Nehalem": 0, "Athlon": 0, "Opteron": 0,
	"Opteron_SSE3": 0, "Barcelona": 0, "Nano": 0, "Bobcat": 0,
	"Sandybridge": 1, "Bulldozer": 1, "Piledriver": 1, "Steamroller": 1, "Excavator": 1,
	"Haswell": 2, "Zen": 2,
	"SkylakeX": 3, "Cooperlake": 3, "SapphireRapids": 3,
}

// coreNeeds says whether a CPU with features f can run the kernels of tier t.
func coreNeeds(t int, f CPUFeatures) bool {
	switch t {
	case 3:
		return f.AVX512F && f.AVX512BW && f.AVX512DQ && f.AVX512VL && f.AVX2 && f.FMA
	case 2:
		return f.AVX2 && f.FMA
	case 1:
		return f.AVX
	}
	return true
}

// ChooseCores returns the OpenBLAS cores to try instead of running, best
// first, or nil when running is already as strong as this CPU allows (or is
// a name this table does not know). Cooperlake adds bfloat16 kernels to
// SkylakeX's; its SGEMM is built from the same source, and on an Emerald
// Rapids Xeon four interleaved rounds showed no consistent difference
// (docs/performance.md), so AVX512_BF16 does not change the choice. AMD's
// AVX2 parts get Zen, the same AVX2 kernels with AMD's block sizes.
func ChooseCores(running string, f CPUFeatures) []string {
	have, known := coreTier[running]
	if !known {
		return nil
	}
	avx2 := "Haswell"
	if f.Vendor == "amd" {
		avx2 = "Zen"
	}
	var out []string
	for _, c := range []struct {
		name string
		tier int
	}{{"SkylakeX", 3}, {avx2, 2}, {"Sandybridge", 1}} {
		if c.tier > have && coreNeeds(c.tier, f) {
			out = append(out, c.name)
		}
	}
	return out
}

// canRun says whether this CPU can run the named core's kernels; unknown
// names are refused (OpenBLAS 0.3.21 maps a name it does not know to
// Cooperlake, which faults on a CPU without AVX-512).
func canRun(name string, f CPUFeatures) bool {
	t, ok := coreTier[name]
	return ok && coreNeeds(t, f)
}

// CPU describes this machine's processor: vendor, name and the vector
// features the engine and OpenBLAS care about.
func CPU() CPUFeatures {
	x := cpu.X86
	f := CPUFeatures{
		AVX: x.HasAVX, AVX2: x.HasAVX2, FMA: x.HasFMA,
		AVX512F: x.HasAVX512F, AVX512BW: x.HasAVX512BW, AVX512DQ: x.HasAVX512DQ, AVX512VL: x.HasAVX512VL,
		AVX512BF16: x.HasAVX512BF16, SSE3: x.HasSSE3, AVX512CD: x.HasAVX512CD,
		AVX512VNNI: x.HasAVX512VNNI, AVXVNNI: x.HasAVXVNNI, AMX: x.HasAMXTile,
	}
	f.Vendor, f.Model, f.Family, f.ModelNumber = procCPUInfo()
	return f
}

// Features lists the flags set, in a fixed order, for reports.
func (f CPUFeatures) Features() []string {
	var out []string
	for _, x := range []struct {
		on   bool
		name string
	}{{f.SSE3, "sse3"}, {f.AVX, "avx"}, {f.AVX2, "avx2"}, {f.FMA, "fma"}, {f.AVXVNNI, "avx_vnni"},
		{f.AVX512F, "avx512f"}, {f.AVX512CD, "avx512cd"}, {f.AVX512BW, "avx512bw"}, {f.AVX512DQ, "avx512dq"},
		{f.AVX512VL, "avx512vl"}, {f.AVX512VNNI, "avx512_vnni"}, {f.AVX512BF16, "avx512_bf16"}, {f.AMX, "amx_tile"}} {
		if x.on {
			out = append(out, x.name)
		}
	}
	return out
}

// String is the one-line description of the processor for reports, for
// example "Intel(R) Xeon(R) Processor (family 6 model 207)".
func (f CPUFeatures) String() string {
	name := f.Model
	if name == "" {
		name = runtime.GOARCH + " processor"
	}
	if f.Family > 0 {
		name += fmt.Sprintf(" (family %d model %d)", f.Family, f.ModelNumber)
	}
	return name
}

// procCPUInfo reads the vendor, model name, family and model number of the
// first processor from /proc/cpuinfo (Linux); elsewhere they stay unknown.
func procCPUInfo() (vendor, model string, family, number int) {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "", "", 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			if line == "" && model != "" {
				break // the first processor's block is enough
			}
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "vendor_id":
			switch v {
			case "GenuineIntel":
				vendor = "intel"
			case "AuthenticAMD", "HygonGenuine":
				vendor = "amd"
			}
		case "model name":
			model = v
		case "cpu family":
			family, _ = strconv.Atoi(v)
		case "model":
			number, _ = strconv.Atoi(v)
		}
	}
	return vendor, model, family, number
}
