package lab

import (
	"fmt"
	"strconv"
	"strings"
)

// A curriculum ([curriculum] in lab.toml) is a rule written into the
// experiment: a list of later stages, each the live edits made on entering
// it, and the held-out exact accuracy at which a periodic evaluation moves
// the run into the next one. The edits are logged as changes like a user's
// live edits (▲ on the curves) and, because a generated stream's held-out
// split follows its difficulty, every evaluation after them measures the new
// stage. curriculum.stage counts the stages entered, so a checkpoint resumes
// inside its stage.

// stageEdits splits a stage into its "key=value" edits.
func stageEdits(stage string) []string { return strings.Fields(stage) }

// curriculumCheck validates the stages: each edit names a live key outside
// [curriculum], and the experiment stays valid as the stages are entered one
// after another from this config.
func (c *Config) curriculumCheck() check {
	const key = "curriculum.stages"
	trial := c.Clone()
	trial.Curriculum = CurriculumConfig{}
	for i, stage := range c.Curriculum.Stages {
		where := fmt.Sprintf("entry %d (%q)", i+1, stage)
		edits := stageEdits(stage)
		if len(edits) == 0 {
			return check{key, false, where + ": no edits; want \"key=value key=value\"", nil}
		}
		for _, e := range edits {
			k, _, ok := strings.Cut(e, "=")
			f, known := LookupField(trial, k)
			switch {
			case !ok:
				return check{key, false, fmt.Sprintf("%s: %q: want key=value", where, e), nil}
			case !known:
				return check{key, false, fmt.Sprintf("%s: unknown key %q%s", where, k, suggest(k)), nil}
			case f.Section == "curriculum" || !f.Live:
				return check{key, false, fmt.Sprintf("%s: %s is not a live key outside [curriculum]; a stage changes a running experiment", where, k), nil}
			}
		}
		if _, err := trial.setAll(edits, ""); err != nil {
			return check{key, false, fmt.Sprintf("%s: %v", where, err), nil}
		}
		if err := trial.Validate(); err != nil {
			return check{key, false, fmt.Sprintf("%s: %v", where, err), nil}
		}
	}
	return check{key: key, ok: true}
}

// advanceCurriculum enters the next stage when the periodic evaluation r
// reaches curriculum.advance_at.
func (s *Session) advanceCurriculum(r EvalReport) {
	cur := s.Config().Curriculum
	if cur.Stage >= len(cur.Stages) || r.ExactAccuracy < cur.AdvanceAt {
		return
	}
	edits := append(stageEdits(cur.Stages[cur.Stage]), "curriculum.stage="+strconv.Itoa(cur.Stage+1))
	if err := s.applyEdits(edits); err != nil {
		s.fail(fmt.Errorf("curriculum stage %d of %d: %w", cur.Stage+1, len(cur.Stages), err))
		return
	}
	s.publish(Event{Kind: EventLog, Step: s.trainer.Steps(), Text: fmt.Sprintf(
		"curriculum: held-out exact %.1f%% ≥ %.1f%%: stage %d of %d: %s",
		100*r.ExactAccuracy, 100*cur.AdvanceAt, cur.Stage+2, len(cur.Stages)+1, cur.Stages[cur.Stage])})
}
