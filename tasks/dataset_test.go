package tasks

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio"
)

func TestDatasetDeterministic(t *testing.T) {
	opts := Options{Kind: "sudoku", Size: 6, TrainCount: 20, TestCount: 10, Augment: true, NumAug: 3, Seed: 11}
	d1, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := New(opts)
	opts.Seed = 12
	d3, _ := New(opts)
	same := func(x, y []Example) bool {
		return slices.EqualFunc(x, y, func(a, b Example) bool {
			return slices.Equal(a.Input, b.Input) && slices.Equal(a.Label, b.Label) && a.PuzzleID == b.PuzzleID
		})
	}
	if !same(d1.Train, d2.Train) || !same(d1.Test, d2.Test) {
		t.Fatal("same seed, different data")
	}
	if same(d1.Train, d3.Train) {
		t.Fatal("different seeds, same data")
	}
	if len(d1.Train) != 80 || d1.TrainIndex.Groups() != 20 || d1.TrainIndex.Puzzles() != 80 || len(d1.Test) != 10 {
		t.Fatalf("train %d examples %d groups %d puzzles, test %d", len(d1.Train), d1.TrainIndex.Groups(), d1.TrainIndex.Puzzles(), len(d1.Test))
	}
	s := d1.Task.(*Sudoku)
	for _, ex := range slices.Concat(d1.Train, d1.Test) {
		assertUniquePuzzle(t, s, ex, "dataset")
	}
	s1, s2 := d1.NewSampler(5), d2.NewSampler(5)
	for range 7 {
		a1, b1, c1, err1 := s1.Next(16)
		a2, b2, c2, err2 := s2.Next(16)
		if err1 != nil || err2 != nil || !slices.Equal(a1, a2) || !slices.Equal(b1, b2) || !slices.Equal(c1, c2) {
			t.Fatal("same sampler seed, different batches")
		}
	}
}

func TestSamplerFixedFollowsGroups(t *testing.T) {
	d, err := New(Options{Kind: "maze", Size: 9, TrainCount: 10, TestCount: 3, Augment: true, NumAug: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := d.NewSampler(3)
	L := d.Task.SeqLen()
	in, lab, ids := make([]int32, 4*L), make([]int32, 4*L), make([]int32, 4)
	seen := map[string]int{}
	for range 5 { // 20 examples: two epochs of 10 groups
		if err := s.Fill(in, lab, ids); err != nil {
			t.Fatal(err)
		}
		for b := range 4 {
			seen[d.Task.Format(in[b*L:(b+1)*L])]++
			ex := Example{Input: in[b*L : (b+1)*L], Label: lab[b*L : (b+1)*L]}
			if r := d.Task.Check(ex, ex.Label); !r.Valid {
				t.Fatalf("sampled label invalid: %v", r.Violations)
			}
		}
	}
	if st := s.State(); st.Batches != 5 || st.Epoch != 1 || st.Cursor != 10 {
		t.Fatalf("state %+v", st)
	}
	// Every group drawn exactly twice: count originals by their augmentation orbit.
	groupOf := map[string]int{}
	for p := range d.TrainIndex.Puzzles() {
		g := 0
		for g+1 < len(d.TrainIndex.GroupIndices) && d.TrainIndex.GroupIndices[g+1] <= p {
			g++
		}
		groupOf[d.Task.Format(d.Train[d.TrainIndex.PuzzleIndices[p]].Input)] = g
	}
	perGroup := map[int]int{}
	for q, k := range seen {
		perGroup[groupOf[q]] += k
	}
	for g := range 10 {
		if perGroup[g] != 2 {
			t.Fatalf("group %d drawn %d times in two epochs, want 2 (%v)", g, perGroup[g], perGroup)
		}
	}
	// Resume: a sampler moved to a saved state gives the same next batch.
	st := s.State()
	want, _, _, _ := s.Next(4)
	r := d.NewSampler(3)
	if err := r.SetState(st); err != nil {
		t.Fatal(err)
	}
	if got, _, _, _ := r.Next(4); !slices.Equal(got, want) {
		t.Fatal("resumed sampler gives a different batch")
	}
	if err := s.SetDifficulty(Difficulty{Level: "hard"}); err == nil {
		t.Fatal("SetDifficulty accepted on a fixed train set")
	}
	if err := s.Fill(in[:3], lab, ids); err == nil {
		t.Fatal("Fill accepted mismatched slices")
	}
}

func TestSamplerFreshDifficultyLive(t *testing.T) {
	d, err := New(Options{Kind: "sudoku", Size: 9, TestCount: 4, Seed: 3, Difficulty: Difficulty{Level: "easy"}})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Fresh() || len(d.Train) != 0 || len(d.Test) != 4 {
		t.Fatalf("fresh %v, %d train, %d test", d.Fresh(), len(d.Train), len(d.Test))
	}
	s := d.NewSampler(1)
	check := func(lo, hi int) {
		in, lab, ids, err := s.Next(8)
		if err != nil {
			t.Fatal(err)
		}
		for b := range 8 {
			ex := Example{Input: in[b*81 : (b+1)*81], Label: lab[b*81 : (b+1)*81], PuzzleID: ids[b]}
			if g := givens(ex); g < lo || g > hi || ids[b] != 0 {
				t.Fatalf("%d givens, want %d..%d (id %d)", g, lo, hi, ids[b])
			}
		}
	}
	check(40, 48)
	if err := s.SetDifficulty(Difficulty{MinGivens: 30, MaxGivens: 31}); err != nil {
		t.Fatal(err)
	}
	check(30, 31)
	if err := s.SetDifficulty(Difficulty{MinGivens: 90}); err == nil {
		t.Fatal("invalid difficulty accepted")
	}
	if s.Difficulty().MinGivens != 30 {
		t.Fatal("a refused difficulty changed the sampler")
	}
	// Batches do not depend on how many goroutines generate them.
	want, _, _, _ := d.NewSampler(9).Next(6)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if got, _, _, _ := d.NewSampler(9).Next(6); !slices.Equal(got, want) {
		t.Fatal("fresh batch differs with GOMAXPROCS 1")
	}
}

func TestFillTestPads(t *testing.T) {
	d, err := New(Options{Kind: "sudoku", Size: 4, TestCount: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	in, lab, ids := make([]int32, 2*16), make([]int32, 2*16), []int32{7, 7}
	if n, err := d.FillTest(2, in, lab, ids); err != nil || n != 1 {
		t.Fatalf("FillTest = %d, %v", n, err)
	}
	if !slices.Equal(in[:16], d.Test[2].Input) || in[16] != 0 || lab[16] != Ignore || ids[1] != 0 {
		t.Fatal("padding row wrong")
	}
}

func TestDatasetFromCSV(t *testing.T) {
	dir := t.TempDir()
	s, _ := NewSudoku(4)
	d0, err := New(Options{Kind: "sudoku", Size: 4, TestCount: 30, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, s, Records(d0.Test), false); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "p.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Kind: "sudoku", Size: 4, DataPath: path, TestCount: 10, TrainCount: 15, Augment: true, NumAug: 1, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Test) != 10 || len(d.Train) != 30 || d.Fresh() {
		t.Fatalf("%d test, %d train", len(d.Test), len(d.Train))
	}
	all, err := New(Options{Kind: "sudoku", Size: 4, DataPath: path, TestCount: -1})
	if err != nil || len(all.Test) != 30 || len(all.Train) != 0 || s.Format(all.Test[5].Input) != s.Format(d0.Test[5].Input) {
		t.Fatalf("test-only dataset: %v", err)
	}
	if _, err := New(Options{Kind: "sudoku", Size: 9, DataPath: path}); err == nil || !strings.Contains(err.Error(), "p.csv line 2") {
		t.Fatalf("size mismatch: %v", err)
	}
	header := filepath.Join(dir, "header.csv")
	if err := os.WriteFile(header, []byte("question,answer\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Kind: "sudoku", Size: 4, DataPath: header}); err == nil || !strings.Contains(err.Error(), "header.csv: no puzzle rows") {
		t.Fatalf("header-only file: %v", err)
	}
	for _, bad := range []Options{{Kind: "chess"}, {Kind: "arc"}, {Kind: "maze", Size: 3}, {Kind: "sudoku", NumAug: -1}, {Kind: "sudoku", Difficulty: Difficulty{Level: "x"}}} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v) accepted", bad)
		}
	}
}

func readNPY(t *testing.T, path string) ([]int, []int32) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var v []int32
	if err := r.Read(&v); err != nil {
		t.Fatal(err)
	}
	return r.Header.Descr.Shape, v
}

func TestExportReferenceLayout(t *testing.T) {
	dir := t.TempDir()
	src := t.TempDir()
	task := `{"train":[{"input":[[1,2]],"output":[[3]]},{"input":[[4]],"output":[[5,5]]}],"test":[{"input":[[1]],"output":[[2]]}]}`
	if err := os.WriteFile(filepath.Join(src, "a.json"), []byte(task), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Kind: "arc", Size: 4, DataPath: src, Augment: true, NumAug: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Export(dir); err != nil {
		t.Fatal(err)
	}
	shape, inputs := readNPY(t, filepath.Join(dir, "train", "all__inputs.npy"))
	if !slices.Equal(shape, []int{6, 16}) || !slices.Equal(inputs[:16], d.Train[0].Input) {
		t.Fatalf("inputs shape %v", shape)
	}
	_, labels := readNPY(t, filepath.Join(dir, "train", "all__labels.npy"))
	for i, v := range labels {
		want := d.Train[i/16].Label[i%16]
		if want == Ignore {
			want = 0
		}
		if v != want {
			t.Fatalf("label %d = %d, want %d", i, v, want)
		}
	}
	_, pids := readNPY(t, filepath.Join(dir, "train", "all__puzzle_identifiers.npy"))
	_, pidx := readNPY(t, filepath.Join(dir, "train", "all__puzzle_indices.npy"))
	_, gidx := readNPY(t, filepath.Join(dir, "test", "all__group_indices.npy"))
	if !slices.Equal(pids, []int32{1, 2, 3}) || !slices.Equal(pidx, []int32{0, 2, 4, 6}) || !slices.Equal(gidx, []int32{0, 3}) {
		t.Fatalf("ids %v puzzle indices %v test groups %v", pids, pidx, gidx)
	}
	var meta map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, "test", "dataset.json"))
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	if meta["vocab_size"] != 12.0 || meta["seq_len"] != 16.0 || meta["num_puzzle_identifiers"] != 4.0 || meta["total_groups"] != 1.0 ||
		meta["mean_puzzle_examples"] != 1.0 || meta["ignore_label_id"] != 0.0 {
		t.Fatalf("dataset.json %v", meta)
	}
	var names []string
	b, _ = os.ReadFile(filepath.Join(dir, "identifiers.json"))
	if !bytes.Contains(b, []byte(`"<blank>"`)) {
		t.Fatalf("identifiers.json escapes <blank>: %s", b)
	}
	if err := json.Unmarshal(b, &names); err != nil || len(names) != 4 || names[0] != "<blank>" || names[1] != "a_t0_0123456789" {
		t.Fatalf("identifiers %v %v", names, err)
	}
	fresh, _ := New(Options{Kind: "maze", Size: 7, TestCount: 2})
	if err := fresh.Export(t.TempDir()); err != nil {
		t.Fatalf("fresh export: %v", err)
	}
}

func TestAnswer(t *testing.T) {
	s, _ := NewSudoku(4)
	in, _ := s.Parse("1.343.1221.34.21")
	if a, err := Answer(s, in); err != nil || s.Format(a) != "1234341221434321" {
		t.Fatalf("sudoku answer %v %v", s.Format(a), err)
	}
	open, _ := s.Parse("................")
	if _, err := Answer(s, open); err == nil || !strings.Contains(err.Error(), "more than one") {
		t.Fatalf("open grid: %v", err)
	}
	none, _ := s.Parse("11..............")
	if _, err := Answer(s, none); err == nil || !strings.Contains(err.Error(), "no solution") {
		t.Fatalf("contradiction: %v", err)
	}
	m, _ := NewMaze(5)
	q, _ := m.Parse("######S  ## # ##  G######")
	if a, err := Answer(m, q); err != nil || bfsSteps(5, m.Format(q)) != 4 || m.Format(a) != "######Soo## #o##  G######" {
		t.Fatalf("maze answer %q %v", m.Format(a), err)
	}
	a, _ := NewARC(5)
	if _, err := Answer(a, nil); err == nil {
		t.Fatal("ARC answer without data")
	}
}

func TestNoPanicOnBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	s, _ := NewSudoku(9)
	m, _ := NewMaze(7)
	a, _ := NewARC(4)
	short := Example{Input: []int32{1, 2}, Label: []int32{3}}
	if got := s.Augment(rng, short); !slices.Equal(got.Input, short.Input) {
		t.Error("sudoku Augment changed a short sequence")
	}
	if got := m.Augment(rng, short); !slices.Equal(got.Input, short.Input) {
		t.Error("maze Augment changed a short sequence")
	}
	for _, task := range []Task{s, m, a} {
		task.Check(short, []int32{99, -5})
		task.Grid(short.Input, []int32{99})
		task.Format([]int32{-1, 99})
	}
	if got := a.Crop(a.Encode([][]int{{1, 2, 3, 4, 5}}, 0, 2)); len(got) != 0 {
		t.Errorf("grid dropped off the canvas crops to %v", got)
	}
	a.variants = []arcVariant{{dihedral: 1}}
	for _, g := range [][][]int{{{1, 2}, {3}}, {{12}}} {
		if _, err := a.Deaugment(1, g); err == nil {
			t.Errorf("Deaugment(%v) accepted", g)
		}
	}
}
