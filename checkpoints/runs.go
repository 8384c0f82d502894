package checkpoints

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Run describes a run folder under an output folder.
type Run struct {
	Name        string // the folder's name
	Dir         string
	ConfigPath  string // Dir/lab.toml, "" when absent
	MetricsPath string // Dir/metrics.jsonl, "" when absent
	Checkpoints []Info // as List returns them
	Modified    time.Time
}

// ListRuns returns the runs in outDir, most recently modified first (ties by
// name). A run is a folder holding at least one of lab.toml, metrics.jsonl and
// a checkpoints folder; other entries are skipped. Modified is the latest
// modification time among those and the checkpoint files. A missing outDir
// gives an empty list.
func ListRuns(outDir string) ([]Run, error) {
	entries, err := os.ReadDir(outDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	var runs []Run
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		run, ok, err := readRun(filepath.Join(outDir, e.Name()))
		if err != nil {
			return nil, err
		}
		if ok {
			runs = append(runs, run)
		}
	}
	slices.SortFunc(runs, func(a, b Run) int {
		if c := b.Modified.Compare(a.Modified); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return runs, nil
}

// readRun describes the run folder dir; ok is false when dir is not a run.
func readRun(dir string) (run Run, ok bool, err error) {
	run = Run{Name: filepath.Base(dir), Dir: dir}
	seen := func(path string) bool {
		st, err := os.Stat(path)
		if err != nil {
			return false
		}
		if st.ModTime().After(run.Modified) {
			run.Modified = st.ModTime()
		}
		ok = true
		return true
	}
	if p := filepath.Join(dir, ConfigFile); seen(p) {
		run.ConfigPath = p
	}
	if p := filepath.Join(dir, MetricsFile); seen(p) {
		run.MetricsPath = p
	}
	if p := filepath.Join(dir, Dir); seen(p) {
		if run.Checkpoints, err = List(p); err != nil {
			return run, false, err
		}
		for _, c := range run.Checkpoints {
			if c.ModTime.After(run.Modified) {
				run.Modified = c.ModTime
			}
		}
	}
	return run, ok, nil
}
