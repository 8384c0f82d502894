package checkpoints

import (
	"fmt"
	"strconv"
	"time"
)

// Format and FormatVersion identify an HRM Lab checkpoint. They are written
// to the "format" and "format_version" keys of the safetensors __metadata__;
// Load refuses files without them.
const (
	Format        = "hrmlab-checkpoint"
	FormatVersion = "1"
)

// Keys of the __metadata__ map written from Meta's fields. Meta.Extra may not
// use them.
const (
	KeyFormat        = "format"
	KeyFormatVersion = "format_version"
	KeyConfig        = "config"
	KeyStep          = "step"
	KeyBackend       = "backend"
	KeyCreated       = "created"
)

// Well-known Meta.Extra keys shown in checkpoint listings (the Runs screen).
// Their values are decimal numbers; read them with Meta.Float.
const (
	KeyTrainLoss = "train_loss" // training loss at the saved step
	KeyEvalExact = "eval_exact" // exact accuracy of the last evaluation
)

// Meta is a checkpoint's metadata: the standard fields plus whatever the
// trainer needs for an exact resume (RNG state, data position, ...) in Extra.
// Every value is stored as a string in the safetensors __metadata__ map.
type Meta struct {
	Step    int       // optimizer steps taken when the checkpoint was saved
	Config  string    // the full TOML text of the run's config
	Backend string    // engine backend that produced the weights ("openblas", "gonum")
	Created time.Time // stored as RFC 3339, to the second; Save fills in the current time when zero
	Extra   map[string]string
}

// Float parses Extra[key] as a decimal number; ok is false when the key is
// absent or not a number.
func (m Meta) Float(key string) (v float64, ok bool) {
	s, found := m.Extra[key]
	if !found {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// reserved reports whether key is written from a Meta field.
func reserved(key string) bool {
	switch key {
	case KeyFormat, KeyFormatVersion, KeyConfig, KeyStep, KeyBackend, KeyCreated:
		return true
	}
	return false
}

// toMap turns m into the __metadata__ map. A zero Created becomes now.
func (m Meta) toMap(now time.Time) (map[string]string, error) {
	if m.Step < 0 {
		return nil, fmt.Errorf("meta: step %d is negative", m.Step)
	}
	created := m.Created
	if created.IsZero() {
		created = now
	}
	out := make(map[string]string, len(m.Extra)+6)
	for k, v := range m.Extra {
		if reserved(k) {
			return nil, fmt.Errorf("meta: extra key %q is reserved for a standard field", k)
		}
		out[k] = v
	}
	out[KeyFormat] = Format
	out[KeyFormatVersion] = FormatVersion
	out[KeyConfig] = m.Config
	out[KeyStep] = strconv.Itoa(m.Step)
	out[KeyBackend] = m.Backend
	out[KeyCreated] = created.UTC().Format(time.RFC3339)
	return out, nil
}

// metaFromMap checks that md is the metadata of an HRM Lab checkpoint of a
// supported version and parses the standard fields.
func metaFromMap(md map[string]string) (Meta, error) {
	format, ok := md[KeyFormat]
	if !ok {
		return Meta{}, fmt.Errorf("%w: __metadata__ has no %q key "+
			"(a PyTorch reference state dict can be read with ImportReference)", ErrForeign, KeyFormat)
	}
	if format != Format {
		return Meta{}, fmt.Errorf("not an hrmlab checkpoint: __metadata__ %q is %q, want %q", KeyFormat, format, Format)
	}
	if v := md[KeyFormatVersion]; v != FormatVersion {
		return Meta{}, fmt.Errorf("__metadata__ %q is %q: this build reads version %s", KeyFormatVersion, v, FormatVersion)
	}
	for _, k := range []string{KeyConfig, KeyStep, KeyBackend, KeyCreated} {
		if _, ok := md[k]; !ok {
			return Meta{}, fmt.Errorf("__metadata__ has no %q key", k)
		}
	}
	step, err := strconv.Atoi(md[KeyStep])
	if err != nil || step < 0 {
		return Meta{}, fmt.Errorf("__metadata__ %q is %q, want a non-negative integer", KeyStep, md[KeyStep])
	}
	created, err := time.Parse(time.RFC3339, md[KeyCreated])
	if err != nil {
		return Meta{}, fmt.Errorf("__metadata__ %q is %q, want an RFC 3339 time", KeyCreated, md[KeyCreated])
	}
	m := Meta{Step: step, Config: md[KeyConfig], Backend: md[KeyBackend], Created: created, Extra: map[string]string{}}
	for k, v := range md {
		if !reserved(k) {
			m.Extra[k] = v
		}
	}
	return m, nil
}
