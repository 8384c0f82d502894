package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"hrmlab/checkpoints"
)

// Checkpoint metadata of a branched run: the run it branched from and the
// step of the fork (the same values as run.parent and run.parent_step).
const (
	KeyParentRun  = "parent_run"
	KeyParentStep = "parent_step"
)

// runDir is the run folder the checkpoint was saved in
// (runs/<name>/checkpoints/step-N.safetensors), or "" for a checkpoint
// outside one.
func (c *loadedCheckpoint) runDir() string {
	dir := filepath.Dir(filepath.Dir(c.path))
	if filepath.Base(filepath.Dir(c.path)) != checkpoints.Dir {
		return ""
	}
	for _, f := range []string{checkpoints.ConfigFile, checkpoints.MetricsFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return ""
		}
	}
	return dir
}

// branchConfig checks a branch's config want against the parent checkpoint's
// and splits it into: the config the session is built and restored with (the
// parent's, under the branch's name, folder and lineage), the lab.toml of the
// branch's folder (want, with its lineage), and the live edits applied at the
// fork. Only live keys may differ from the parent's: the rest of its state
// would not fit. A branch without a name of its own gets
// <parent>-b<step>[-N].
func branchConfig(ck *loadedCheckpoint, want *Config) (base, folder *Config, edits []string, err error) {
	parent := ck.cfg
	folder = want.Clone()
	folder.Run.Parent, folder.Run.ParentStep = ck.path, ck.meta.Step
	if dir := ck.runDir(); dir != "" {
		folder.Run.Parent = filepath.Base(dir)
	}
	if folder.Run.Name == "" || folder.Run.Name == parent.Run.Name {
		folder.Run.Name = freeName(folder.Run.Out, fmt.Sprintf("%s-b%d", strings.TrimSuffix(filepath.Base(folder.Run.Parent), ".safetensors"), ck.meta.Step))
	} else if _, err := os.Stat(filepath.Join(folder.Run.Out, folder.Run.Name)); err == nil {
		return nil, nil, nil, inputErrorf("run.name %q: %s exists; a branch starts a folder of its own", folder.Run.Name, filepath.Join(folder.Run.Out, folder.Run.Name))
	}
	old := Fields(parent)
	for i, f := range Fields(folder) {
		if f.Value == old[i].Value || lineageKeys[f.Key] {
			continue
		}
		if !f.Live {
			return nil, nil, nil, inputErrorf("%s: a branch starts from its parent's exact state, so only live keys may change (%s is structural: start a new run to change it)", f.Key, f.Key)
		}
		edits = append(edits, f.Key+"="+f.Value)
	}
	base = parent.Clone()
	base.Run.Name, base.Run.Out, base.Run.Parent, base.Run.ParentStep = folder.Run.Name, folder.Run.Out, folder.Run.Parent, folder.Run.ParentStep
	return base, folder, edits, nil
}

// freeName is name, or name-2, name-3, ... whichever has no folder in out yet.
func freeName(out, name string) string {
	for i := 1; ; i++ {
		n := name
		if i > 1 {
			n += "-" + strconv.Itoa(i)
		}
		if _, err := os.Stat(filepath.Join(out, n)); err != nil {
			return n
		}
	}
}

// ForkPoint reads what a branch from a checkpoint (or a run folder's latest)
// starts with: the checkpoint file, its config and its step.
func ForkPoint(path string) (file string, cfg *Config, step int, err error) {
	c, err := loadCheckpoint(path)
	if err != nil {
		return "", nil, 0, err
	}
	return c.path, c.cfg, c.meta.Step, nil
}
