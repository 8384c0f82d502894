package tasks

import (
	"slices"
	"testing"
)

func TestGivensViolations(t *testing.T) {
	s4, _ := NewSudoku(4)
	s9, _ := NewSudoku(9)
	m5, _ := NewMaze(5)
	cases := []struct {
		name string
		task Task
		text string
		want []string
	}{
		{"sudoku fine", s4, "12..34..21..43..", nil},
		{"sudoku blank", s4, "................", nil},
		{"two 1s in row 1", s4, "11..............", []string{"row 1 has two 1s", "box 1 has two 1s"}},
		{"column 3 has two 4s", s4, "..4.......4.....", []string{"column 3 has two 4s"}},
		{"box 2 has two 3s", s4, "..3....3........", []string{"box 2 has two 3s"}},
		{"three 2s in a row", s4, "....2.22........", []string{"row 2 has three 2s", "box 2 has two 2s"}},
		{"9x9 box 9", s9, "........." + "........." + "........." + "........." + "........." + "........." +
			"......5.." + "........5" + ".........", []string{"box 9 has two 5s"}},
		{"no solution", s4, "1...3..2.1..4..3", []string{"the givens break no rule but have no solution"}},
		{"maze fine", m5, "#####" + "#S  #" + "# # #" + "#  G#" + "#####", nil},
		{"maze no S", m5, "#####" + "#   #" + "# # #" + "#  G#" + "#####", []string{"no start S"}},
		{"maze two Gs", m5, "#####" + "#S G#" + "# # #" + "#  G#" + "#####",
			[]string{"two goal Gs (row 2 column 4, row 4 column 4)"}},
		{"maze path given", m5, "#####" + "#So #"[:5] + "# # #" + "#  G#" + "#####",
			[]string{"path cells 'o' in the question (row 2 column 3): the model draws the path"}},
		{"maze walled off", m5, "#####" + "#S# #" + "### #" + "#  G#" + "#####", []string{"walls cut the goal G off from the start S"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := c.task.Parse(c.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := GivensViolations(c.task, in); !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
