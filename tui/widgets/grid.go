package widgets

import (
	"image/color"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"hrmlab/tasks"
	"hrmlab/tui/common"
)

// CellMark is what the solver knows about a predicted cell beyond the
// task's own description of it.
type CellMark struct {
	Known      bool    // the answer is known, so Right means something
	Right      bool    // the prediction equals the answer
	Changed    bool    // differs from the previous segment's prediction
	Confidence float32 // probability of the predicted token; 0 when unknown
}

// Confidence shading: under LowConfidence a prediction is drawn faint, from
// HighConfidence on bold (in colour; monochrome keeps bold for givens).
const (
	LowConfidence  = 0.6
	HighConfidence = 0.9
)

// GridView draws a task grid: givens bold, predictions coloured right or
// wrong where the answer is known (✗ marks a wrong cell, › or underline a
// changed one), rule violations highlighted, unsure predictions faint.
// Sudoku cells are three columns wide with box borders; maze and ARC cells
// two (ARC colours are coloured cells, or their digit in monochrome).
type GridView struct {
	Grid  tasks.Grid
	Marks []CellMark // one per cell, or nil
}

// CellWidth is the number of columns one cell takes.
func (v GridView) CellWidth() int {
	if v.Grid.Box != [2]int{} {
		return 3
	}
	return 2
}

// Size is the width and height of the drawing in cells.
func (v GridView) Size() (w, h int) {
	g := v.Grid
	w, h = g.Cols*v.CellWidth(), g.Rows
	if br, bc := g.Box[0], g.Box[1]; br > 0 && bc > 0 {
		w += g.Cols/bc - 1
		h += g.Rows/br - 1
	}
	return w, h
}

// View draws the grid.
func (v GridView) View(st *common.Styles) string {
	g := v.Grid
	br, bc := g.Box[0], g.Box[1]
	var lines []string
	for r := range g.Rows {
		if br > 0 && r > 0 && r%br == 0 {
			lines = append(lines, v.boxRule(st))
		}
		var b strings.Builder
		for c := range g.Cols {
			if bc > 0 && c > 0 && c%bc == 0 {
				b.WriteString(st.BoxBorder.Render("│"))
			}
			i := r*g.Cols + c
			var m CellMark
			if i < len(v.Marks) {
				m = v.Marks[i]
			}
			if i < len(g.Cells) {
				b.WriteString(v.cell(st, g.Cells[i], m))
			}
		}
		lines = append(lines, b.String())
	}
	return strings.Join(lines, "\n")
}

func (v GridView) boxRule(st *common.Styles) string {
	seg := strings.Repeat("─", v.Grid.Box[1]*v.CellWidth())
	n := v.Grid.Cols / v.Grid.Box[1]
	parts := make([]string, n)
	for i := range parts {
		parts[i] = seg
	}
	return st.BoxBorder.Render(strings.Join(parts, "┼"))
}

// cell draws one cell in CellWidth columns.
func (v GridView) cell(st *common.Styles, c tasks.Cell, m CellMark) string {
	if c.Pad {
		return strings.Repeat(" ", v.CellWidth())
	}
	predicted := !c.Given
	wrong := predicted && m.Known && !m.Right
	changed := predicted && m.Changed
	text := c.Text
	style := st.Unknown
	switch {
	case c.Color >= 0:
		style = st.ARC(c.Color)
		if st.Mono() {
			text = strconv.Itoa(c.Color)
		} else {
			text = " "
			style = style.Foreground(contrast(c.Color)).Bold(true)
		}
	case c.Given && c.Text == "#":
		style = st.Wall
		text = "█"
		if st.Mono() {
			text = "#"
		}
	case c.Given && (c.Text == "S" || c.Text == "G"):
		style = st.Endpoint
	case c.Given:
		style = st.Given
	case m.Known && m.Right:
		style = st.Correct
	case m.Known:
		style = st.Wrong
	}
	switch {
	case !predicted || m.Confidence <= 0:
	case m.Confidence < LowConfidence:
		style = style.Inherit(st.LowConfidence)
	case m.Confidence >= HighConfidence:
		style = style.Inherit(st.HighConfidence)
	}
	if changed {
		style = style.Inherit(st.Changed)
	}
	if c.Violation {
		style = st.Violation.Inherit(style)
	}
	right := " "
	switch {
	case wrong:
		right = "✗"
	case changed && v.CellWidth() == 2:
		right = "›"
	case c.Text == "#" && c.Given:
		right = text
	}
	if v.CellWidth() == 3 {
		left := " "
		if changed {
			left = "›"
		}
		return left + style.Render(text) + style.Render(right)
	}
	return style.Render(text + right)
}

// contrast is a readable text colour on an ARC colour cell.
func contrast(colour int) color.Color {
	switch colour {
	case 0, 1, 2, 6, 9:
		return lipgloss.Color("#FFFFFF")
	}
	return lipgloss.Color("#000000")
}
