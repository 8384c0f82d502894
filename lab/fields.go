package lab

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Field is one lab.toml key as the Params screen and -set see it.
type Field struct {
	Key     string // dotted path, e.g. "train.lr"
	Section string // "run", "task", "model", "train"
	Value   string // current value, formatted as in TOML (strings unquoted)
	Kind    string // "int", "float", "bool", "string", "list" (of strings)
	Help    string
	Live    bool // applies to a running session at the next step; otherwise a new run
}

// Fields lists every key of c in file order.
func Fields(c *Config) []Field {
	var out []Field
	walk(c, func(key string, sf reflect.StructField, v reflect.Value) {
		out = append(out, Field{
			Key:     key,
			Section: strings.SplitN(key, ".", 2)[0],
			Value:   formatValue(v),
			Kind:    kindName(v.Kind()),
			Help:    sf.Tag.Get("help"),
			Live:    sf.Tag.Get("live") == "true",
		})
	})
	return out
}

// LookupField returns the field for a dotted key.
func LookupField(c *Config, key string) (Field, bool) {
	for _, f := range Fields(c) {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// walk calls fn for every leaf field of the config sections.
func walk(c *Config, fn func(key string, sf reflect.StructField, v reflect.Value)) {
	root := reflect.ValueOf(c).Elem()
	rt := root.Type()
	for i := 0; i < rt.NumField(); i++ {
		sec := rt.Field(i)
		name := sec.Tag.Get("toml")
		if name == "-" || sec.Type.Kind() != reflect.Struct {
			continue
		}
		sv := root.Field(i)
		for j := 0; j < sec.Type.NumField(); j++ {
			f := sec.Type.Field(j)
			fn(name+"."+f.Tag.Get("toml"), f, sv.Field(j))
		}
	}
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int64:
		return "int"
	case reflect.Float64:
		return "float"
	case reflect.Bool:
		return "bool"
	case reflect.Slice:
		return "list"
	default:
		return "string"
	}
}

func formatValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Slice:
		items := make([]string, v.Len())
		for i := range items {
			items[i] = strconv.Quote(v.Index(i).String())
		}
		return "[" + strings.Join(items, ", ") + "]"
	default:
		return v.String()
	}
}

// Set parses value for the dotted key and assigns it, then validates the
// whole config; on any error c is left unchanged. Errors name the key.
func (c *Config) Set(key, value string) error {
	trial := c.Clone()
	if err := trial.assign(key, value); err != nil {
		return &InputError{Err: err}
	}
	if err := trial.Validate(); err != nil {
		return &InputError{Err: err}
	}
	*c = *trial
	return nil
}

func parseInto(v reflect.Value, s string) error {
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		v.SetInt(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		v.SetFloat(f)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	case reflect.Slice:
		var list struct{ V []string }
		if _, err := toml.Decode("V = "+s, &list); err != nil {
			return fmt.Errorf("%q is not a list of strings such as [\"a\", \"b\"]", s)
		}
		v.Set(reflect.ValueOf(list.V))
	default:
		v.SetString(strings.Trim(s, `"'`))
	}
	return nil
}
