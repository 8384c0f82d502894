package common

import (
	"charm.land/lipgloss/v2"
	"github.com/guptarohit/asciigraph"
)

// Styles are the looks of the UI. In monochrome mode (NO_COLOR) no style
// sets a colour: meaning is carried by bold, faint, underline, reverse and by
// the symbols the components draw, so the UI stays readable on any terminal.
type Styles struct {
	Title, Dim, Accent, Good, Bad, Warn, Key lipgloss.Style
	TabActive, TabInactive                   lipgloss.Style
	StatusBar, StatusKey                     lipgloss.Style
	Error, Notice                            lipgloss.Style
	Panel                                    lipgloss.Style // a titled box around a chart
	Selected                                 lipgloss.Style // the cursor row of a list
	Overlay                                  lipgloss.Style // the help overlay's frame

	// Grid cells.
	Given, Correct, Wrong, Unknown lipgloss.Style
	Violation                      lipgloss.Style // added to a cell that breaks a rule
	Changed                        lipgloss.Style // added to a cell that changed since the last segment
	LowConfidence                  lipgloss.Style // added to a prediction the model is unsure of
	HighConfidence                 lipgloss.Style // added to a prediction the model is sure of (colour only: bold marks givens in monochrome)
	Wall, Endpoint                 lipgloss.Style
	BoxBorder                      lipgloss.Style

	// Chart series colours (asciigraph draws its own escape codes); empty in
	// monochrome mode, where the series differ by their line characters.
	Series []asciigraph.AnsiColor

	arc  [10]lipgloss.Style
	mono bool
}

// The ARC-AGI palette: black, blue, red, green, yellow, grey, magenta,
// orange, azure, maroon.
var arcPalette = [10]string{"#000000", "#0074D9", "#FF4136", "#2ECC40", "#FFDC00", "#AAAAAA", "#F012BE", "#FF851B", "#7FDBFF", "#870C25"}

// NewStyles builds the colour or the monochrome look.
func NewStyles(mono bool) *Styles {
	s := lipgloss.NewStyle
	if mono {
		st := &Styles{
			Title: s().Bold(true), Dim: s().Faint(true), Accent: s().Bold(true), Good: s(), Bad: s().Bold(true),
			Warn: s().Bold(true), Key: s().Bold(true),
			TabActive: s().Reverse(true).Bold(true).Padding(0, 1), TabInactive: s().Padding(0, 1),
			StatusBar: s().Reverse(true), StatusKey: s().Reverse(true).Bold(true),
			Error: s().Bold(true), Notice: s(),
			Panel:    s().Border(lipgloss.NormalBorder()).Padding(0, 0),
			Selected: s().Reverse(true), Overlay: s().Border(lipgloss.DoubleBorder()).Padding(0, 1),
			Given: s().Bold(true), Correct: s(), Wrong: s(), Unknown: s(),
			Violation: s().Reverse(true), Changed: s().Underline(true), LowConfidence: s().Faint(true),
			Wall: s(), Endpoint: s().Bold(true), BoxBorder: s(),
			mono: true,
		}
		for i := range st.arc {
			st.arc[i] = s()
		}
		return st
	}
	c := lipgloss.Color
	st := &Styles{
		Title: s().Bold(true).Foreground(c("#7FDBFF")), Dim: s().Foreground(c("#808080")),
		Accent: s().Foreground(c("#FFDC00")), Good: s().Foreground(c("#2ECC40")), Bad: s().Foreground(c("#FF4136")),
		Warn: s().Foreground(c("#FF851B")), Key: s().Bold(true).Foreground(c("#FFDC00")),
		TabActive:   s().Bold(true).Foreground(c("#000000")).Background(c("#7FDBFF")).Padding(0, 1),
		TabInactive: s().Foreground(c("#B0B0B0")).Padding(0, 1),
		StatusBar:   s().Foreground(c("#E0E0E0")).Background(c("#303050")),
		StatusKey:   s().Bold(true).Foreground(c("#FFDC00")).Background(c("#303050")),
		Error:       s().Bold(true).Foreground(c("#FF4136")), Notice: s().Foreground(c("#A0E0A0")),
		Panel:    s().Border(lipgloss.RoundedBorder()).BorderForeground(c("#505070")),
		Selected: s().Background(c("#304060")).Bold(true),
		Overlay:  s().Border(lipgloss.DoubleBorder()).BorderForeground(c("#7FDBFF")).Padding(0, 1),
		Given:    s().Bold(true).Foreground(c("#FFFFFF")), Correct: s().Foreground(c("#2ECC40")),
		Wrong: s().Foreground(c("#FF4136")), Unknown: s().Foreground(c("#7FDBFF")),
		Violation: s().Background(c("#802020")), Changed: s().Underline(true), LowConfidence: s().Faint(true),
		HighConfidence: s().Bold(true),
		Wall:           s().Foreground(c("#707070")), Endpoint: s().Bold(true).Foreground(c("#FFDC00")),
		BoxBorder: s().Foreground(c("#707090")),
		Series:    []asciigraph.AnsiColor{asciigraph.DodgerBlue, asciigraph.Orange, asciigraph.Violet, asciigraph.Lime, asciigraph.Red},
	}
	for i, h := range arcPalette {
		st.arc[i] = s().Background(c(h))
	}
	return st
}

// Mono reports whether these are the monochrome styles.
func (s *Styles) Mono() bool { return s.mono }

// ARC returns the style of an ARC colour cell (0-9); monochrome styles are
// plain, and the cell shows the colour's digit instead.
func (s *Styles) ARC(colour int) lipgloss.Style {
	if colour < 0 || colour > 9 {
		return lipgloss.NewStyle()
	}
	return s.arc[colour]
}
