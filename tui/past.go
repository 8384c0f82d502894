package tui

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	tea "charm.land/bubbletea/v2"

	"hrmlab/checkpoints"
	"hrmlab/lab"
)

// pastMsg carries what a resumed run measured before its checkpoint, read
// back from the run's metrics.jsonl, so the whole-run curves start at step 1.
type pastMsg struct {
	gen     int
	points  []lab.Point
	evals   []lab.EvalReport
	changes []lab.Change
	err     error
}

// loadPast reads runDir/metrics.jsonl up to step upTo (off the UI goroutine).
func loadPast(gen int, runDir string, upTo int) tea.Cmd {
	return func() tea.Msg {
		m := pastMsg{gen: gen}
		path := filepath.Join(runDir, checkpoints.MetricsFile)
		f, err := os.Open(path)
		if err != nil {
			if !os.IsNotExist(err) { // a checkpoint without its run's log: start the curves here
				m.err = err
			}
			return m
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
		for line := 1; sc.Scan(); line++ {
			var rec struct {
				Kind string          `json:"kind"`
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				m.err = fmt.Errorf("%s:%d: %v", path, line, err)
				return m
			}
			switch rec.Kind {
			case "train":
				var p lab.Point
				if json.Unmarshal(rec.Data, &p) == nil && p.Step <= upTo {
					m.points = append(m.points, p)
				}
			case "eval":
				var e lab.EvalReport
				if json.Unmarshal(rec.Data, &e) == nil && e.Step <= upTo {
					m.evals = append(m.evals, e)
				}
			case "change":
				var c lab.Change
				if json.Unmarshal(rec.Data, &c) == nil && c.Step <= upTo {
					m.changes = append(m.changes, c)
				}
			}
		}
		if err := sc.Err(); err != nil {
			m.err = fmt.Errorf("%s: %v", path, err)
		}
		return m
	}
}
