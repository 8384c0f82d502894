package checkpoints

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFileNames(t *testing.T) {
	if got := FileName(42); got != "step-0000042.safetensors" {
		t.Errorf("FileName(42) = %q", got)
	}
	if got := FileName(12345678); got != "step-12345678.safetensors" {
		t.Errorf("FileName(12345678) = %q", got)
	}
	if got, want := Path("runs/a/checkpoints", 7), filepath.Join("runs", "a", "checkpoints", "step-0000007.safetensors"); got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
	for name, want := range map[string]int{"step-0000000.safetensors": 0, "step-0000042.safetensors": 42, "step-12345678.safetensors": 12345678} {
		if got, ok := stepOf(name); !ok || got != want {
			t.Errorf("stepOf(%q) = %d, %v; want %d", name, got, ok, want)
		}
	}
	for _, name := range []string{"step-42.safetensors", "step-00000x2.safetensors", "step-0000042.safetensors.tmp-1", "step--000042.safetensors",
		".step-0000042.safetensors.tmp-123", "step-0000042.pt", "lab.toml", "step-99999999999999999999999.safetensors"} {
		if step, ok := stepOf(name); ok {
			t.Errorf("stepOf(%q) = %d, want not a checkpoint name", name, step)
		}
	}
}

// saveSteps saves a checkpoint of each step into dir, with train_loss
// 1/(step+1), and returns their paths.
func saveSteps(t *testing.T, dir string, steps ...int) []string {
	t.Helper()
	var paths []string
	for _, s := range steps {
		m := sampleMeta(s)
		m.Extra = map[string]string{KeyTrainLoss: strconv.FormatFloat(1/float64(s+1), 'g', -1, 64)}
		if err := Save(Path(dir, s), sampleTensors(float32(s)), m); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, Path(dir, s))
	}
	return paths
}

func TestListOrdersByStep(t *testing.T) {
	dir := t.TempDir()
	saveSteps(t, dir, 100, 5, 20000000, 42)
	// Things that are not checkpoints are skipped.
	for _, name := range []string{"notes.txt", "step-12.safetensors", ".step-0000001.safetensors.tmp-99"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, FileName(3)), 0o755); err != nil {
		t.Fatal(err)
	}
	infos, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var steps []int
	for _, info := range infos {
		steps = append(steps, info.Step)
		if info.Err != nil {
			t.Errorf("%s: %v", info.Path, info.Err)
			continue
		}
		st, err := os.Stat(info.Path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Path != Path(dir, info.Step) || info.Size != st.Size() || !info.ModTime.Equal(st.ModTime()) {
			t.Errorf("info %+v does not match the file (size %d, modified %v)", info, st.Size(), st.ModTime())
		}
		if info.Meta.Step != info.Step || info.Meta.Backend != "gonum" || info.Meta.Config != sampleMeta(0).Config || info.Meta.Created.IsZero() {
			t.Errorf("%s: meta %+v", info.Path, info.Meta)
		}
		if loss, ok := info.Meta.Float(KeyTrainLoss); !ok || loss != 1/float64(info.Step+1) {
			t.Errorf("%s: train_loss %v, %v", info.Path, loss, ok)
		}
		if _, ok := info.Meta.Float(KeyEvalExact); ok {
			t.Errorf("%s: eval_exact present", info.Path)
		}
	}
	if want := []int{5, 42, 100, 20000000}; !reflect.DeepEqual(steps, want) {
		t.Errorf("steps %v, want %v", steps, want)
	}
}

func TestListMissingFolder(t *testing.T) {
	infos, err := List(filepath.Join(t.TempDir(), "nope"))
	if err != nil || len(infos) != 0 {
		t.Fatalf("List of a missing folder = %v, %v; want empty", infos, err)
	}
	if _, err := Latest(filepath.Join(t.TempDir(), "nope")); !errors.Is(err, ErrNoCheckpoint) {
		t.Fatalf("Latest of a missing folder: %v, want ErrNoCheckpoint", err)
	}
}

func TestLatestSkipsDamaged(t *testing.T) {
	dir := t.TempDir()
	if _, err := Latest(dir); !errors.Is(err, ErrNoCheckpoint) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Latest of an empty folder: %v, want ErrNoCheckpoint naming %s", err, dir)
	}
	saveSteps(t, dir, 10, 30, 20)
	info, err := Latest(dir)
	if err != nil || info.Step != 30 {
		t.Fatalf("Latest = step %d, %v; want 30", info.Step, err)
	}
	if err := os.Truncate(Path(dir, 30), 100); err != nil {
		t.Fatal(err)
	}
	info, err = Latest(dir)
	if err != nil || info.Step != 20 {
		t.Fatalf("Latest with step 30 damaged = step %d, %v; want 20", info.Step, err)
	}
}

func TestPruneKeepsLastN(t *testing.T) {
	dir := t.TempDir()
	paths := saveSteps(t, dir, 1, 500, 20, 3000, 4)
	removed, err := Prune(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	// paths are in save order: 1, 500, 20, 3000, 4; the oldest steps go.
	if want := []string{paths[0], paths[4], paths[2]}; !reflect.DeepEqual(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	if names := dirNames(t, dir); !reflect.DeepEqual(names, []string{FileName(500), FileName(3000)}) {
		t.Errorf("left %v", names)
	}
	for _, keep := range []int{2, 5, 0, -1} {
		if removed, err := Prune(dir, keep); err != nil || len(removed) != 0 {
			t.Errorf("Prune(keep %d) removed %v, %v; want nothing", keep, removed, err)
		}
	}
	if removed, err := Prune(filepath.Join(dir, "nope"), 1); err != nil || len(removed) != 0 {
		t.Errorf("Prune of a missing folder = %v, %v", removed, err)
	}
	if removed, err := Prune(dir, 1); err != nil || !reflect.DeepEqual(removed, []string{Path(dir, 500)}) {
		t.Errorf("Prune(keep 1) = %v, %v", removed, err)
	}
}

func TestDelete(t *testing.T) {
	dir := t.TempDir()
	paths := saveSteps(t, dir, 7)
	other := filepath.Join(dir, ConfigFile)
	if err := os.WriteFile(other, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Delete(other); err == nil || !strings.Contains(err.Error(), "not a checkpoint file name") || !fileExists(other) {
		t.Errorf("Delete(%s) = %v; want a refusal and the file kept", other, err)
	}
	if err := Delete(paths[0]); err != nil || fileExists(paths[0]) {
		t.Errorf("Delete = %v, file still there: %v", err, fileExists(paths[0]))
	}
	if err := Delete(paths[0]); err == nil || !strings.Contains(err.Error(), paths[0]) {
		t.Errorf("Delete of a deleted file = %v, want an error naming it", err)
	}
}

func TestListRuns(t *testing.T) {
	out := t.TempDir()
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	write := func(path string, mod time.Time) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	// "full": config, metrics and two checkpoints, the newest file an hour after old.
	full := filepath.Join(out, "full")
	write(filepath.Join(full, ConfigFile), old)
	write(filepath.Join(full, MetricsFile), old.Add(time.Minute))
	ckpts := saveSteps(t, filepath.Join(full, Dir), 20, 10)
	for i, p := range ckpts {
		if err := os.Chtimes(p, old, old.Add(time.Duration(i+1)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(filepath.Join(full, Dir), old, old); err != nil {
		t.Fatal(err)
	}
	// "fresh": only a config, two hours after old; "same" ties with it.
	write(filepath.Join(out, "fresh", ConfigFile), old.Add(3*time.Hour))
	write(filepath.Join(out, "same", MetricsFile), old.Add(3*time.Hour))
	// Not runs: an empty folder, a folder of other files, a file.
	if err := os.Mkdir(filepath.Join(out, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(out, "other", "notes.txt"), old)
	write(filepath.Join(out, "stray.txt"), old)

	runs, err := ListRuns(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range runs {
		names = append(names, r.Name)
	}
	if want := []string{"fresh", "same", "full"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("runs %v, want %v", names, want)
	}
	f := runs[2]
	if f.Dir != full || f.ConfigPath != filepath.Join(full, ConfigFile) || f.MetricsPath != filepath.Join(full, MetricsFile) {
		t.Errorf("full run paths: %+v", f)
	}
	if !f.Modified.Equal(old.Add(2 * time.Hour)) {
		t.Errorf("full run modified %v, want %v", f.Modified, old.Add(2*time.Hour))
	}
	if len(f.Checkpoints) != 2 || f.Checkpoints[0].Step != 10 || f.Checkpoints[1].Step != 20 {
		t.Errorf("full run checkpoints %+v", f.Checkpoints)
	}
	if r := runs[0]; r.MetricsPath != "" || r.Checkpoints != nil || r.ConfigPath == "" {
		t.Errorf("fresh run %+v", r)
	}
	if r := runs[1]; r.ConfigPath != "" || r.MetricsPath == "" {
		t.Errorf("same run %+v", r)
	}
	if runs, err := ListRuns(filepath.Join(out, "nope")); err != nil || len(runs) != 0 {
		t.Errorf("ListRuns of a missing folder = %v, %v", runs, err)
	}
}
