package lab

import (
	"fmt"
	"strings"
	"testing"

	"hrmlab/engine"
	"hrmlab/tasks"
)

func TestChoose(t *testing.T) {
	a, b, c := []int32{2, 3}, []int32{3, 2}, []int32{2, 2}
	for _, tc := range []struct {
		name  string
		cands []Candidate
		want  int
		why   string
		votes []int
	}{
		{"one", []Candidate{{Tokens: a}}, 0, ChosenSingle, []int{0}},
		{"only valid", []Candidate{{Tokens: b}, {Tokens: a, Valid: true}, {Tokens: b}}, 1, ChosenValid, []int{0, 1, 0}},
		{"valid by votes", []Candidate{{Tokens: a, Valid: true, QHalt: 0.1}, {Tokens: c, Valid: true, QHalt: 0.9}, {Tokens: a, Valid: true, QHalt: 0.2}},
			2, ChosenVotes, []int{2, 1, 2}},
		{"valid tie by q_halt", []Candidate{{Tokens: a, Valid: true, QHalt: 0.1}, {Tokens: c, Valid: true, QHalt: 0.9}}, 1, ChosenQHalt, []int{1, 1}},
		{"none valid, votes", []Candidate{{Tokens: b}, {Tokens: c, QHalt: 0.9}, {Tokens: b}}, 0, ChosenNoneVotes, []int{2, 1, 2}},
		{"none valid, q_halt", []Candidate{{Tokens: b, QHalt: 0.3}, {Tokens: c, QHalt: 0.4}}, 1, ChosenNoneQHalt, []int{1, 1}},
	} {
		got, why := choose(tc.cands)
		if got != tc.want || why != tc.why {
			t.Errorf("%s: chose %d (%s), want %d (%s)", tc.name, got, why, tc.want, tc.why)
		}
		for i, c := range tc.cands {
			if c.Votes != tc.votes[i] || c.Chosen != (i == tc.want) {
				t.Errorf("%s: candidate %d has %d votes, chosen %v; want %d, %v", tc.name, i, c.Votes, c.Chosen, tc.votes[i], i == tc.want)
			}
		}
	}
}

// The votes alone pass over the rules: the answer most samples gave wins
// even when another is valid, ties by q_halt.
func TestMostVotedAlone(t *testing.T) {
	a, b, c := []int32{2, 3}, []int32{3, 2}, []int32{2, 2}
	all := func(Candidate) bool { return true }
	cands := []Candidate{{Tokens: b, QHalt: 0.1}, {Tokens: a, Valid: true}, {Tokens: b, QHalt: 0.2}}
	if got, votes, tied := mostVoted(cands, all); got != 2 || votes[fmt.Sprint(b)] != 2 || tied != 1 {
		t.Errorf("votes alone chose %d (%v, %d tied), want 2", got, votes, tied)
	}
	if got, _ := choose(cands); got != 1 {
		t.Errorf("with the rules chose %d, want the valid 1", got)
	}
	cands = []Candidate{{Tokens: a, QHalt: 0.5}, {Tokens: c, QHalt: 0.7}}
	if got, _, tied := mostVoted(cands, all); got != 1 || tied != 2 {
		t.Errorf("tie: chose %d with %d tied, want 1 of 2", got, tied)
	}
}

// One sample is Evaluate; more give every puzzle its candidates and a
// reason, keep the one-sample figures, and are refused for ARC.
func TestEvaluateWithSamples(t *testing.T) {
	task, err := tasks.NewSudoku(4)
	if err != nil {
		t.Fatal(err)
	}
	cfg := tinyConfig(t)
	d, err := newDataSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m, err := engine.NewModel(modelConfig(cfg, d), 1)
	if err != nil {
		t.Fatal(err)
	}
	test := d.Test()
	plain, err := Evaluate(m, task, test, 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	r, err := EvaluateWith(m, task, test, EvalOptions{Segments: 3, BatchSize: 5, Samples: 4, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Samples != 1 || r.Samples != 4 || r.ExactOneSample == nil || *r.ExactOneSample != plain.ExactAccuracy ||
		r.ExactByVotes == nil || *r.ExactByVotes < 0 || *r.ExactByVotes > 1 ||
		r.MeanHaltStep != plain.MeanHaltStep || r.ExactAtHalt != plain.ExactAtHalt {
		t.Fatalf("4 samples %+v against one %+v", r, plain)
	}
	n := 0
	for _, c := range r.ChosenBy {
		n += c
	}
	if n != len(test) {
		t.Fatalf("chosen_by %v counts %d puzzles, want %d", r.ChosenBy, n, len(test))
	}
	cands, why, err := SolveSamples(m, task, test[0], 3, 4, 7)
	if err != nil || len(cands) != 4 || cands[0].Symmetry != "identity" || why == "" {
		t.Fatalf("SolveSamples: %d candidates, first %q, why %q, %v", len(cands), cands[0].Symmetry, why, err)
	}
	arc := &tasks.ARC{}
	if _, err := EvaluateWith(m, arc, test[:1], EvalOptions{Segments: 1, BatchSize: 1, Samples: 2}); err == nil || !IsInputError(err) || !strings.Contains(err.Error(), "-samples 2") {
		t.Fatalf("samples on ARC: %v", err)
	}
}
