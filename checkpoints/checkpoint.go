// Package checkpoints saves and loads HRM Lab checkpoints and manages run
// folders.
//
// A checkpoint is a safetensors file (https://huggingface.co/docs/safetensors):
// F32 and I32 tensors under the engine's names (the model under the PyTorch
// reference's state-dict names, the optimizer state, the EMA weights, the ACT
// carry) and a __metadata__ string map holding Meta: format, format_version,
// config (the full TOML of the run), step, backend, created, and the trainer's
// own keys (RNG state, data position, ...).
//
// Save writes atomically: a temporary file in the same folder, fsync, rename
// over the final name, fsync of the folder. An interrupted save leaves the
// previous file under the final name untouched. Load validates everything it
// reads and names the file and the problem in its errors.
//
// A run folder holds:
//
//	runs/<run>/lab.toml
//	runs/<run>/metrics.jsonl
//	runs/<run>/checkpoints/step-NNNNNNN.safetensors
//
// Reading and writing the container is done by github.com/nlpodyssey/safetensors,
// which reads and writes every dtype we need with __metadata__ and streams
// tensors to an io.Writer; this package adds the validation with clear
// messages, the atomic write and the folder conventions.
package checkpoints

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/nlpodyssey/safetensors"

	"hrmlab/engine"
)

// Checkpoint is a loaded checkpoint.
type Checkpoint struct {
	Path    string
	Meta    Meta
	Tensors []*engine.Tensor // sorted by name; Trainable is not stored and is false

	byName map[string]*engine.Tensor
}

// Tensor returns the tensor with the given name.
func (c *Checkpoint) Tensor(name string) (*engine.Tensor, bool) {
	t, ok := c.byName[name]
	return t, ok
}

// Save writes tensors and meta to path atomically, creating path's folder if
// needed. The tensors are read during the call and must not change meanwhile.
// Each tensor needs a unique, non-empty name and exactly one of F32 and I32
// (F32 when the shape has no elements and both are nil) matching its shape.
func Save(path string, tensors []*engine.Tensor, meta Meta) error {
	md, err := meta.toMap(time.Now())
	if err != nil {
		return fmt.Errorf("checkpoints: save %s: %w", path, err)
	}
	views, err := viewsOf(tensors)
	if err != nil {
		return fmt.Errorf("checkpoints: save %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("checkpoints: save %s: %w", path, err)
	}
	err = WriteAtomic(path, func(w io.Writer) error {
		return safetensors.SerializeToWriter(views, md, w)
	})
	if err != nil {
		return fmt.Errorf("checkpoints: save %s: %w", path, err)
	}
	return nil
}

// WriteAtomic writes a file through write so that path holds either its
// previous content or the complete new content, never a part: the data goes
// to a temporary file in the same folder (hidden, so listings skip it), which
// is synced and renamed over path. On error the temporary file is removed.
func WriteAtomic(path string, write func(io.Writer) error) (err error) {
	// filepath.Dir, not Split: a bare file name must get its temporary file
	// in ".", not in os.TempDir on another file system.
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPrefix+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				f.Close()
			}
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	closed = true
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: the rename has
// already happened and the file is complete, and some systems (Windows, some
// network file systems) cannot sync a folder.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}

// Load reads and validates the checkpoint at path. A file that is damaged,
// truncated, not a safetensors file or not an HRM Lab checkpoint gives an
// error naming the file and the problem.
func Load(path string) (*Checkpoint, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	c, err := decodeCheckpoint(buf)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// ErrForeign marks a file that is a state dict but not an HRM Lab
// checkpoint (a torch.save archive, or safetensors without hrmlab metadata):
// ImportReference reads those.
var ErrForeign = errors.New("not an hrmlab checkpoint")

// decodeCheckpoint parses an HRM Lab checkpoint held in buf.
func decodeCheckpoint(buf []byte) (*Checkpoint, error) {
	if isZip(buf) {
		return nil, fmt.Errorf("%w: a torch.save zip archive (a PyTorch reference state dict can be read with ImportReference)", ErrForeign)
	}
	md, views, err := decodeFile(buf)
	if err != nil {
		return nil, err
	}
	meta, err := metaFromMap(md)
	if err != nil {
		return nil, err
	}
	c := &Checkpoint{Meta: meta, byName: make(map[string]*engine.Tensor, len(views))}
	for _, v := range views {
		if dt := v.TensorView.DType(); dt != safetensors.F32 && dt != safetensors.I32 {
			return nil, fmt.Errorf("tensor %q has dtype %s; hrmlab checkpoints hold F32 and I32 only", v.Name, dt)
		}
		t, err := toTensor(v)
		if err != nil {
			return nil, err
		}
		c.Tensors = append(c.Tensors, t)
		c.byName[t.Name] = t
	}
	return c, nil
}
