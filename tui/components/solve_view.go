package components

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"hrmlab/tasks"
	"hrmlab/tui/widgets"
)

// View draws the grid with its info panel beside it (or under it when the
// terminal is narrow) and the segment timeline at the bottom.
func (s *Solve) View() string {
	st := s.c.Styles
	if s.width <= 0 || s.height <= 0 {
		return ""
	}
	if s.inputting {
		return s.inputView()
	}
	if s.model == nil || s.trace == nil {
		msg := "taking a snapshot of the live weights…"
		switch {
		case s.errText != "":
			msg = st.Error.Render(s.errText)
		case s.model != nil:
			msg = "solving…"
		case !s.busy:
			msg = "no weights yet"
		}
		return lipgloss.Place(s.width, s.height, lipgloss.Center, lipgloss.Center, msg)
	}
	timeline := s.timelineView()
	bodyH := s.height - lipgloss.Height(timeline) - 1
	warn := s.givensWarning()
	if warn != "" {
		bodyH -= lipgloss.Height(warn)
	}
	grid := s.gridView(bodyH)
	gw := lipgloss.Width(grid)
	var body string
	if infoW := s.width - gw - 3; infoW >= 36 {
		body = lipgloss.JoinHorizontal(lipgloss.Top, grid, "   ", s.panel(infoW, bodyH))
	} else {
		body = grid + "\n" + s.panel(s.width, max(bodyH-lipgloss.Height(grid)-1, 0))
	}
	if warn != "" {
		body = widgets.Fit(warn, s.width, lipgloss.Height(warn)) + "\n" + widgets.Fit(body, s.width, bodyH)
		bodyH += lipgloss.Height(warn)
	}
	return widgets.Fit(body, s.width, bodyH) + "\n" + widgets.Fit(timeline, s.width, s.height-bodyH)
}

// givensWarning is the line (two at most) above the grid that says which
// rules a typed puzzle breaks; "" when it breaks none.
func (s *Solve) givensWarning() string {
	if s.typed == nil || len(s.typedBad) == 0 {
		return ""
	}
	text := "⚠ your puzzle breaks the rules: " + strings.Join(s.typedBad, "; ") + " (the model tries anyway)"
	wrapped := lipgloss.NewStyle().Width(s.width).Render(text)
	lines := strings.Split(wrapped, "\n")
	if len(lines) > 2 {
		lines = lines[:2]
	}
	for i, l := range lines {
		lines[i] = s.c.Styles.Warn.Render(strings.TrimRight(l, " "))
	}
	return strings.Join(lines, "\n")
}

// marks describes every cell of the shown answer.
func (s *Solve) marks(tokens, prev []int32, conf []float32) []widgets.CellMark {
	label := s.trace.Example.Label
	marks := make([]widgets.CellMark, len(tokens))
	for i, t := range tokens {
		m := widgets.CellMark{}
		if s.trace.HasAnswer && i < len(label) && label[i] != tasks.Ignore {
			m.Known, m.Right = true, label[i] == t
		}
		m.Changed = prev != nil && i < len(prev) && prev[i] != t
		if i < len(conf) {
			m.Confidence = conf[i]
		}
		marks[i] = m
	}
	return marks
}

func (s *Solve) gridView(maxH int) string {
	tokens := s.tokensAt(s.pos)
	prev := s.tokensAt(s.pos - 1)
	var conf []float32
	if !s.inner {
		conf = s.trace.Segments[s.pos].Confidence
	}
	gv := widgets.GridView{Grid: s.task.Grid(s.trace.Example.Input, tokens), Marks: s.marks(tokens, prev, conf)}
	out := gv.View(s.c.Styles)
	w, h := gv.Size()
	if s.task.Name() == "arc" && 2*w+4+3+36 <= s.width {
		// ARC's grid shows the answer only: put the question beside it.
		q := widgets.GridView{Grid: s.task.Grid(s.trace.Example.Input, nil)}.View(s.c.Styles)
		out = lipgloss.JoinHorizontal(lipgloss.Top, q, " →  ", out)
		w = 2*w + 4
	}
	if h > maxH || w > s.width {
		out = widgets.Fit(out, min(w, s.width), max(maxH-1, 1)) + "\n" +
			s.c.Styles.Warn.Render(fmt.Sprintf("(%dx%d grid cut to fit: enlarge the terminal)", s.task.Grid(nil, nil).Rows, s.task.Grid(nil, nil).Cols))
	}
	return out
}

// panel is what stands beside the grid: the info, or for an ARC puzzle its
// demonstrations (d switches).
func (s *Solve) panel(w, h int) string {
	if demos := s.demonstrations(); demos != nil && !s.info {
		return s.demosView(demos, w, h)
	}
	return s.infoView(w, h)
}

// demonstrations are the ARC demonstration pairs of the shown puzzle, as the
// model sees them (nil for other tasks and typed puzzles).
func (s *Solve) demonstrations() []tasks.ARCPair {
	arc, ok := s.task.(*tasks.ARC)
	if !ok || s.typed != nil {
		return nil
	}
	demos, err := arc.Demonstrations(s.trace.Example.PuzzleID)
	if err != nil {
		return nil
	}
	return demos
}

// demosView draws the demonstration pairs, input → output, as many as fit.
func (s *Solve) demosView(demos []tasks.ARCPair, w, h int) string {
	st := s.c.Styles
	lines := []string{st.Title.Render(fmt.Sprintf("%d demonstrations", len(demos))) + st.Dim.Render(" (d: info)")}
	shown := 0
	for _, p := range demos {
		in := widgets.GridView{Grid: tasks.ColorGrid(p.Input)}.View(st)
		out := widgets.GridView{Grid: tasks.ColorGrid(p.Output)}.View(st)
		pair := lipgloss.JoinHorizontal(lipgloss.Center, in, "  →  ", out)
		if len(lines)+lipgloss.Height(pair)+1 > h || lipgloss.Width(pair) > w {
			break
		}
		lines = append(lines, strings.Split(pair, "\n")...)
		lines = append(lines, "")
		shown++
	}
	if shown < len(demos) {
		lines = append(lines, st.Dim.Render(fmt.Sprintf("(%d more: enlarge the terminal)", len(demos)-shown)))
	}
	return widgets.Fit(strings.Join(lines, "\n"), w, h)
}

func (s *Solve) infoView(w, h int) string {
	st := s.c.Styles
	t := s.trace
	segIdx := s.segmentIndex()
	seg := t.Segments[segIdx]
	yes := func(b bool) string {
		if b {
			return st.Good.Render("yes")
		}
		return st.Bad.Render("no")
	}
	puzzle := fmt.Sprintf("test puzzle %d of %d", s.index+1, len(s.test))
	if s.typed != nil {
		puzzle = "your puzzle (answer unknown: checked by the rules)"
	}
	step := fmt.Sprintf("segment %d of %d", segIdx+1, len(t.Segments))
	if s.inner {
		step += fmt.Sprintf(", inner cycle %d of %d", s.pos%s.innerCount()+1, s.innerCount())
	}
	lines := []string{
		st.Title.Render(puzzle),
		st.Dim.Render(s.source),
		"",
		st.Accent.Render(step),
		fmt.Sprintf("q halt %.3f  q continue %.3f", seg.QHalt, seg.QContinue),
		fmt.Sprintf("would halt here: %s   changed cells: %d", yes(seg.WouldHalt), seg.Changed),
	}
	if t.HasAnswer {
		lines = append(lines, fmt.Sprintf("exact: %s   valid: %s   violations: %d", yes(seg.Exact), yes(seg.Valid), len(seg.Violations)))
	} else {
		lines = append(lines, fmt.Sprintf("valid by the rules: %s   violations: %d", yes(seg.Valid), len(seg.Violations)))
	}
	first, right := "never exactly right", "first right"
	if !t.HasAnswer {
		first, right = "never valid", "first valid"
	}
	if t.FirstExact > 0 {
		first = fmt.Sprintf("%s at segment %d", right, t.FirstExact)
	}
	lines = append(lines, fmt.Sprintf("halts at segment %d · %s", t.HaltStep, first))
	if s.autoplay {
		lines = append(lines, st.Accent.Render("▶ autoplay (p stops)"))
	}
	lines = append(lines, s.samplesView()...)
	if s.busy {
		lines = append(lines, st.Dim.Render("solving…"))
	}
	if s.errText != "" {
		lines = append(lines, st.Error.Render(s.errText))
	}
	lines = append(lines, "")
	for _, l := range s.legend() {
		lines = append(lines, st.Dim.Render(l))
	}
	for i, l := range lines {
		lines[i] = widgets.PadRight(l, w)
	}
	return strings.Join(lines[:min(len(lines), h)], "\n")
}

// samplesView tells the test-time samples: how many were valid and agreed,
// which answer was chosen and why, then one line per sample while there is
// room.
func (s *Solve) samplesView() []string {
	st := s.c.Styles
	cands := s.trace.Candidates
	if len(cands) == 0 {
		return nil
	}
	valid, chosen := 0, 0
	for i, c := range cands {
		if c.Valid {
			valid++
		}
		if c.Chosen {
			chosen = i
		}
	}
	c := cands[chosen]
	verdict := "valid"
	if !c.Valid {
		verdict = "not valid"
	}
	if s.trace.HasAnswer {
		res := s.task.Check(s.trace.Example, c.Tokens)
		verdict = map[bool]string{true: st.Good.Render("exact"), false: st.Bad.Render("not exact")}[res.Exact]
	}
	last := s.trace.Segments[len(s.trace.Segments)-1].Tokens
	diff := 0
	for i := range c.Tokens {
		if i < len(last) && last[i] != c.Tokens[i] {
			diff++
		}
	}
	same := "same as the last segment"
	if diff > 0 {
		same = fmt.Sprintf("%d cells differ from the last segment", diff)
	}
	lines := []string{"",
		st.Accent.Render(fmt.Sprintf("%d samples (t), %d valid", len(cands), valid)),
		fmt.Sprintf("chose #%d (%d votes): %s", chosen+1, c.Votes, s.trace.ChosenBy),
		verdict + "; " + same,
	}
	for i, c := range cands {
		mark := "  "
		if c.Chosen {
			mark = "▸ "
		}
		ok := st.Bad.Render("✗")
		if c.Valid {
			ok = st.Good.Render("✓")
		}
		lines = append(lines, st.Dim.Render(fmt.Sprintf("%s%2d ", mark, i+1))+ok+st.Dim.Render(fmt.Sprintf(" %2d votes q %.2f %s", c.Votes, c.QHalt, c.Symmetry)))
	}
	return lines
}

func (s *Solve) legend() []string {
	if s.c.Mono {
		return []string{"bold given · ✗ wrong · › changed", "faint unsure · reversed breaks a rule"}
	}
	return []string{"white given · green right · red ✗ wrong", "› changed · faint unsure · bold sure", "red background: breaks a rule"}
}

// timelineView draws segments 1..M: number, halting probability as a bar,
// H where the model would halt, ✓ where it is first exactly right.
func (s *Solve) timelineView() string {
	st := s.c.Styles
	segs := s.trace.Segments
	label := 10
	cw := 3
	if label+len(segs)*cw > s.width {
		cw = 2
	}
	first := max((s.segmentIndex()+1)*cw-(s.width-label), 0) / cw // scroll to keep the current segment visible
	var num, bar, mark strings.Builder
	num.WriteString(fmt.Sprintf("%-*s", label, "segment"))
	bar.WriteString(fmt.Sprintf("%-*s", label, "q halt"))
	mark.WriteString(strings.Repeat(" ", label))
	for i := first; i < len(segs) && label+(i-first+1)*cw <= s.width; i++ {
		n := fmt.Sprintf("%-*d", cw, i+1)
		if i == s.segmentIndex() {
			n = st.Selected.Render(n)
		}
		num.WriteString(n)
		level := min(int(segs[i].QHalt*8), 7)
		bar.WriteString(fmt.Sprintf("%-*s", cw, string([]rune("▁▂▃▄▅▆▇█")[level])))
		m := " "
		switch {
		case i+1 == s.trace.HaltStep && i+1 == s.trace.FirstExact:
			m = "H✓"
		case i+1 == s.trace.HaltStep:
			m = "H"
		case i+1 == s.trace.FirstExact:
			m = "✓"
		}
		mark.WriteString(widgets.PadRight(m, cw))
	}
	return num.String() + "\n" + bar.String() + "\n" + mark.String() + "\n" +
		st.Dim.Render("H halts · ✓ first right · ←/→ segment · [ ] puzzle · c inner · m more · p play")
}

func (s *Solve) inputView() string {
	st := s.c.Styles
	hint := "Sudoku: one line, digits with . or 0 for blanks"
	if s.task != nil && s.task.Name() == "maze" {
		hint = "maze: one row per line, # wall, space free, S start, G goal"
	} else if s.task != nil && s.task.Name() == "arc" {
		hint = "ARC: one row per line of colour digits 0-9"
	}
	lines := []string{
		st.Title.Render("Your own puzzle"),
		st.Dim.Render(hint + " · enter solves · ctrl+j new line · esc cancels"),
		s.input.View(),
	}
	if s.inputErr != "" {
		lines = append(lines, st.Error.Render("✗ "+s.inputErr))
	}
	return widgets.Fit(strings.Join(lines, "\n"), s.width, s.height)
}
