package checkpoints

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Names inside a run folder (runs/<run>/).
const (
	ConfigFile  = "lab.toml"      // the config the run used
	MetricsFile = "metrics.jsonl" // one JSON line per logged step and evaluation
	Dir         = "checkpoints"   // the checkpoint files
)

const (
	filePrefix = "step-"
	fileSuffix = ".safetensors"
)

// ErrNoCheckpoint is returned (wrapped) by Latest when a folder holds no
// readable checkpoint.
var ErrNoCheckpoint = errors.New("no readable checkpoint")

// FileName is the name of the checkpoint of a step: step-NNNNNNN.safetensors,
// the step zero-padded to 7 digits (more digits past 9,999,999).
func FileName(step int) string {
	return fmt.Sprintf("%s%07d%s", filePrefix, step, fileSuffix)
}

// Path is the path of the checkpoint of a step in the checkpoints folder dir.
func Path(dir string, step int) string { return filepath.Join(dir, FileName(step)) }

// stepOf parses a checkpoint file name; ok is false for any other name
// (including the hidden temporary files of saves in progress).
func stepOf(name string) (step int, ok bool) {
	digits, found := strings.CutPrefix(name, filePrefix)
	if !found {
		return 0, false
	}
	digits, found = strings.CutSuffix(digits, fileSuffix)
	if !found || len(digits) < 7 {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	step, err := strconv.Atoi(digits)
	return step, err == nil
}

// tempPrefix starts the name of a save's temporary file; WriteAtomic
// names it tempPrefix + final name + random suffix.
const tempPrefix = "."

// isTempName reports whether name is the temporary file of a checkpoint save.
func isTempName(name string) bool {
	rest, ok := strings.CutPrefix(name, tempPrefix+filePrefix)
	return ok && strings.Contains(rest, fileSuffix+".tmp-")
}

// Info describes a checkpoint file in a listing, from its name, its file
// system entry and its header (the tensors are not read).
type Info struct {
	Path    string
	Step    int // from the file name
	Size    int64
	ModTime time.Time
	Meta    Meta  // valid when Err is nil; Meta.Created is the save time, Meta.Float reads KeyTrainLoss, KeyEvalExact
	Err     error // why the header is unreadable (damaged, truncated, foreign), naming the file
}

// List returns the checkpoints in the checkpoints folder dir sorted by step,
// oldest first. Unreadable files are listed with Err set. A missing folder
// gives an empty list.
func List(dir string) ([]Info, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	var infos []Info
	for _, e := range entries {
		step, ok := stepOf(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		infos = append(infos, readInfo(filepath.Join(dir, e.Name()), step))
	}
	slices.SortFunc(infos, func(a, b Info) int { return cmp.Compare(a.Step, b.Step) })
	return infos, nil
}

// readInfo reads the header of the checkpoint at path.
func readInfo(path string, step int) Info {
	info := Info{Path: path, Step: step}
	f, err := os.Open(path)
	if err != nil {
		info.Err = fmt.Errorf("checkpoints: %w", err)
		return info
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		info.Err = fmt.Errorf("checkpoints: %w", err)
		return info
	}
	info.Size, info.ModTime = st.Size(), st.ModTime()
	if info.Meta, err = readMeta(f, info.Size); err != nil {
		info.Err = fmt.Errorf("checkpoints: %s: %w", path, err)
	}
	return info
}

// readMeta reads and validates the header of a checkpoint of size bytes
// and returns its metadata.
func readMeta(r io.ReaderAt, size int64) (Meta, error) {
	var prefix [8]byte
	if size >= 8 {
		if _, err := r.ReadAt(prefix[:], 0); err != nil {
			return Meta{}, err
		}
	}
	n, err := headerLen(prefix[:], size)
	if err != nil {
		return Meta{}, err
	}
	header := make([]byte, n)
	if _, err := r.ReadAt(header, 8); err != nil {
		return Meta{}, err
	}
	md, err := parseHeader(header, uint64(size)-8-n)
	if err != nil {
		return Meta{}, err
	}
	return metaFromMap(md.Metadata())
}

// Latest returns the readable checkpoint with the highest step in the
// checkpoints folder dir, skipping damaged files, or an error wrapping
// ErrNoCheckpoint when there is none.
func Latest(dir string) (Info, error) {
	infos, err := List(dir)
	if err != nil {
		return Info{}, err
	}
	for i := len(infos) - 1; i >= 0; i-- {
		if infos[i].Err == nil {
			return infos[i], nil
		}
	}
	return Info{}, fmt.Errorf("checkpoints: %s: %w", dir, ErrNoCheckpoint)
}

// Prune deletes all but the keep checkpoints with the highest steps in the
// checkpoints folder dir, judged by file name (keep <= 0 keeps them all), and
// the temporary files left behind by saves that were killed. It returns the
// deleted paths. It must not run while a save into dir is in progress.
func Prune(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	type file struct {
		step int
		path string
	}
	var files []file
	var removed []string
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if step, ok := stepOf(e.Name()); ok && e.Type().IsRegular() {
			files = append(files, file{step, path})
			continue
		}
		if !isTempName(e.Name()) {
			continue
		}
		if err := os.Remove(path); err != nil {
			return removed, fmt.Errorf("checkpoints: %w", err)
		}
		removed = append(removed, path)
	}
	if keep <= 0 {
		return removed, nil
	}
	slices.SortFunc(files, func(a, b file) int { return cmp.Compare(a.step, b.step) })
	for _, f := range files[:max(0, len(files)-keep)] {
		if err := Delete(f.path); err != nil {
			return removed, err
		}
		removed = append(removed, f.path)
	}
	return removed, nil
}

// Delete removes the checkpoint file at path. It refuses paths whose name is
// not a checkpoint's (step-NNNNNNN.safetensors), so a mistaken path cannot
// delete anything else.
func Delete(path string) error {
	if _, ok := stepOf(filepath.Base(path)); !ok {
		return fmt.Errorf("checkpoints: delete %s: not a checkpoint file name (want %s)", path, FileName(0))
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	syncDir(filepath.Dir(path))
	return nil
}
