package common

import "charm.land/bubbles/v2/key"

// KeyMap is every key of the lab, grouped by where it works.
type KeyMap struct {
	// Everywhere.
	NextTab, PrevTab, Tab1, Tab2, Tab3, Tab4, Help, Quit key.Binding
	// Dialogs and prompts.
	Yes, No, Cancel, Confirm key.Binding
	// Lists (Params, Runs).
	Up, Down, PageUp, PageDown key.Binding

	// Train.
	Pause, StepOnce, Evaluate, Save, Branch key.Binding

	// Solve.
	SegPrev, SegNext, SegFirst, SegLast                   key.Binding
	PuzzlePrev, PuzzleNext, PuzzleRandom                  key.Binding
	Input, Inner, Autoplay, More, Refresh, Samples, Demos key.Binding

	// Params.
	Edit, SaveAs, Filter, LiveOnly, Apply, Drop key.Binding

	// Runs.
	Load, ResumeRun, Delete, Reload, Mark, Compare, BranchFrom, OpenFile key.Binding

	// Compare.
	TimeAxis, CloseCompare key.Binding
}

// DefaultKeyMap is the lab's key map (LAB.md, screens). Puzzles on the Solve
// screen move with [ and ] (or PgUp/PgDn) because ←/→ and h/l step through
// the segments.
func DefaultKeyMap() *KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	k := func(keys ...string) []string { return keys }
	return &KeyMap{
		NextTab: b(k("tab"), "tab", "next screen"),
		PrevTab: b(k("shift+tab"), "shift+tab", "previous screen"),
		Tab1:    b(k("1"), "1", "Train"),
		Tab2:    b(k("2"), "2", "Solve"),
		Tab3:    b(k("3"), "3", "Params"),
		Tab4:    b(k("4"), "4", "Runs"),
		Help:    b(k("?"), "?", "help"),
		Quit:    b(k("q", "ctrl+c"), "q", "quit (offers to save)"),

		Yes:     b(k("y"), "y", "yes"),
		No:      b(k("n"), "n", "no"),
		Cancel:  b(k("esc"), "esc", "cancel"),
		Confirm: b(k("enter"), "enter", "confirm"),

		Up:       b(k("up", "k"), "↑/k", "up"),
		Down:     b(k("down", "j"), "↓/j", "down"),
		PageUp:   b(k("pgup"), "pgup", "page up"),
		PageDown: b(k("pgdown"), "pgdn", "page down"),

		Pause:    b(k("space"), "space", "pause/resume"),
		StepOnce: b(k("n"), "n", "one step (paused)"),
		Evaluate: b(k("e"), "e", "evaluate now"),
		Save:     b(k("s"), "s", "save checkpoint"),
		Branch:   b(k("b"), "b", "branch with changes"),

		SegPrev:      b(k("left", "h"), "←/h", "previous segment"),
		SegNext:      b(k("right", "l"), "→/l", "next segment"),
		SegFirst:     b(k("home"), "home", "first segment"),
		SegLast:      b(k("end"), "end", "last segment"),
		PuzzlePrev:   b(k("[", "pgup"), "[/pgup", "previous puzzle"),
		PuzzleNext:   b(k("]", "pgdown"), "]/pgdn", "next puzzle"),
		PuzzleRandom: b(k("r"), "r", "random puzzle"),
		Input:        b(k("i"), "i", "type/paste a puzzle"),
		Inner:        b(k("c"), "c", "inner cycles on/off"),
		Autoplay:     b(k("p"), "p", "autoplay"),
		More:         b(k("m"), "m", "more segments (past halting)"),
		Refresh:      b(k("u"), "u", "re-snapshot live weights"),
		Samples:      b(k("t"), "t", "test-time samples: 1, 8, 32"),
		Demos:        b(k("d"), "d", "ARC: demonstrations / info"),

		Edit:     b(k("enter"), "enter", "edit value"),
		SaveAs:   b(k("w"), "w", "save as lab.toml"),
		Filter:   b(k("/"), "/", "filter keys"),
		LiveOnly: b(k("v"), "v", "live keys only"),
		Apply:    b(k("a"), "a", "start it (pending changes)"),
		Drop:     b(k("esc"), "esc", "drop pending changes"),

		Load:       b(k("enter"), "enter", "load into Solve"),
		ResumeRun:  b(k("r"), "r", "resume training"),
		Delete:     b(k("d"), "d", "delete checkpoint"),
		Reload:     b(k("u"), "u", "refresh list"),
		Mark:       b(k("space"), "space", "mark run to compare"),
		Compare:    b(k("c"), "c", "compare marked runs"),
		BranchFrom: b(k("b"), "b", "branch from checkpoint"),
		OpenFile:   b(k("o"), "o", "open a checkpoint file"),

		TimeAxis:     b(k("t"), "t", "x: step / training time"),
		CloseCompare: b(k("esc", "c"), "esc", "back to the runs"),
	}
}
