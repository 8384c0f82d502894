package lab

import (
	"fmt"
	"os"
	"reflect"
	"strings"
)

// Experiment resolves the experiment the command line names: a lab.toml file,
// a named preset or (both empty) the embedded default, then the -set
// overrides. Everything is merged first and validated once, so overrides that
// only make sense together (task.kind=maze with task.size=11) apply in any
// order. A validation error names the keys at fault and where they were set:
// the -set flags, or the file and line.
func Experiment(file, preset string, sets []string) (*Config, error) {
	switch {
	case file != "" && preset != "":
		return nil, inputErrorf("-config and -preset both choose the experiment: give one")
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, &InputError{Err: err}
		}
		return parseWithSets(data, file, sets)
	case preset != "":
		text, source, err := presetText(preset)
		if err != nil {
			return nil, err
		}
		return parseWithSets(text, source, sets)
	default:
		return parseWithSets(defaultTOML, defaultSource, sets)
	}
}

// ApplySets applies "KEY=VALUE" overrides (the -set flags) together and then
// validates the result once; on any error c is left unchanged. An unknown key
// or a value of the wrong type is refused at once, naming its -set flag.
// Config.Set is the one-key edit of a live session.
func (c *Config) ApplySets(sets []string) error { return c.applyAll(sets, "-set ") }

// Edit applies "KEY=VALUE" edits together, as ApplySets does, for the Params
// screen's pending changes: errors name the edits at fault without a -set.
func (c *Config) Edit(edits []string) error { return c.applyAll(edits, "") }

// NormalValue parses value as the key's type and returns it formatted as
// Fields formats it ("3e-4" gives "0.0003"); an unknown key or a malformed
// value is an error naming the key. It does not validate the value against
// the other keys: the Params screen stages such edits.
func NormalValue(key, value string) (string, error) {
	c := Default()
	if err := c.assign(key, value); err != nil {
		return "", &InputError{Err: err}
	}
	f, _ := LookupField(c, key)
	return f.Value, nil
}

func (c *Config) applyAll(sets []string, flag string) error {
	trial := c.Clone()
	set, err := trial.setAll(sets, flag)
	if err != nil {
		return err
	}
	if err := trial.Validate(); err != nil {
		return attribute(err, trial.Source, nil, set)
	}
	*c = *trial
	return nil
}

// setFlags records which override set each key last, in flag order, as the
// user wrote it (with its "-set " for a flag).
type setFlags struct {
	keys []string
	flag map[string]string
}

// setAll assigns every override without validating the values' relations;
// flag prefixes each override in errors ("-set " for the flags).
func (c *Config) setAll(sets []string, flag string) (setFlags, error) {
	sf := setFlags{flag: map[string]string{}}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return sf, inputErrorf("%s%q: want KEY=VALUE, for example train.lr=3e-4", flag, s)
		}
		k = strings.TrimSpace(k)
		if err := c.assign(k, v); err != nil {
			return sf, inputErrorf("%s%s: %v", flag, s, err)
		}
		if _, seen := sf.flag[k]; !seen {
			sf.keys = append(sf.keys, k)
		}
		sf.flag[k] = flag + s
	}
	return sf, nil
}

// assign parses value for the dotted key and stores it, unvalidated.
func (c *Config) assign(key, value string) error {
	found := false
	var err error
	walk(c, func(k string, _ reflect.StructField, v reflect.Value) {
		if k != key {
			return
		}
		found = true
		err = parseInto(v, strings.TrimSpace(value))
	})
	if !found {
		return fmt.Errorf("unknown key %q%s", key, suggest(key))
	}
	if err != nil {
		return fmt.Errorf("%s: %v", key, err)
	}
	return nil
}

// attribute turns a validation error into an input error that says where the
// keys at fault were set: the overrides that set any of them, otherwise the
// line of the source text that defines the key.
func attribute(err error, source string, data []byte, set setFlags) error {
	fe, ok := err.(*FieldError)
	if !ok {
		return inputErrorf("%s: %v", source, err)
	}
	fault := map[string]bool{fe.Key: true}
	for _, k := range fe.Related {
		fault[k] = true
	}
	var flags []string
	for _, k := range set.keys {
		if fault[k] {
			flags = append(flags, set.flag[k])
		}
	}
	if len(flags) > 0 {
		return inputErrorf("%s: %s", strings.Join(flags, " "), fe.Error())
	}
	if source == "" {
		return &InputError{Err: fe}
	}
	if line := keyLine(data, strings.Split(fe.Key, ".")); line > 0 {
		return inputErrorf("%s:%d: %s", source, line, fe.Error())
	}
	return inputErrorf("%s: %s", source, fe.Error())
}
