package common

import (
	"strings"
	"testing"
)

func TestNoColorAnyNonEmptyValue(t *testing.T) {
	for _, v := range []string{"1", "yes", "true", "0"} {
		t.Setenv("NO_COLOR", v)
		if !NoColor() {
			t.Errorf("NO_COLOR=%q is not honoured", v)
		}
	}
	t.Setenv("NO_COLOR", "")
	if NoColor() {
		t.Error("an empty NO_COLOR turns colour off")
	}
}

func TestMonoStylesSetNoColour(t *testing.T) {
	st := NewStyles(true)
	for _, s := range []string{st.Good.Render("x"), st.Bad.Render("x"), st.Given.Render("x"), st.Violation.Render("x"),
		st.StatusBar.Render("x"), st.ARC(3).Render("x"), st.TabActive.Render("x")} {
		if strings.Contains(s, "38;") || strings.Contains(s, "48;") {
			t.Errorf("monochrome style sets a colour: %q", s)
		}
	}
	if len(st.Series) != 0 {
		t.Error("monochrome charts have series colours")
	}
	if c := NewStyles(false); !strings.Contains(c.ARC(2).Render("x"), "48;") {
		t.Error("colour ARC cells have no background")
	}
}

func TestKeyMapHelpNamesEveryBinding(t *testing.T) {
	k := DefaultKeyMap()
	for _, b := range []string{k.PuzzlePrev.Help().Key, k.PuzzleNext.Help().Key, k.SegPrev.Help().Key} {
		if b == "" {
			t.Error("a binding has no help")
		}
	}
	// Puzzles and segments must not share keys (LAB.md: ←/→ and h/l step segments).
	for _, pk := range append(k.PuzzlePrev.Keys(), k.PuzzleNext.Keys()...) {
		for _, sk := range append(k.SegPrev.Keys(), k.SegNext.Keys()...) {
			if pk == sk {
				t.Errorf("key %q moves both puzzles and segments", pk)
			}
		}
	}
}
