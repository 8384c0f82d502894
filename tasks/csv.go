package tasks

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Record is one row of a puzzle CSV file.
type Record struct {
	Source  string  // "source" column of the Sudoku-Extreme / Maze-Hard layout ("" when absent)
	Example Example // question as Input, answer as Label, puzzle id 0
	Rating  float64 // "rating" column (tdoku backtracks in Sudoku-Extreme; 0 when absent)
}

// ReadCSV reads a puzzle CSV file for task t; see [DecodeCSV].
func ReadCSV(path string, t Task) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodeCSV(f, path, t)
}

// DecodeCSV reads puzzle rows in the task's text format. The first row is a header naming at
// least the columns question and answer (source and rating are read when present, other
// columns ignored), or a first data row of two (question, answer) or four (source, question,
// answer, rating) columns. Every answer must be a valid solution of its question by the
// task's rules. Errors name the file (name), the line and what is wrong.
func DecodeCSV(r io.Reader, name string, t Task) ([]Record, error) {
	cr := csv.NewReader(r)
	first, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file, want a question,answer header", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	cols := map[string]int{"source": -1, "question": -1, "answer": -1, "rating": -1}
	header := false
	for i, h := range first {
		if _, ok := cols[strings.ToLower(strings.TrimSpace(h))]; ok {
			cols[strings.ToLower(strings.TrimSpace(h))] = i
			header = true
		}
	}
	switch {
	case header && (cols["question"] < 0 || cols["answer"] < 0):
		return nil, fmt.Errorf("%s line 1: header %q lacks a question or answer column", name, strings.Join(first, ","))
	case !header && len(first) == 2:
		cols = map[string]int{"source": -1, "question": 0, "answer": 1, "rating": -1}
	case !header && len(first) == 4:
		cols = map[string]int{"source": 0, "question": 1, "answer": 2, "rating": 3}
	case !header:
		return nil, fmt.Errorf("%s line 1: %d columns and no header, want question,answer or source,question,answer,rating", name, len(first))
	}
	var out []Record
	row := first
	if header {
		row = nil
	}
	for {
		if row == nil {
			row, err = cr.Read()
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		line, _ := cr.FieldPos(0)
		rec, err := parseRecord(t, row, cols)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		out = append(out, rec)
		row = nil
	}
}

// parseRecord converts one CSV row and checks that the answer solves the question.
func parseRecord(t Task, row []string, cols map[string]int) (Record, error) {
	var rec Record
	var err error
	if rec.Example.Input, err = t.Parse(row[cols["question"]]); err != nil {
		return rec, fmt.Errorf("question: %w", err)
	}
	if rec.Example.Label, err = t.Parse(row[cols["answer"]]); err != nil {
		return rec, fmt.Errorf("answer: %w", err)
	}
	if res := t.Check(rec.Example, rec.Example.Label); !res.Valid {
		return rec, fmt.Errorf("answer does not solve the question (cells %v break the rules)", res.Violations)
	}
	if i := cols["source"]; i >= 0 {
		rec.Source = row[i]
	}
	if i := cols["rating"]; i >= 0 && strings.TrimSpace(row[i]) != "" {
		if rec.Rating, err = strconv.ParseFloat(strings.TrimSpace(row[i]), 64); err != nil {
			return rec, fmt.Errorf("rating %q is not a number", row[i])
		}
	}
	return rec, nil
}

// WriteCSV writes records in the task's text format with a question,answer header, or with
// the Sudoku-Extreme layout source,question,answer,rating when extended is true.
func WriteCSV(w io.Writer, t Task, recs []Record, extended bool) error {
	cw := csv.NewWriter(w)
	header := []string{"question", "answer"}
	if extended {
		header = []string{"source", "question", "answer", "rating"}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range recs {
		row := []string{t.Format(r.Example.Input), t.Format(r.Example.Label)}
		if extended {
			row = []string{r.Source, row[0], row[1], strconv.FormatFloat(r.Rating, 'g', -1, 64)}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
