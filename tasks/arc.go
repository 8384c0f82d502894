package tasks

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ARC tokens: 0 PAD, 1 EOS, 2..11 colours 0..9.
const (
	arcPad       = 0
	arcEOS       = 1
	arcMaxCanvas = 30
)

// ARCPair is one input/output pair of an ARC task; grids are rows of colours 0-9.
type ARCPair struct {
	Input  [][]int `json:"input"`
	Output [][]int `json:"output"`
}

// ARCTask is one ARC-AGI task file.
type ARCTask struct {
	ID    string    `json:"-"` // file name without .json
	Eval  bool      `json:"-"` // an evaluation task: demo pairs train, test pairs test (HRM.md §7.3)
	Train []ARCPair `json:"train"`
	Test  []ARCPair `json:"test"`
}

// arcVariant is one augmentation of a task: colour map first, then dihedral transform.
type arcVariant struct {
	task     int
	dihedral int
	colors   [10]int
}

// ARC is the ARC-AGI task on a square canvas. Its text format is a JSON grid ("[[0,1],[2,3]]")
// or rows of digits separated by line breaks ("01\n23").
type ARC struct {
	canvas   int
	Tasks    []*ARCTask // loaded tasks that fit the canvas
	Skipped  []string   // tasks left out, each "<id>: <reason>"
	variants []arcVariant
}

// NewARC returns an empty ARC task on a canvas x canvas grid (0 means 30; at most 30).
func NewARC(canvas int) (*ARC, error) {
	if canvas == 0 {
		canvas = arcMaxCanvas
	}
	if canvas < 1 || canvas > arcMaxCanvas {
		return nil, fmt.Errorf("arc canvas %d: want 1..%d", canvas, arcMaxCanvas)
	}
	return &ARC{canvas: canvas}, nil
}

// Name returns "arc".
func (a *ARC) Name() string { return "arc" }

// Canvas returns the canvas side.
func (a *ARC) Canvas() int { return a.canvas }

// Vocab returns the display labels of tokens 0..11.
func (a *ARC) Vocab() []string {
	return []string{"PAD", "EOS", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
}

// SeqLen returns canvas*canvas.
func (a *ARC) SeqLen() int { return a.canvas * a.canvas }

// GridShape returns (canvas, canvas).
func (a *ARC) GridShape() (rows, cols int) { return a.canvas, a.canvas }

// NumPuzzleIDs returns 1 (the blank id 0) plus one id per (task, augmentation).
func (a *ARC) NumPuzzleIDs() int { return 1 + len(a.variants) }

// LoadARC adds the tasks of a JSON file or of every *.json file under a folder (recursively,
// in lexical order). Tasks in a folder named "evaluation" are evaluation tasks; when no loaded
// file lies in such a folder, every task loaded by this call is one (so a single file or a
// plain folder gives a test split). Tasks with a grid larger than the canvas are listed in
// Skipped. Errors name the file, the task and what is wrong.
func (a *ARC) LoadARC(path string) error {
	var files []string
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (p == path || strings.HasSuffix(p, ".json")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: no .json task files", path)
	}
	anyEval := slices.ContainsFunc(files, isEvalPath)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		t, err := DecodeARCTask(data, f)
		if err != nil {
			return err
		}
		t.Eval = !anyEval || isEvalPath(f)
		if reason := a.fits(t); reason != "" {
			a.Skipped = append(a.Skipped, t.ID+": "+reason)
			continue
		}
		a.Tasks = append(a.Tasks, t)
	}
	return nil
}

func isEvalPath(p string) bool { return filepath.Base(filepath.Dir(p)) == "evaluation" }

// DecodeARCTask parses one task file's JSON (name is the file path, used for the id and in
// errors). Every grid must have 1..30 rows of equal length 1..30 with colours 0-9, and the
// task at least one train and one test pair.
func DecodeARCTask(data []byte, name string) (*ARCTask, error) {
	t := &ARCTask{ID: strings.TrimSuffix(filepath.Base(name), ".json")}
	if err := json.Unmarshal(data, t); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("%s line %d: invalid JSON: %v", name, lineAt(data, se.Offset), err)
		case errors.As(err, &te):
			return nil, fmt.Errorf("%s line %d: task %s: %s holds a %s, want %s", name, lineAt(data, te.Offset), t.ID, te.Field, te.Value, te.Type)
		}
		return nil, fmt.Errorf("%s: task %s: %v", name, t.ID, err)
	}
	if len(t.Train) == 0 || len(t.Test) == 0 {
		return nil, fmt.Errorf("%s: task %s: %d train and %d test pairs, want at least one of each", name, t.ID, len(t.Train), len(t.Test))
	}
	for i, p := range slices.Concat(t.Train, t.Test) {
		split, k := "train", i+1
		if i >= len(t.Train) {
			split, k = "test", i+1-len(t.Train)
		}
		if err := checkARCGrid(p.Input); err != nil {
			return nil, fmt.Errorf("%s: task %s: %s pair %d input: %v", name, t.ID, split, k, err)
		}
		if err := checkARCGrid(p.Output); err != nil {
			return nil, fmt.Errorf("%s: task %s: %s pair %d output: %v", name, t.ID, split, k, err)
		}
	}
	return t, nil
}

func lineAt(data []byte, offset int64) int {
	return 1 + bytes.Count(data[:min(int(offset), len(data))], []byte{'\n'})
}

func checkARCGrid(g [][]int) error {
	if len(g) == 0 || len(g) > arcMaxCanvas {
		return fmt.Errorf("%d rows, want 1..%d", len(g), arcMaxCanvas)
	}
	for r, row := range g {
		if len(row) != len(g[0]) || len(row) == 0 || len(row) > arcMaxCanvas {
			return fmt.Errorf("row %d has %d cells, want %d (1..%d)", r+1, len(row), len(g[0]), arcMaxCanvas)
		}
		for c, v := range row {
			if v < 0 || v > 9 {
				return fmt.Errorf("row %d column %d: colour %d, want 0-9", r+1, c+1, v)
			}
		}
	}
	return nil
}

// fits returns why t does not fit the canvas ("" when it does).
func (a *ARC) fits(t *ARCTask) string {
	for _, p := range slices.Concat(t.Train, t.Test) {
		for _, g := range [][][]int{p.Input, p.Output} {
			if len(g) > a.canvas || len(g[0]) > a.canvas {
				return fmt.Sprintf("grid %dx%d over the canvas %dx%d", len(g), len(g[0]), a.canvas, a.canvas)
			}
		}
	}
	return ""
}

// Encode places grid g at row r0, column c0 of the canvas, with EOS cells directly below and
// right of it (HRM.md §7.3); all other cells are PAD. Cells that fall outside the canvas are
// dropped.
func (a *ARC) Encode(g [][]int, r0, c0 int) []int32 {
	C := a.canvas
	out := make([]int32, C*C)
	put := func(r, c int, t int32) {
		if r >= 0 && r < C && c >= 0 && c < C {
			out[r*C+c] = t
		}
	}
	h, w := len(g), 0
	for r, row := range g {
		w = max(w, len(row))
		for c, v := range row {
			put(r0+r, c0+c, int32(v)+2)
		}
	}
	for c := range w {
		put(r0+h, c0+c, arcEOS)
	}
	for r := range h {
		put(r0+r, c0+w, arcEOS)
	}
	return out
}

// Crop returns the grid of a predicted token sequence (HRM.md §8.2): the largest top-left
// rectangle whose cells are all colour tokens, as colours. It is empty when the first cell
// is not a colour.
func (a *ARC) Crop(tokens []int32) [][]int {
	C := a.canvas
	bestArea, bestH, bestW := 0, 0, 0
	width := C
	for h := 1; h <= C && h*C <= len(tokens); h++ {
		for c := range width {
			if t := tokens[(h-1)*C+c]; t < 2 || t > 11 {
				width = c
				break
			}
		}
		if h*width > bestArea {
			bestArea, bestH, bestW = h*width, h, width
		}
	}
	out := make([][]int, bestH)
	for r := range out {
		out[r] = make([]int, bestW)
		for c := range out[r] {
			out[r][c] = int(tokens[r*C+c]) - 2
		}
	}
	return out
}

// Format writes the cropped grid of tokens as JSON rows.
func (a *ARC) Format(tokens []int32) string {
	b, _ := json.Marshal(a.Crop(tokens)) // [][]int always marshals
	return string(b)
}

// Parse reads a JSON grid or rows of digits and encodes it at the top-left of the canvas.
func (a *ARC) Parse(text string) ([]int32, error) {
	var g [][]int
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "[") {
		if err := json.Unmarshal([]byte(text), &g); err != nil {
			return nil, fmt.Errorf("arc grid: invalid JSON: %v", err)
		}
	} else {
		for i, line := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
			row := make([]int, len(line))
			for c := range len(line) {
				if line[c] < '0' || line[c] > '9' {
					return nil, fmt.Errorf("arc grid: row %d column %d is %q, want a digit 0-9", i+1, c+1, line[c])
				}
				row[c] = int(line[c] - '0')
			}
			g = append(g, row)
		}
	}
	if err := checkARCGrid(g); err != nil {
		return nil, fmt.Errorf("arc grid: %v", err)
	}
	if len(g) > a.canvas || len(g[0]) > a.canvas {
		return nil, fmt.Errorf("arc grid: %dx%d over the canvas %dx%d", len(g), len(g[0]), a.canvas, a.canvas)
	}
	return a.Encode(g, 0, 0), nil
}

// Check reports whether pred equals the label on every scored cell; ARC has no rules beyond
// the expected output, so Valid equals Exact and there are no violations.
func (a *ARC) Check(ex Example, pred []int32) CheckResult {
	e := exact(ex.Label, pred)
	return CheckResult{Exact: e, Valid: e}
}

// Grid describes the canvas: pred when not nil, else input. Colour cells carry their colour,
// EOS cells the text "•", PAD cells Pad.
func (a *ARC) Grid(input, pred []int32) Grid {
	shown := input
	if pred != nil {
		shown = pred
	}
	g := Grid{Rows: a.canvas, Cols: a.canvas, Cells: make([]Cell, a.canvas*a.canvas)}
	for i := range g.Cells {
		c := Cell{Color: -1, Pad: true}
		if i < len(shown) {
			switch t := shown[i]; {
			case t == arcEOS:
				c = Cell{Text: "•", Color: -1}
			case t >= 2 && t <= 11:
				c = Cell{Color: int(t) - 2, Given: pred == nil}
			}
		}
		g.Cells[i] = c
	}
	return g
}

// transform applies variant v (colour map, then dihedral) to grid g.
func (v arcVariant) transform(g [][]int) [][]int {
	h, w := len(g), len(g[0])
	flat := make([]int, 0, h*w)
	for _, row := range g {
		for _, x := range row {
			flat = append(flat, v.colors[x])
		}
	}
	out, oh, ow := dihedral(v.dihedral, flat, h, w)
	return rows(out, oh, ow)
}

// rows splits a flat row-major grid into rows.
func rows(flat []int, h, w int) [][]int {
	g := make([][]int, h)
	for r := range g {
		g[r] = flat[r*w : (r+1)*w]
	}
	return g
}

// name returns the reference identifier "<task>_t<t>_<colour map digits>".
func (a *ARC) variantName(v arcVariant) string {
	var b strings.Builder
	for _, c := range v.colors {
		b.WriteByte(byte('0' + c))
	}
	return fmt.Sprintf("%s_t%d_%s", a.Tasks[v.task].ID, v.dihedral, b.String())
}

// taskHash identifies a transformed task by the sorted hashes of its pairs.
func taskHash(v arcVariant, t *ARCTask) [32]byte {
	var hs []string
	for _, p := range slices.Concat(t.Train, t.Test) {
		in, _ := json.Marshal(v.transform(p.Input))
		out, _ := json.Marshal(v.transform(p.Output))
		hs = append(hs, string(in)+"|"+string(out))
	}
	slices.Sort(hs)
	return sha256.Sum256([]byte(strings.Join(hs, ";")))
}

// augmentTask returns the identity variant plus up to numAug distinct random variants
// (dihedral id and colour permutation fixing 0), found in at most 5*numAug trials.
func (a *ARC) augmentTask(rng *rand.Rand, task, numAug int) []arcVariant {
	id := arcVariant{task: task}
	for c := range id.colors {
		id.colors[c] = c
	}
	out := []arcVariant{id}
	seen := map[[32]byte]bool{taskHash(id, a.Tasks[task]): true}
	for trial := 0; trial < 5*numAug && len(out) < numAug+1; trial++ {
		v := arcVariant{task: task, dihedral: rng.IntN(8)}
		for i, p := range rng.Perm(9) {
			v.colors[i+1] = p + 1
		}
		if h := taskHash(v, a.Tasks[task]); !seen[h] {
			seen[h] = true
			out = append(out, v)
		}
	}
	return out
}
