package lab

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"hrmlab/checkpoints"
)

// RunLog is a finished or running run read back from its folder
// (runs/<name>/): the config it started with and what metrics.jsonl logged.
type RunLog struct {
	Name, Dir string
	Config    *Config // lab.toml as the run started (live changes are in Changes)
	Points    []Point
	Evals     []EvalReport
	Changes   []Change
	// Elapsed[i] is the training time in seconds up to Points[i], summed
	// over resumed sessions; from the records' clock times where the log
	// predates the elapsed field.
	Elapsed []float64
}

// ReadRun reads the run folder dir. A folder without lab.toml and
// metrics.jsonl, or a malformed line, is an *InputError naming the file and
// line.
func ReadRun(dir string) (*RunLog, error) {
	dir = filepath.Clean(dir)
	r := &RunLog{Name: filepath.Base(dir), Dir: dir}
	cfgPath, metricsPath := filepath.Join(dir, checkpoints.ConfigFile), filepath.Join(dir, checkpoints.MetricsFile)
	for _, p := range []string{cfgPath, metricsPath} {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return nil, inputErrorf("%s: not a run folder (no %s)", dir, filepath.Base(p))
		} else if err != nil {
			return nil, &InputError{Err: err}
		}
	}
	cfg, err := Load(cfgPath)
	if err != nil {
		return nil, err
	}
	r.Config = cfg
	var clock []time.Time // the records' times, for logs without elapsed
	err = readMetrics(metricsPath, func(kind string, at time.Time, data json.RawMessage) error {
		switch kind {
		case "train":
			var p Point
			if err := json.Unmarshal(data, &p); err != nil {
				return err
			}
			r.Points = append(r.Points, p)
			clock = append(clock, at)
		case "eval":
			var e EvalReport
			if err := json.Unmarshal(data, &e); err != nil {
				return err
			}
			r.Evals = append(r.Evals, e)
		case "change":
			var c Change
			if err := json.Unmarshal(data, &c); err != nil {
				return err
			}
			r.Changes = append(r.Changes, c)
		}
		return nil
	})
	if err != nil {
		return nil, &InputError{Err: err}
	}
	if len(r.Points) == 0 {
		return nil, inputErrorf("%s: no training records", metricsPath)
	}
	r.Elapsed = elapsedOf(r.Points, clock)
	return r, nil
}

// elapsedOf sums the sessions' training times: Point.Elapsed starts again
// from zero when a run is resumed. Logs without it fall back to clock time
// since the first record.
func elapsedOf(ps []Point, clock []time.Time) []float64 {
	out := make([]float64, len(ps))
	if ps[len(ps)-1].Elapsed == 0 {
		for i := range ps {
			if !clock[i].IsZero() && !clock[0].IsZero() {
				out[i] = clock[i].Sub(clock[0]).Seconds()
			}
		}
		return out
	}
	offset, prev := 0.0, 0.0
	for i, p := range ps {
		if p.Elapsed < prev {
			offset += prev
		}
		prev = p.Elapsed
		out[i] = offset + p.Elapsed
	}
	return out
}

// readMetrics calls fn for each record of a metrics.jsonl file; errors name
// the file and line.
func readMetrics(path string, fn func(kind string, at time.Time, data json.RawMessage) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	line := 1
	for ; sc.Scan(); line++ {
		var rec struct {
			Kind string          `json:"kind"`
			Time string          `json:"time"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return fmt.Errorf("%s:%d: %v", path, line, err)
		}
		at, _ := time.Parse(time.RFC3339, rec.Time)
		if err := fn(rec.Kind, at, rec.Data); err != nil {
			return fmt.Errorf("%s:%d: %s record: %v", path, line, rec.Kind, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %v", path, line, err)
	}
	return nil
}

// Final is the run's last training point, its training time and its steps per
// second.
func (r *RunLog) Final() (last Point, seconds, stepsPerSec float64) {
	last, seconds = r.Points[len(r.Points)-1], r.Elapsed[len(r.Elapsed)-1]
	if seconds > 0 {
		stepsPerSec = float64(last.Step) / seconds
	}
	return last, seconds, stepsPerSec
}

// EvalSeconds is the training time at each evaluation: that of the last
// logged step at or before it.
func (r *RunLog) EvalSeconds() []float64 {
	out := make([]float64, len(r.Evals))
	j := 0
	for i, e := range r.Evals {
		for j+1 < len(r.Points) && r.Points[j+1].Step <= e.Step {
			j++
		}
		out[i] = r.Elapsed[j]
	}
	return out
}

// ParamCount is the number of trainable parameters of the model cfg
// describes, without building its dataset.
func ParamCount(cfg *Config) (int, error) {
	n, err := paramCount(cfg)
	if err != nil {
		return 0, &InputError{Err: err}
	}
	return n, nil
}

// lineageKeys name a run and place it among others; they are not part of the
// experiment.
var lineageKeys = map[string]bool{"run.name": true, "run.out": true, "run.parent": true, "run.parent_step": true}

// DifferingKeys returns the lab.toml keys whose values differ between the
// configs, in file order, leaving out run.name, run.out, run.parent and
// run.parent_step (a run's name, place and lineage, not its experiment).
func DifferingKeys(cfgs []*Config) []string {
	if len(cfgs) < 2 {
		return nil
	}
	first := Fields(cfgs[0])
	others := make([][]Field, len(cfgs)-1)
	for i, c := range cfgs[1:] {
		others[i] = Fields(c)
	}
	var keys []string
	for i, f := range first {
		if lineageKeys[f.Key] {
			continue
		}
		for _, o := range others {
			if o[i].Value != f.Value {
				keys = append(keys, f.Key)
				break
			}
		}
	}
	return keys
}
