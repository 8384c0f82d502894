package components

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"hrmlab/lab"
	"hrmlab/tui/common"
	"hrmlab/tui/widgets"
)

// Params lists every lab.toml key grouped by section, with its value and
// help. Live keys are edited in place and applied by the session at the next
// step; structural edits are staged, shown as pending, and start a new run
// together (enter on the ▶ row, or a) or are dropped (esc); "save as" writes
// the current config as a lab.toml.
//
// The same screen is the branch editor (NewBranchEditor): the live keys of a
// checkpoint's config, every edit staged, and the ▶ row starts the branch.
type Params struct {
	c             *common.Common
	ctl           Editable
	branch        *BranchTarget // the branch editor's checkpoint; nil on the Params screen
	width, height int

	all    []lab.Field // every key, sections in sectionOrder
	fields []lab.Field // the keys shown: all, narrowed by filter and liveOnly
	cursor int
	offset int // first row shown
	errs   map[string]string

	filter   string // case-insensitive text a key's name or help contains
	liveOnly bool   // show only the live keys
	filterIn textinput.Model

	staged    []string // pending KEY=VALUE edits of the new run (or branch), in edit order
	stagedErr string   // why the pending edits do not make an experiment yet

	mode   paramsMode
	input  textinput.Model
	saveTo string // the file a save as would overwrite, awaiting y/n
}

// Editable is what Params asks of the session: its config and live edits.
type Editable interface {
	Config() *lab.Config
	Set(key, value string) error
}

// BranchTarget is the checkpoint a branch starts from.
type BranchTarget struct {
	Path   string // the checkpoint file
	Parent string // the parent run's name
	Step   int
	// ResumeParent: the parent was training when it forked, so cancelling
	// the branch lets it train on.
	ResumeParent bool
}

// BranchCancelMsg says the branch editor was closed without branching.
type BranchCancelMsg struct{ Target BranchTarget }

// fixedConfig is the branch editor's config: a checkpoint's, never edited
// live.
type fixedConfig struct{ cfg *lab.Config }

func (f fixedConfig) Config() *lab.Config { return f.cfg.Clone() }
func (f fixedConfig) Set(key, _ string) error {
	return fmt.Errorf("%s: the branch editor stages every edit", key)
}

type paramsMode int

const (
	paramsBrowse paramsMode = iota
	paramsEdit
	paramsSaveAs
	paramsConfirmOverwrite
	paramsFilter
)

// actionRow is the cursor on the ▶ row above the keys (pending edits, or the
// branch editor).
const actionRow = -1

// sectionOrder puts the keys people change most (train) on the first screen.
var sectionOrder = map[string]int{"train": 0, "model": 1, "task": 2, "run": 3}

type setResultMsg struct {
	key, value string
	err        error
}

// NewParams returns the Params screen of a session.
func NewParams(c *common.Common, ctl Editable) *Params {
	p := &Params{c: c, ctl: ctl, errs: map[string]string{}, input: textinput.New(), filterIn: textinput.New()}
	p.input.Prompt = ""
	p.filterIn.Prompt = ""
	p.Refresh()
	return p
}

// NewBranchEditor returns the branch editor: the live keys of cfg (the
// checkpoint's config) to change before the branch starts from target.
func NewBranchEditor(c *common.Common, cfg *lab.Config, target BranchTarget) *Params {
	p := NewParams(c, fixedConfig{cfg})
	p.branch, p.liveOnly, p.cursor = &target, true, actionRow
	p.narrow()
	return p
}

// Refresh reloads the values from the session (after a change).
func (p *Params) Refresh() {
	p.all = lab.Fields(p.ctl.Config())
	rank := func(s string) int {
		if r, ok := sectionOrder[s]; ok {
			return r
		}
		return len(sectionOrder)
	}
	slices.SortStableFunc(p.all, func(a, b lab.Field) int { return rank(a.Section) - rank(b.Section) })
	p.narrow()
}

// narrow recomputes the keys shown from the filter and the live-only toggle,
// keeping the cursor on the same key when it is still shown.
func (p *Params) narrow() {
	if p.cursor == actionRow && p.hasAction() {
		defer func() { p.cursor = actionRow }()
	}
	current := ""
	if p.cursor >= 0 && p.cursor < len(p.fields) {
		current = p.fields[p.cursor].Key
	}
	text := strings.ToLower(p.filter)
	p.fields = p.fields[:0:0]
	for _, f := range p.all {
		if p.liveOnly && !f.Live {
			continue
		}
		if text != "" && !strings.Contains(strings.ToLower(f.Key), text) && !strings.Contains(strings.ToLower(f.Help), text) {
			continue
		}
		p.fields = append(p.fields, f)
	}
	p.cursor = min(max(p.cursor, 0), max(len(p.fields)-1, 0))
	for i, f := range p.fields {
		if f.Key == current {
			p.cursor = i
		}
	}
}

// Capturing reports whether the screen is reading text or a y/n answer (the
// branch editor captures every key until it starts or is cancelled).
func (p *Params) Capturing() bool { return p.mode != paramsBrowse || p.branch != nil }

// hasAction reports whether the ▶ row shows: edits are pending, or this is
// the branch editor.
func (p *Params) hasAction() bool { return len(p.staged) > 0 || p.branch != nil }

// SetSize implements common.Component.
func (p *Params) SetSize(w, h int) {
	p.width, p.height = w, h
	p.input.SetWidth(max(w/4, 14))
	p.filterIn.SetWidth(max(w/4, 14))
}

// ShortHelp implements common.Component.
func (p *Params) ShortHelp() []key.Binding {
	k := p.c.Keys
	switch p.mode {
	case paramsEdit, paramsSaveAs, paramsFilter:
		return []key.Binding{k.Confirm, k.Cancel}
	case paramsConfirmOverwrite:
		return []key.Binding{k.Yes, k.No}
	}
	if p.hasAction() {
		return []key.Binding{k.Up, k.Down, k.Edit, k.Apply, k.Drop, k.Filter}
	}
	return []key.Binding{k.Up, k.Down, k.Edit, k.Filter, k.SaveAs}
}

// FullHelp implements common.Component.
func (p *Params) FullHelp() [][]key.Binding {
	k := p.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Edit, k.Apply, k.Drop, k.SaveAs}, {k.Filter, k.LiveOnly, k.Cancel}}
}

// Update handles browsing, editing and the answers of Set.
func (p *Params) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case setResultMsg:
		if msg.err != nil {
			p.errs[msg.key] = msg.err.Error()
			return nil
		}
		delete(p.errs, msg.key)
		p.Refresh()
		return Notice(fmt.Sprintf("%s = %s: applies at the next step", msg.key, msg.value), false)
	case tea.PasteMsg:
		if p.mode == paramsEdit || p.mode == paramsSaveAs {
			var cmd tea.Cmd
			p.input, cmd = p.input.Update(msg)
			return cmd
		}
		if p.mode == paramsFilter {
			var cmd tea.Cmd
			p.filterIn, cmd = p.filterIn.Update(msg)
			p.filter = p.filterIn.Value()
			p.narrow()
			return cmd
		}
	case tea.KeyPressMsg:
		switch p.mode {
		case paramsBrowse:
			return p.browse(msg)
		case paramsEdit, paramsSaveAs:
			return p.editing(msg)
		case paramsFilter:
			return p.filtering(msg)
		default:
			return p.confirm(msg)
		}
	}
	return nil
}

func (p *Params) browse(msg tea.KeyPressMsg) tea.Cmd {
	k := p.c.Keys
	page := max(p.height-4, 1)
	top := 0
	if p.hasAction() {
		top = actionRow
	}
	switch {
	case key.Matches(msg, k.Up):
		p.cursor = max(p.cursor-1, top)
	case key.Matches(msg, k.Down):
		p.cursor = max(min(p.cursor+1, len(p.fields)-1), top)
	case key.Matches(msg, k.PageUp):
		p.cursor = max(p.cursor-page, top)
	case key.Matches(msg, k.PageDown):
		p.cursor = max(min(p.cursor+page, len(p.fields)-1), top)
	case key.Matches(msg, k.Apply), key.Matches(msg, k.Edit) && p.cursor == actionRow:
		return p.start()
	case key.Matches(msg, k.Edit):
		if len(p.fields) == 0 || p.cursor < 0 {
			return nil
		}
		p.mode = paramsEdit
		p.input.SetValue(p.fields[p.cursor].Value)
		p.input.CursorEnd()
		return p.input.Focus()
	case key.Matches(msg, k.SaveAs):
		p.mode = paramsSaveAs
		p.input.SetValue("lab.toml")
		p.input.CursorEnd()
		return p.input.Focus()
	case key.Matches(msg, k.Filter):
		p.mode = paramsFilter
		p.filterIn.SetValue(p.filter)
		p.filterIn.CursorEnd()
		return p.filterIn.Focus()
	case key.Matches(msg, k.LiveOnly):
		if p.branch == nil { // a branch changes live keys only
			p.liveOnly = !p.liveOnly
			p.narrow()
		}
	case key.Matches(msg, k.Cancel):
		switch {
		case p.filter != "":
			p.filter = ""
			p.narrow()
		case p.branch != nil:
			target := *p.branch
			return func() tea.Msg { return BranchCancelMsg{Target: target} }
		case len(p.staged) > 0:
			n := len(p.staged)
			p.staged, p.stagedErr = nil, ""
			p.cursor = max(p.cursor, 0)
			return Notice(fmt.Sprintf("dropped %d pending change%s", n, plural(n)), false)
		}
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// filtering reads the filter line: the list narrows as it is typed, enter
// keeps the filter, esc clears it.
func (p *Params) filtering(msg tea.KeyPressMsg) tea.Cmd {
	k := p.c.Keys
	switch {
	case key.Matches(msg, k.Cancel):
		p.filter = ""
		p.filterIn.SetValue("")
		p.mode = paramsBrowse
		p.filterIn.Blur()
		p.narrow()
		return nil
	case key.Matches(msg, k.Confirm):
		p.mode = paramsBrowse
		p.filterIn.Blur()
		return nil
	}
	var cmd tea.Cmd
	p.filterIn, cmd = p.filterIn.Update(msg)
	p.filter = p.filterIn.Value()
	p.narrow()
	return cmd
}

func (p *Params) editing(msg tea.KeyPressMsg) tea.Cmd {
	k := p.c.Keys
	switch {
	case key.Matches(msg, k.Cancel):
		p.mode = paramsBrowse
		p.input.Blur()
		return nil
	case key.Matches(msg, k.Confirm):
		value := strings.TrimSpace(p.input.Value())
		p.input.Blur()
		if p.mode == paramsSaveAs {
			return p.saveAs(value, false)
		}
		p.mode = paramsBrowse
		return p.apply(p.fields[p.cursor], value)
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

// apply sends a live change to the session, or stages a structural one (in
// the branch editor, every one) for the new run.
func (p *Params) apply(f lab.Field, value string) tea.Cmd {
	if f.Live && p.branch == nil {
		ctl := p.ctl
		return func() tea.Msg { return setResultMsg{key: f.Key, value: value, err: ctl.Set(f.Key, value)} }
	}
	value, err := lab.NormalValue(f.Key, value)
	if err != nil {
		p.errs[f.Key] = err.Error()
		return nil
	}
	delete(p.errs, f.Key)
	p.staged = slices.DeleteFunc(p.staged, func(e string) bool { return strings.HasPrefix(e, f.Key+"=") })
	if cur, _ := lab.LookupField(p.base(), f.Key); value != cur.Value { // back to its value: no longer pending
		p.staged = append(p.staged, f.Key+"="+value)
	}
	p.check()
	return nil
}

// base is the config the pending edits apply to: the session's for a run of
// its own (no name, no parent), the checkpoint's for a branch.
func (p *Params) base() *lab.Config {
	if p.branch != nil {
		return p.ctl.Config()
	}
	return p.ctl.Config().Fresh()
}

// check validates the pending edits together.
func (p *Params) check() {
	p.stagedErr = ""
	if err := p.base().Edit(p.staged); err != nil {
		p.stagedErr = err.Error()
	}
}

// start starts the new run (or the branch) with the pending edits.
func (p *Params) start() tea.Cmd {
	if !p.hasAction() {
		return nil
	}
	cfg := p.base()
	if err := cfg.Edit(p.staged); err != nil {
		p.stagedErr = err.Error()
		return Notice("the pending changes do not make an experiment yet: "+err.Error(), true)
	}
	msg := NewRunMsg{Config: cfg}
	if p.branch != nil {
		msg.Branch = p.branch.Path
	}
	p.staged, p.stagedErr = nil, ""
	p.cursor = max(p.cursor, 0)
	return func() tea.Msg { return msg }
}

func (p *Params) confirm(msg tea.KeyPressMsg) tea.Cmd {
	k := p.c.Keys
	switch {
	case key.Matches(msg, k.Yes):
		p.mode = paramsBrowse
		return p.saveAs(p.saveTo, true)
	case key.Matches(msg, k.No), key.Matches(msg, k.Cancel):
		p.mode = paramsBrowse
	}
	return nil
}

// saveAs writes the session's config to path, asking before overwriting.
func (p *Params) saveAs(path string, overwrite bool) tea.Cmd {
	p.mode = paramsBrowse
	if path == "" {
		return Notice("save as: no file name given", true)
	}
	if _, err := os.Stat(path); err == nil && !overwrite {
		p.saveTo, p.mode = path, paramsConfirmOverwrite
		return nil
	}
	if err := p.ctl.Config().Save(path); err != nil {
		return Notice("save as "+path+": "+err.Error(), true)
	}
	return Notice("wrote "+path, false)
}

// View draws the fields by section, the cursor row with its input or error,
// and the prompt of a pending question.
func (p *Params) View() string {
	st := p.c.Styles
	keyW := 0
	for _, f := range p.all {
		keyW = max(keyW, len(f.Key))
	}
	valW := 14
	for _, e := range p.staged { // "old → new" of a pending edit
		k, v, _ := strings.Cut(e, "=")
		if f, ok := lab.LookupField(p.base(), k); ok {
			valW = max(valW, min(len(f.Value)+len(v)+7, p.width/3))
		}
	}
	var rows []string
	cursorRow := 0
	section := ""
	for i, f := range p.fields {
		if f.Section != section {
			section = f.Section
			rows = append(rows, st.Title.Render("["+section+"]"))
		}
		if i == p.cursor {
			cursorRow = len(rows)
		}
		rows = append(rows, p.row(f, i == p.cursor, keyW, valW))
		if e, ok := p.errs[f.Key]; ok {
			rows = append(rows, "    "+st.Error.Render("✗ "+e))
		}
	}
	if len(p.fields) == 0 {
		rows = append(rows, st.Dim.Render("  no key matches"))
	}
	head := []string{p.header()}
	head = append(head, p.actionLines()...)
	if line := p.filterLine(); line != "" {
		head = append(head, line)
	}
	bodyH := max(p.height-len(head)-2, 1)
	if cursorRow < p.offset+1 {
		p.offset = max(cursorRow-1, 0)
	} else if cursorRow >= p.offset+bodyH-1 {
		p.offset = cursorRow - bodyH + 2
	}
	p.offset = min(p.offset, max(len(rows)-bodyH, 0))
	rows = rows[p.offset:min(p.offset+bodyH, len(rows))]
	var help string
	switch {
	case p.cursor == actionRow && p.branch != nil:
		help = "enter starts the branch: a new run from the checkpoint's exact state (weights, optimizer, EMA, carry, data position, RNG) with these changes; the parent stays resumable from Runs"
	case p.cursor == actionRow:
		help = "enter starts a new run with the pending changes; the current run stops and saves (resume it from Runs)"
	case len(p.fields) > 0:
		f := p.fields[p.cursor]
		kind := st.Good.Render("live: applies at the next step and is logged")
		switch {
		case p.branch != nil:
			kind = st.Good.Render("live: the branch starts with it")
		case !f.Live:
			kind = st.Warn.Render("structural: staged, the new run starts with it")
		}
		help = f.Key + " (" + f.Kind + "): " + f.Help + " — " + kind
	}
	out := append(head, rows...)
	return widgets.Fit(strings.Join(out, "\n"), p.width, p.height-2) + "\n" +
		widgets.Fit(lipgloss.NewStyle().Width(p.width).Render(help), p.width, 2)
}

// filterLine tells the filter, the live-only toggle and how many keys match;
// it is empty when neither narrows the list.
func (p *Params) filterLine() string {
	st := p.c.Styles
	if p.mode != paramsFilter && p.filter == "" && !p.liveOnly {
		return ""
	}
	var parts []string
	switch {
	case p.mode == paramsFilter:
		parts = append(parts, "filter: "+p.filterIn.View())
	case p.filter != "":
		parts = append(parts, "filter: "+p.filter)
	}
	if p.liveOnly {
		parts = append(parts, "live keys only")
	}
	count := fmt.Sprintf("%d of %d keys match", len(p.fields), len(p.all))
	if len(p.fields) == 1 {
		count = fmt.Sprintf("1 of %d keys matches", len(p.all))
	}
	hint := "/ filters · v live only · esc clears"
	if p.branch != nil {
		hint = "/ filters · esc clears the filter"
	}
	if p.mode == paramsFilter {
		hint = "enter keeps · esc clears"
	}
	return strings.Join(parts, " · ") + "  " + st.Dim.Render("("+count+") "+hint)
}

// actionLines are the ▶ row of the pending edits (or of the branch) and, when
// they do not make an experiment yet, the reason.
func (p *Params) actionLines() []string {
	if !p.hasAction() {
		return nil
	}
	st := p.c.Styles
	changes := fmt.Sprintf("%d change%s: %s", len(p.staged), plural(len(p.staged)), strings.Join(p.staged, "  "))
	var text string
	switch {
	case p.branch != nil && len(p.staged) == 0:
		text = fmt.Sprintf("▶ start the branch at step %d (no change yet: it would train on as its parent)", p.branch.Step)
	case p.branch != nil:
		text = fmt.Sprintf("▶ start the branch at step %d with %s", p.branch.Step, changes)
	default:
		text = "▶ start a new run with " + changes
	}
	line := st.Warn.Render(widgets.PadRight(text, p.width))
	if p.cursor == actionRow {
		line = st.Selected.Render(widgets.PadRight(text, p.width))
	}
	lines := []string{line}
	if p.stagedErr != "" {
		lines = append(lines, "  "+st.Error.Render("✗ "+p.stagedErr))
	}
	return lines
}

func (p *Params) header() string {
	st := p.c.Styles
	if p.branch != nil && p.mode == paramsBrowse {
		return st.Accent.Render(fmt.Sprintf("Branch %s at step %d", p.branch.Parent, p.branch.Step)) +
			st.Dim.Render(" · enter edits · ▶ (or a) starts it · esc cancels")
	}
	switch p.mode {
	case paramsConfirmOverwrite:
		return st.Warn.Render(p.saveTo + " exists: overwrite it? y/n")
	case paramsSaveAs:
		return "Save the config as: " + p.input.View() + st.Dim.Render("  enter writes · esc cancels")
	}
	if len(p.staged) > 0 {
		return st.Dim.Render("● live  ◆ structural · enter on ▶ (or a) starts the new run · esc drops the pending changes")
	}
	return st.Dim.Render("● live  ◆ structural (staged) · enter edits · / filters · v live · w saves as")
}

// pendingValue is the staged value of key, if any.
func (p *Params) pendingValue(key string) (string, bool) {
	for _, e := range p.staged {
		if v, ok := strings.CutPrefix(e, key+"="); ok {
			return v, true
		}
	}
	return "", false
}

func (p *Params) row(f lab.Field, selected bool, keyW, valW int) string {
	st := p.c.Styles
	mark := st.Good.Render("●")
	if !f.Live {
		mark = st.Warn.Render("◆")
	}
	value := f.Value
	if f.Kind == "string" {
		value = fmt.Sprintf("%q", f.Value)
	}
	if v, ok := p.pendingValue(f.Key); ok {
		if f.Kind == "string" {
			v = fmt.Sprintf("%q", v)
		}
		value += " → " + v
		mark = st.Warn.Render("✎")
	}
	if selected && p.mode == paramsEdit {
		value = p.input.View()
	} else {
		value = widgets.PadRight(value, valW)
	}
	line := fmt.Sprintf(" %s %-*s  ", mark, keyW, f.Key) + value + "  " + st.Dim.Render(f.Help)
	line = widgets.PadRight(line, p.width)
	if selected && p.mode != paramsEdit {
		return st.Selected.Render(widgets.PadRight(fmt.Sprintf(" %s %-*s  %s  %s", p.markText(f), keyW, f.Key, widgets.PadRight(value, valW), f.Help), p.width))
	}
	return line
}

// markText is the live/structural/pending mark without style (inside the
// selected row).
func (p *Params) markText(f lab.Field) string {
	if _, ok := p.pendingValue(f.Key); ok {
		return "✎"
	}
	if f.Live {
		return "●"
	}
	return "◆"
}
