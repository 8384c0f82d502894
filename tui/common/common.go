// Package common holds what every component of the lab's terminal UI
// shares: the styles (colour or monochrome), the key map and the size of the
// area a component draws into.
package common

import (
	"os"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// MinWidth and MinHeight are the smallest terminal the lab draws in. 80x24
// is the classic terminal: every screen is laid out to fit it. Below it the
// lab shows a message asking for a larger window instead of a broken layout.
const (
	MinWidth  = 80
	MinHeight = 24
)

// WideWidth is the width from which screens put their panels side by side
// with room to spare (the "wide" layout); below it they use the compact one.
const WideWidth = 120

// Common is shared by every component: styles, keys and the terminal size.
type Common struct {
	Styles *Styles
	Keys   *KeyMap
	Mono   bool // NO_COLOR: no colours, meaning carried by symbols and attributes
	Width  int  // terminal width
	Height int  // terminal height
}

// NewCommon returns the shared state for a colour (mono false) or monochrome
// UI.
func NewCommon(mono bool) *Common {
	return &Common{Styles: NewStyles(mono), Keys: DefaultKeyMap(), Mono: mono, Width: MinWidth, Height: MinHeight}
}

// NoColor reports whether the NO_COLOR convention asks for a monochrome UI:
// any non-empty value counts (https://no-color.org). The colorprofile
// package only honours values that parse as true, so the lab checks itself.
func NoColor() bool { return os.Getenv("NO_COLOR") != "" }

// Component is one element of a screen: it handles messages, draws itself
// into the size it was given and names the keys it answers to.
type Component interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}
