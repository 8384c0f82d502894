package tasks

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCSVRoundTrip(t *testing.T) {
	s, _ := NewSudoku(9)
	m, _ := NewMaze(9)
	for _, task := range []generator{s, m} {
		rng := rand.New(rand.NewPCG(3, 4))
		recs, err := generateRecords(task, rng, Difficulty{}, 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, extended := range []bool{false, true} {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, task, recs, extended); err != nil {
				t.Fatal(err)
			}
			got, err := DecodeCSV(bytes.NewReader(buf.Bytes()), "mem.csv", task)
			if err != nil {
				t.Fatalf("%s extended=%v: %v", task.Name(), extended, err)
			}
			if len(got) != len(recs) {
				t.Fatalf("%d records back, want %d", len(got), len(recs))
			}
			for i, r := range got {
				want := recs[i]
				if !extended {
					want.Source, want.Rating = "", 0
				}
				if task.Format(r.Example.Input) != task.Format(want.Example.Input) ||
					task.Format(r.Example.Label) != task.Format(want.Example.Label) ||
					r.Source != want.Source || r.Rating != want.Rating {
					t.Fatalf("%s row %d: got %+v, want %+v", task.Name(), i, r, want)
				}
			}
		}
	}
}

const extremeSample = `source,question,answer,rating
puzzles0_kaggle,53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79,534678912672195348198342567859761423426853791713924856961537284287419635345286179,0
`

func TestCSVSudokuExtremeLayout(t *testing.T) {
	s, _ := NewSudoku(9)
	recs, err := DecodeCSV(strings.NewReader(extremeSample), "train.csv", s)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Source != "puzzles0_kaggle" || recs[0].Example.Input[2] != sudokuBlank || recs[0].Example.Label[0] != 6 {
		t.Fatalf("records %+v", recs)
	}
	// Headerless two-column rows with '0' blanks.
	line := strings.Split(strings.Split(extremeSample, "\n")[1], ",")
	two := strings.ReplaceAll(line[1], ".", "0") + "," + line[2] + "\n"
	recs, err = DecodeCSV(strings.NewReader(two), "two.csv", s)
	if err != nil || len(recs) != 1 {
		t.Fatalf("headerless: %v", err)
	}
}

func TestCSVErrorsNameFileAndLine(t *testing.T) {
	s, _ := NewSudoku(4)
	good := "1234341221434321"
	cases := []struct{ name, data, want string }{
		{"empty", "", "empty.csv: empty file"},
		{"ragged", "question,answer\n" + good + "," + good + "\n" + good + "\n", "ragged.csv: record on line 3: wrong number of fields"},
		{"short", "question,answer\n" + good + "," + good + "\n123,1234\n", "short.csv line 3: question: sudoku 4x4: 3 characters"},
		{"badchar", "question,answer\n12x4341221434321," + good + "\n", "badchar.csv line 2: question: sudoku 4x4: character 3"},
		{"wrong", "question,answer\n1.........." + "....." + "," + "1234341221434312\n", "wrong.csv line 2: answer does not solve"},
		{"header", "question,solution\n" + good + "," + good + "\n", "header.csv line 1: header"},
		{"threecols", good + "," + good + ",x\n", "threecols.csv line 1: 3 columns"},
		{"rating", "source,question,answer,rating\nx," + good + "," + good + ",hard\n", `rating.csv line 2: rating "hard"`},
		{"quote", "question,answer\n\"" + good + "," + good + "\n", "quote.csv"},
	}
	for _, c := range cases {
		_, err := DecodeCSV(strings.NewReader(c.data), c.name+".csv", s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	if _, err := ReadCSV("/nonexistent/file.csv", s); err == nil || !strings.Contains(err.Error(), "/nonexistent/file.csv") {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzDecodeCSV checks that arbitrary bytes never panic the CSV reader, and that whatever it
// accepts survives a write/read round trip.
func FuzzDecodeCSV(f *testing.F) {
	f.Add(extremeSample, 9)
	f.Add("question,answer\n1.3...1..1...32.,1234341221434321\n", 4)
	f.Add("question,answer\n1.3,12\n", 4)
	f.Add("######S  ## # ##  G######,######So ## #o##  G######\n", 5)
	f.Add("\"unterminated\n", 9)
	f.Fuzz(func(t *testing.T, data string, size int) {
		var task Task
		switch size % 3 {
		case 0:
			task, _ = NewSudoku(4)
		case 1:
			task, _ = NewSudoku(9)
		default:
			task, _ = NewMaze(5)
		}
		recs, err := DecodeCSV(strings.NewReader(data), "fuzz.csv", task)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, task, recs, true); err != nil {
			t.Fatal(err)
		}
		back, err := DecodeCSV(&buf, "again.csv", task)
		if err != nil || len(back) != len(recs) {
			t.Fatalf("round trip: %v (%d of %d rows)", err, len(back), len(recs))
		}
	})
}
