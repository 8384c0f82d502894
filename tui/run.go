package tui

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"hrmlab/lab"
	"hrmlab/tui/common"
)

// Run opens the lab full-screen on a new session of cfg: it starts training,
// runs the UI until the user quits (q offers to save a checkpoint first),
// then stops the session and waits for it. A loaded checkpoint, when given,
// opens on the Solve screen (load names it there).
func Run(cfg *lab.Config, opts lab.Options, loaded *lab.Loaded, load string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := func(cfg *lab.Config, opts lab.Options) (*lab.Session, error) {
		s, err := lab.NewSession(cfg, opts)
		if err != nil {
			return nil, err
		}
		s.Start(ctx)
		return s, nil
	}
	sess, err := start(cfg, opts)
	if err != nil {
		return err
	}
	mono := common.NoColor()
	var progOpts []tea.ProgramOption
	if mono {
		progOpts = append(progOpts, tea.WithColorProfile(colorprofile.ASCII))
	}
	app := New(sess, opts, start, mono)
	if loaded != nil {
		app.ShowLoaded(loaded, load)
	}
	final, runErr := tea.NewProgram(app, progOpts...).Run()
	if a, ok := final.(*App); ok {
		app = a
	}
	cur := app.Session()
	if app.SaveOnQuit() {
		cur.Stop()
	} else {
		cur.StopWithoutSaving()
	}
	return errors.Join(runErr, cur.Wait())
}
