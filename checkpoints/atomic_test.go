package checkpoints

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlpodyssey/safetensors"

	"hrmlab/engine"
)

// bigTensors holds more than WriteAtomic's 1 MiB buffer, so an
// interrupted save really leaves bytes in the temporary file.
func bigTensors(fill float32) []*engine.Tensor {
	w := &engine.Tensor{Name: "w", Shape: []int{1024, 1024}, F32: make([]float32, 1024*1024)}
	for i := range w.F32 {
		w.F32[i] = fill
	}
	return []*engine.Tensor{w, {Name: "n", Shape: []int{1}, I32: []int32{int32(fill)}}}
}

// failAfter passes the first n bytes through and then fails, like a disk
// that fills up or a process interrupted mid-write.
type failAfter struct {
	w     io.Writer
	n     int
	onHit func()
}

var errInjected = errors.New("injected write failure")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) <= f.n {
		f.n -= len(p)
		return f.w.Write(p)
	}
	k, _ := f.w.Write(p[:f.n])
	f.n = 0
	if f.onHit != nil {
		f.onHit()
	}
	return k, errInjected
}

func TestInterruptedSaveKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	path := Path(dir, 5)
	if err := Save(path, bigTensors(5), sampleMeta(5)); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	views, err := viewsOf(bigTensors(6))
	if err != nil {
		t.Fatal(err)
	}
	md, err := sampleMeta(6).toMap(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var full bytes.Buffer
	if err := safetensors.SerializeToWriter(views, md, &full); err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{0, 7, 8, 200, 3 << 20, full.Len() - 1} {
		t.Run(strconv.Itoa(k), func(t *testing.T) {
			partial := int64(-1)
			err := WriteAtomic(path, func(w io.Writer) error {
				fw := &failAfter{w: w, n: k, onHit: func() { partial = tempSize(t, dir) }}
				return safetensors.SerializeToWriter(views, md, fw)
			})
			if !errors.Is(err, errInjected) {
				t.Fatalf("WriteAtomic error = %v, want the injected failure", err)
			}
			if k > 2<<20 && partial <= 0 {
				t.Errorf("temporary file held %d bytes when the write failed; the test should interrupt a real partial file", partial)
			}
			after, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(after, before) {
				t.Fatalf("the previous checkpoint changed (err %v)", err)
			}
			c, err := Load(path)
			if err != nil || c.Meta.Step != 5 {
				t.Fatalf("previous checkpoint unreadable: %v", err)
			}
			if names := dirNames(t, dir); len(names) != 1 {
				t.Errorf("folder holds %v, want only %s", names, FileName(5))
			}
		})
	}
	// The same content written without interruption replaces the file.
	if err := WriteAtomic(path, func(w io.Writer) error { return safetensors.SerializeToWriter(views, md, w) }); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(path); err != nil || c.Meta.Step != 6 {
		t.Fatalf("after a complete save: step %v, err %v", c, err)
	}
}

// tempSize is the size of the temporary file of the save in progress in dir.
func tempSize(t *testing.T, dir string) int64 {
	for _, name := range dirNames(t, dir) {
		if isTempName(name) {
			st, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			return st.Size()
		}
	}
	return -1
}

func dirNames(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

func TestSaveIntoUnwritableFolderFails(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(blocker, Dir, FileName(1))
	if err := Save(path, sampleTensors(0), Meta{}); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Save under a regular file: error %v, want one naming %s", err, path)
	}
}

// crashEnv names the folder the helper process saves into until it is killed.
const crashEnv = "HRMLAB_CHECKPOINTS_CRASH_DIR"

// TestCrashHelper is not a test of its own: TestKilledDuringSave runs the
// test binary with crashEnv set, and this saves checkpoints in a loop, each
// with every value equal to its step, until the process is killed.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("helper process for TestKilledDuringSave")
	}
	for step := 1; ; step++ {
		if err := Save(Path(dir, 1), bigTensors(float32(step)), Meta{Step: step}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKilledDuringSave kills a process in the middle of a save (SIGKILL, so
// nothing is cleaned up) and checks that the final name holds a complete
// checkpoint and that listings ignore the leftover temporary file, which
// Prune then removes.
func TestKilledDuringSave(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !(fileExists(Path(dir, 1)) && tempSize(t, dir) > 0) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the helper never had a save in progress after a complete one")
		}
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	c, err := Load(Path(dir, 1))
	if err != nil {
		t.Fatalf("after the kill: %v", err)
	}
	for _, tn := range c.Tensors {
		for _, v := range tn.F32 {
			if v != float32(c.Meta.Step) {
				t.Fatalf("tensor %q holds %v in the checkpoint of step %d: a mixed file", tn.Name, v, c.Meta.Step)
			}
		}
	}
	infos, err := List(dir)
	if err != nil || len(infos) != 1 || infos[0].Err != nil {
		t.Fatalf("List = %+v, %v; want the one checkpoint", infos, err)
	}
	if _, err := Latest(dir); err != nil {
		t.Fatal(err)
	}
	removed, err := Prune(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range removed {
		if !isTempName(filepath.Base(p)) {
			t.Errorf("Prune removed %s", p)
		}
	}
	if names := dirNames(t, dir); len(names) != 1 || names[0] != FileName(1) {
		t.Errorf("after Prune the folder holds %v", names)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestSaveBareFileName(t *testing.T) {
	t.Chdir(t.TempDir())
	name := FileName(3)
	err := WriteAtomic(name, func(w io.Writer) error {
		if tempSize(t, ".") < 0 {
			t.Error("the temporary file is not in the current folder")
		}
		_, err := w.Write([]byte("x"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(name, sampleTensors(1), sampleMeta(3)); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(name); err != nil || c.Meta.Step != 3 {
		t.Fatalf("Load(%s) = %v", name, err)
	}
}

// BenchmarkSave and BenchmarkLoad measure a checkpoint of 16 MiB of weights.
func BenchmarkSave(b *testing.B) {
	path := filepath.Join(b.TempDir(), FileName(1))
	tensors := append(bigTensors(1), bigTensors(2)[0], bigTensors(3)[0], bigTensors(4)[0])
	for i, t := range tensors[2:] {
		t.Name = "w" + strconv.Itoa(i)
	}
	b.SetBytes(16 << 20)
	for b.Loop() {
		if err := Save(path, tensors, sampleMeta(1)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	path := filepath.Join(b.TempDir(), FileName(1))
	tensors := append(bigTensors(1), bigTensors(2)[0], bigTensors(3)[0], bigTensors(4)[0])
	for i, t := range tensors[2:] {
		t.Name = "w" + strconv.Itoa(i)
	}
	if err := Save(path, tensors, sampleMeta(1)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(16 << 20)
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}
