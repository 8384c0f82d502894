package components

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"hrmlab/tui/common"
)

// Help is the overlay that ? opens: every key of the lab and of the screen
// in view.
type Help struct {
	c             *common.Common
	width, height int
	screen        string
	groups        [][]key.Binding
}

// NewHelp returns the help overlay.
func NewHelp(c *common.Common) *Help { return &Help{c: c} }

// SetScreen names the screen in view and its keys.
func (h *Help) SetScreen(name string, groups [][]key.Binding) {
	h.screen, h.groups = name, groups
}

// SetSize implements common.Component.
func (h *Help) SetSize(w, ht int) { h.width, h.height = w, ht }

// Update implements common.Component; the app closes the overlay.
func (h *Help) Update(tea.Msg) tea.Cmd { return nil }

// ShortHelp implements common.Component.
func (h *Help) ShortHelp() []key.Binding { return []key.Binding{h.c.Keys.Help, h.c.Keys.Cancel} }

// FullHelp implements common.Component.
func (h *Help) FullHelp() [][]key.Binding { return [][]key.Binding{h.ShortHelp()} }

// View draws the overlay centred in its area.
func (h *Help) View() string {
	st := h.c.Styles
	k := h.c.Keys
	section := func(title string, groups ...[]key.Binding) []string {
		lines := []string{st.Title.Render(title)}
		for _, g := range groups {
			for _, b := range g {
				hb := b.Help()
				lines = append(lines, "  "+st.Key.Render(padTo(hb.Key, 9))+" "+hb.Desc)
			}
		}
		return lines
	}
	global := section("Everywhere", []key.Binding{k.NextTab, k.PrevTab, k.Tab1, k.Tab2, k.Tab3, k.Tab4, k.Help, k.Quit})
	screen := section(h.screen, h.groups...)
	var body string
	left, right := strings.Join(global, "\n"), strings.Join(screen, "\n")
	if lipgloss.Width(left)+lipgloss.Width(right)+7 <= h.width {
		body = lipgloss.JoinHorizontal(lipgloss.Top, left, "   ", right)
	} else {
		body = left + "\n\n" + right
	}
	body += "\n\n" + st.Dim.Render("? or esc closes this help")
	return lipgloss.Place(h.width, h.height, lipgloss.Center, lipgloss.Center, st.Overlay.Render(body))
}

func padTo(s string, w int) string {
	if n := lipgloss.Width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}
