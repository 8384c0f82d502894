package tasks

import (
	"fmt"
	"strings"
)

// GivensViolations checks a question (input tokens, as typed by a user) against the task's
// rules and says in words what it breaks: for a Sudoku the duplicated digits ("row 1 has two
// 1s", "column 3 has two 4s", "box 2 has two 3s"; rows, columns and boxes count from 1, boxes
// row-major) and, when the givens break no rule, that they have no solution; for a maze a
// missing or repeated S or G, path cells in the question, or a G that S cannot reach. ARC
// questions have no such rules. nil means the question is fine.
func GivensViolations(t Task, input []int32) []string {
	switch t := t.(type) {
	case *Sudoku:
		return t.givensViolations(input)
	case *Maze:
		return t.givensViolations(input)
	}
	return nil
}

var countWords = []string{"", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

func countWord(k int) string {
	if k < len(countWords) {
		return countWords[k]
	}
	return fmt.Sprint(k)
}

func (s *Sudoku) givensViolations(input []int32) []string {
	if len(input) != s.n*s.n {
		return []string{fmt.Sprintf("%d cells, want %d", len(input), s.n*s.n)}
	}
	var out []string
	for u, cells := range s.units {
		kind, num := "row", u+1
		switch {
		case u >= 2*s.n:
			kind, num = "box", u-2*s.n+1
		case u >= s.n:
			kind, num = "column", u-s.n+1
		}
		var count [maxSudoku + 2]int
		for _, i := range cells {
			if t := input[i]; t >= 2 && int(t) <= s.n+1 {
				count[t]++
			}
		}
		for t := 2; t <= s.n+1; t++ {
			if count[t] > 1 {
				out = append(out, fmt.Sprintf("%s %d has %s %ss", kind, num, countWord(count[t]), s.vocab[t]))
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	if _, sol, err := s.Solve(input); err != nil {
		return []string{err.Error()}
	} else if sol == nil {
		return []string{"the givens break no rule but have no solution"}
	}
	return nil
}

func (m *Maze) givensViolations(input []int32) []string {
	if len(input) != m.n*m.n {
		return []string{fmt.Sprintf("%d cells, want %d", len(input), m.n*m.n)}
	}
	var out []string
	var starts, goals, paths []string
	for i, t := range input {
		where := fmt.Sprintf("row %d column %d", i/m.n+1, i%m.n+1)
		switch t {
		case mazeStart:
			starts = append(starts, where)
		case mazeGoal:
			goals = append(goals, where)
		case mazePath:
			paths = append(paths, where)
		}
	}
	for _, e := range []struct {
		name  string
		cells []string
	}{{"start S", starts}, {"goal G", goals}} {
		switch len(e.cells) {
		case 0:
			out = append(out, "no "+e.name)
		case 1:
		default:
			out = append(out, fmt.Sprintf("%s %ss (%s)", countWord(len(e.cells)), e.name, strings.Join(e.cells, ", ")))
		}
	}
	if len(paths) > 0 {
		first := paths[0]
		if len(paths) > 1 {
			first += fmt.Sprintf(" and %d more", len(paths)-1)
		}
		out = append(out, fmt.Sprintf("path cells 'o' in the question (%s): the model draws the path", first))
	}
	if len(starts) == 1 && len(goals) == 1 {
		s, g := ends(input)
		if m.distances(input, s)[g] < 0 {
			out = append(out, "walls cut the goal G off from the start S")
		}
	}
	return out
}
