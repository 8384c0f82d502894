package lab

import "fmt"

// RunComparison is what `hrmlab compare` and the Compare screen show of several
// runs: a row of figures per run and the lab.toml keys where they differ.
type RunComparison struct {
	X    string        `json:"x"` // the curves' x axis: step or time
	Keys []string      `json:"differing_keys"`
	Runs []ComparedRun `json:"runs"`
	PNG  string        `json:"png,omitempty"`
}

// ComparedRun is one run's row of a RunComparison.
type ComparedRun struct {
	Name          string            `json:"name"`
	Dir           string            `json:"dir"`
	Parent        string            `json:"parent,omitempty"` // the run it branched from, at ParentStep
	ParentStep    int               `json:"parent_step,omitempty"`
	Steps         int               `json:"steps"`
	TrainSeconds  float64           `json:"train_seconds"`
	StepsPerSec   float64           `json:"steps_per_second"`
	Params        int               `json:"params"`
	LastEvalExact *float64          `json:"last_eval_exact"` // null: no evaluation logged
	LastEvalStep  int               `json:"last_eval_step,omitempty"`
	BestEvalExact *float64          `json:"best_eval_exact"`
	BestEvalStep  int               `json:"best_eval_step,omitempty"`
	Differs       map[string]string `json:"differs"` // the keys where the runs differ, with this run's values
	LiveChanges   []Change          `json:"live_changes,omitempty"`
}

// Compare reads the figures of the runs and the keys where they differ.
func Compare(runs []*RunLog) (*RunComparison, error) {
	cfgs := make([]*Config, len(runs))
	for i, r := range runs {
		cfgs[i] = r.Config
	}
	res := &RunComparison{Keys: DifferingKeys(cfgs)}
	if res.Keys == nil {
		res.Keys = []string{}
	}
	for _, r := range runs {
		last, secs, rate := r.Final()
		params, err := ParamCount(r.Config)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Dir, err)
		}
		row := ComparedRun{Name: r.Name, Dir: r.Dir, Parent: r.Config.Run.Parent, ParentStep: r.Config.Run.ParentStep,
			Steps: last.Step, TrainSeconds: secs, StepsPerSec: rate, Params: params, Differs: map[string]string{}, LiveChanges: r.Changes}
		for i, e := range r.Evals {
			if i == len(r.Evals)-1 {
				row.LastEvalExact, row.LastEvalStep = &e.ExactAccuracy, e.Step
			}
			if row.BestEvalExact == nil || e.ExactAccuracy > *row.BestEvalExact {
				row.BestEvalExact, row.BestEvalStep = &e.ExactAccuracy, e.Step
			}
		}
		for _, k := range res.Keys {
			f, _ := LookupField(r.Config, k)
			row.Differs[k] = f.Value
		}
		res.Runs = append(res.Runs, row)
	}
	return res, nil
}
