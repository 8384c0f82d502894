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
// step; a structural key offers to start a new run; "save as" writes the
// current config as a lab.toml.
type Params struct {
	c             *common.Common
	ctl           Controller
	width, height int

	all    []lab.Field // every key, sections in sectionOrder
	fields []lab.Field // the keys shown: all, narrowed by filter and liveOnly
	cursor int
	offset int // first row shown
	errs   map[string]string

	filter   string // case-insensitive text a key's name or help contains
	liveOnly bool   // show only the live keys
	filterIn textinput.Model

	mode    paramsMode
	input   textinput.Model
	pending *lab.Config // the config of a structural change awaiting y/n
	saveTo  string      // the file a save as would overwrite, awaiting y/n
}

type paramsMode int

const (
	paramsBrowse paramsMode = iota
	paramsEdit
	paramsConfirmRun
	paramsSaveAs
	paramsConfirmOverwrite
	paramsFilter
)

// sectionOrder puts the keys people change most (train) on the first screen.
var sectionOrder = map[string]int{"train": 0, "model": 1, "task": 2, "run": 3}

type setResultMsg struct {
	key, value string
	err        error
}

// NewParams returns the Params screen of a session.
func NewParams(c *common.Common, ctl Controller) *Params {
	p := &Params{c: c, ctl: ctl, errs: map[string]string{}, input: textinput.New(), filterIn: textinput.New()}
	p.input.Prompt = ""
	p.filterIn.Prompt = ""
	p.Refresh()
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
	current := ""
	if p.cursor < len(p.fields) {
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
	p.cursor = min(p.cursor, max(len(p.fields)-1, 0))
	for i, f := range p.fields {
		if f.Key == current {
			p.cursor = i
		}
	}
}

// Capturing reports whether the screen is reading text or a y/n answer.
func (p *Params) Capturing() bool { return p.mode != paramsBrowse }

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
	case paramsConfirmRun, paramsConfirmOverwrite:
		return []key.Binding{k.Yes, k.No}
	}
	return []key.Binding{k.Up, k.Down, k.Edit, k.Filter, k.SaveAs}
}

// FullHelp implements common.Component.
func (p *Params) FullHelp() [][]key.Binding {
	k := p.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Edit, k.Cancel, k.SaveAs}, {k.Filter, k.LiveOnly}}
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
	switch {
	case key.Matches(msg, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, k.Down):
		p.cursor = min(p.cursor+1, len(p.fields)-1)
	case key.Matches(msg, k.PageUp):
		p.cursor = max(p.cursor-page, 0)
	case key.Matches(msg, k.PageDown):
		p.cursor = min(p.cursor+page, len(p.fields)-1)
	case key.Matches(msg, k.Edit):
		if len(p.fields) == 0 {
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
		p.liveOnly = !p.liveOnly
		p.narrow()
	case key.Matches(msg, k.Cancel):
		if p.filter != "" {
			p.filter = ""
			p.narrow()
		}
	}
	return nil
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

// apply sends a live change to the session, or checks a structural one and
// asks whether to start a new run with it.
func (p *Params) apply(f lab.Field, value string) tea.Cmd {
	if f.Live {
		ctl := p.ctl
		return func() tea.Msg { return setResultMsg{key: f.Key, value: value, err: ctl.Set(f.Key, value)} }
	}
	trial := p.ctl.Config().Fresh() // a new run gets a folder of its own
	if err := trial.Set(f.Key, value); err != nil {
		p.errs[f.Key] = err.Error()
		return nil
	}
	delete(p.errs, f.Key)
	p.pending = trial
	p.mode = paramsConfirmRun
	return nil
}

func (p *Params) confirm(msg tea.KeyPressMsg) tea.Cmd {
	k := p.c.Keys
	switch {
	case key.Matches(msg, k.Yes):
		mode := p.mode
		p.mode = paramsBrowse
		if mode == paramsConfirmOverwrite {
			return p.saveAs(p.saveTo, true)
		}
		cfg := p.pending
		p.pending = nil
		return func() tea.Msg { return NewRunMsg{Config: cfg} }
	case key.Matches(msg, k.No), key.Matches(msg, k.Cancel):
		p.mode, p.pending = paramsBrowse, nil
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
	if len(p.fields) > 0 {
		f := p.fields[p.cursor]
		kind := st.Good.Render("live: applies at the next step and is logged")
		if !f.Live {
			kind = st.Warn.Render("structural: changing it starts a new run")
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
	if p.mode == paramsFilter {
		hint = "enter keeps · esc clears"
	}
	return strings.Join(parts, " · ") + "  " + st.Dim.Render("("+count+") "+hint)
}

func (p *Params) header() string {
	st := p.c.Styles
	switch p.mode {
	case paramsConfirmRun:
		return st.Warn.Render("Start a new run with this change? The current run stops (and saves). y starts it · n/esc cancels")
	case paramsConfirmOverwrite:
		return st.Warn.Render(p.saveTo + " exists: overwrite it? y/n")
	case paramsSaveAs:
		return "Save the config as: " + p.input.View() + st.Dim.Render("  enter writes · esc cancels")
	}
	return st.Dim.Render("● live  ◆ structural (new run) · enter edits · / filters · v live · w saves as")
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
	if selected && p.mode == paramsEdit {
		value = p.input.View()
	} else {
		value = widgets.PadRight(value, valW)
	}
	line := fmt.Sprintf(" %s %-*s  ", mark, keyW, f.Key) + value + "  " + st.Dim.Render(f.Help)
	line = widgets.PadRight(line, p.width)
	if selected && p.mode != paramsEdit {
		return st.Selected.Render(widgets.PadRight(fmt.Sprintf(" %s %-*s  %s  %s", markText(f), keyW, f.Key, widgets.PadRight(value, valW), f.Help), p.width))
	}
	return line
}

// markText is the live/structural mark without style (inside the selected row).
func markText(f lab.Field) string {
	if f.Live {
		return "●"
	}
	return "◆"
}
