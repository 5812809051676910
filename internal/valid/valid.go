// Package valid carries input-validation failures from the domain packages
// to the web layer, field by field, so a form can show each message next to
// the field it is about.
package valid

import (
	"sort"
	"strings"
)

// Errors maps a form field name to what is wrong with it.
type Errors map[string]string

// Add records a problem with field unless one is already recorded. An
// empty msg records nothing, so a check's answer can be passed straight on:
// errs.Add("title", valid.Line("The title", title)).
func (e Errors) Add(field, msg string) {
	if msg == "" {
		return
	}
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// Err returns e as an error, or nil when nothing was recorded.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// Error lists the problems in a stable order.
func (e Errors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+e[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}
