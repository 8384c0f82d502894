package lab

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"hrmlab/checkpoints"
	"hrmlab/engine"
)

// runFolder is what a persisting session writes: runs/<name>/lab.toml (the
// config, with live changes appended as comments), metrics.jsonl and
// checkpoints/.
type runFolder struct {
	name, dir string
	metrics   *os.File
	w         *bufio.Writer
}

func openRunFolder(cfg *Config, resumed bool) (*runFolder, error) {
	name := cfg.Run.Name
	if name == "" {
		name = fmt.Sprintf("%s%d-%s-%s", cfg.Task.Kind, cfg.Task.Size, cfg.Model.Arch, time.Now().Format("20060102-150405"))
		cfg.Run.Name = name
	}
	dir := filepath.Join(cfg.Run.Out, name)
	if err := os.MkdirAll(filepath.Join(dir, "checkpoints"), 0o755); err != nil {
		return nil, err
	}
	if !resumed {
		if err := cfg.Save(filepath.Join(dir, checkpoints.ConfigFile)); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, "metrics.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &runFolder{name: name, dir: dir, metrics: f, w: bufio.NewWriter(f)}, nil
}

// loadHistory reads what the run in dir logged up to step upTo back into h,
// so a resumed session's history covers the whole run. With copyTo it also
// writes those records into another run folder (a branch's, from its
// parent's), times kept.
func loadHistory(dir string, upTo int, h *History, copyTo *runFolder) error {
	path := filepath.Join(dir, checkpoints.MetricsFile)
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return nil // a checkpoint moved away from its run: the history starts here
	}
	return readMetrics(path, func(kind string, at time.Time, data json.RawMessage) error {
		var step int
		var add func()
		var err error
		switch kind {
		case "train":
			var p Point
			err, add = json.Unmarshal(data, &p), func() { h.addPoint(p) }
			step = p.Step
		case "eval":
			var e EvalReport
			err, add = json.Unmarshal(data, &e), func() { h.addEval(e) }
			step = e.Step
		case "change":
			var c Change
			err, add = json.Unmarshal(data, &c), func() { h.addChange(c) }
			step = c.Step
		default:
			return nil
		}
		if err == nil && step <= upTo {
			add()
			if copyTo != nil {
				copyTo.writeRecord(kind, at, data)
			}
		}
		return err
	})
}

func (r *runFolder) writeJSON(kind string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	r.writeRecord(kind, time.Now(), b)
}

func (r *runFolder) writeRecord(kind string, at time.Time, data []byte) {
	fmt.Fprintf(r.w, `{"kind":%q,"time":%q,"data":%s}`+"\n", kind, at.UTC().Format(time.RFC3339), data)
	r.w.Flush()
}

func (r *runFolder) logPoint(p Point)     { r.writeJSON("train", p) }
func (r *runFolder) logEval(e EvalReport) { r.writeJSON("eval", e) }
func (r *runFolder) logChange(c Change) {
	r.writeJSON("change", c)
	f, err := os.OpenFile(filepath.Join(r.dir, "lab.toml"), os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	fmt.Fprintf(f, "# step %d: %s = %s (was %s)\n", c.Step, c.Key, c.New, c.Old)
	f.Close()
}

func (r *runFolder) close() error {
	if err := r.w.Flush(); err != nil {
		return err
	}
	return r.metrics.Close()
}

// save writes a checkpoint of the session and prunes old ones.
func (r *runFolder) save(s *Session) (string, error) {
	cfg := s.Config()
	text, err := cfg.Encode()
	if err != nil {
		return "", err
	}
	tensors := append([]*engine.Tensor(nil), s.trainer.Model().Tensors()...)
	st, meta := s.trainer.State()
	tensors = append(tensors, st...)
	extra := map[string]string{}
	for k, v := range meta {
		extra["trainer."+k] = v
	}
	for k, v := range s.data.State() {
		extra["data."+k] = v
	}
	extra[KeyTrainSeconds] = strconv.FormatFloat(s.runTime().Seconds(), 'f', 3, 64)
	if p, ok := s.History.Last(); ok {
		extra[checkpoints.KeyTrainLoss] = strconv.FormatFloat(p.Loss, 'g', 6, 64)
	}
	if ev := s.Status().LastEval; ev != nil {
		extra[checkpoints.KeyEvalExact] = strconv.FormatFloat(ev.ExactAccuracy, 'g', 6, 64)
		extra["eval_step"] = strconv.Itoa(ev.Step)
	}
	if cfg.Run.Parent != "" {
		extra[KeyParentRun], extra[KeyParentStep] = cfg.Run.Parent, strconv.Itoa(cfg.Run.ParentStep)
	}
	// the kernels beside the backend: OpenBLAS's kernel families round
	// float32 sums differently, so a run repeats step for step only on the
	// same ones (the threads for the record)
	blas := engine.BLAS()
	extra["blas_core"], extra["blas_threads"] = blas.Core, strconv.Itoa(blas.Threads)
	step := s.trainer.Steps()
	path := filepath.Join(r.dir, "checkpoints", checkpoints.FileName(step))
	err = checkpoints.Save(path, tensors, checkpoints.Meta{Config: string(text), Step: step, Backend: blas.Backend, Extra: extra})
	if err != nil {
		return "", err
	}
	if _, err := checkpoints.Prune(filepath.Join(r.dir, "checkpoints"), cfg.Run.KeepCheckpoints); err != nil {
		return path, err
	}
	return path, nil
}
