package lab

import (
	"bufio"
	"bytes"
	"embed"
	"path"
	"sort"
	"strings"
)

//go:embed presets/*.toml
var presetFS embed.FS

// DefaultPreset is the name of the embedded default experiment (lab.toml).
const DefaultPreset = "sudoku4-hrm"

// PresetInfo names a preset and says in a line what it trains.
type PresetInfo struct {
	Name    string
	Summary string
}

// Presets lists the named experiments: the default first, then the files of
// lab/presets in name order.
func Presets() []PresetInfo {
	out := []PresetInfo{{DefaultPreset, summary(defaultTOML)}}
	entries, _ := presetFS.ReadDir("presets")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".toml"))
	}
	sort.Strings(names)
	for _, n := range names {
		text, _ := presetFS.ReadFile(path.Join("presets", n+".toml"))
		out = append(out, PresetInfo{n, summary(text)})
	}
	return out
}

// Preset returns a named experiment: its file's keys over the defaults.
func Preset(name string) (*Config, error) {
	return Experiment("", name, nil)
}

// presetText returns a preset's lab.toml text and the name errors give it.
func presetText(name string) ([]byte, string, error) {
	if name == DefaultPreset {
		return defaultTOML, defaultSource, nil
	}
	text, err := presetFS.ReadFile(path.Join("presets", name+".toml"))
	if err != nil {
		var names []string
		for _, p := range Presets() {
			names = append(names, p.Name)
		}
		return nil, "", inputErrorf("unknown preset %q (presets: %s)", name, strings.Join(names, ", "))
	}
	return text, "preset " + name, nil
}

// summary is the first comment line of a lab.toml, without the "# " and any
// "HRM Lab — " lead.
func summary(text []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if s, ok := strings.CutPrefix(line, "#"); ok {
			s = strings.TrimSpace(s)
			if _, rest, ok := strings.Cut(s, " — "); ok && strings.HasPrefix(s, "HRM Lab") {
				s = rest
			}
			return s
		}
	}
	return ""
}
