package luascript

import (
	"regexp"
	"strings"
)

// Library is a family's shared Lua helpers, from which each script takes
// only the ones it names, directly or through another helper. Redis runs
// a script's whole text on every call, so every local function in it is
// made anew each time and left to Lua's collector: a helper a script
// never calls still costs each run.
type Library struct {
	helpers []helper
}

type helper struct {
	name string
	code string
	uses []int // indexes of the earlier helpers it calls
}

var definition = regexp.MustCompile(`(?m)^local function ([A-Za-z_][A-Za-z0-9_]*)\(`)

// NewLibrary splits src into helpers. Each helper ends at a line that is
// exactly "end" and holds one "local function name(" at the start of a
// line, with whatever comes before it since the last helper (comments,
// the locals it keeps between calls). A helper calls only helpers
// defined before it. NewLibrary panics on anything else: the libraries
// are constants of the program.
func NewLibrary(src string) Library {
	var l Library
	rest := strings.TrimLeft(src, "\n")
	for rest != "" {
		end := strings.Index(rest, "\nend\n")
		if end < 0 {
			if strings.HasSuffix(rest, "\nend") {
				end = len(rest) - len("\nend")
			} else {
				panic("luascript: a helper does not end with a line \"end\": " + rest)
			}
		}
		code := rest[:end+len("\nend")]
		rest = strings.TrimLeft(rest[min(len(rest), end+len("\nend\n")):], "\n")
		defs := definition.FindAllStringSubmatch(code, -1)
		if len(defs) != 1 {
			panic("luascript: a helper must define exactly one local function: " + code)
		}
		h := helper{name: defs[0][1], code: code + "\n"}
		for i, earlier := range l.helpers {
			if calls(code, earlier.name) { // named in a comment too: kept, harmless
				h.uses = append(h.uses, i)
			}
		}
		l.helpers = append(l.helpers, h)
	}
	return l
}

// For returns the helpers body calls, directly or through one another,
// in the library's order, ready to go before body.
func (l Library) For(body string) string {
	need := make([]bool, len(l.helpers))
	for i, h := range l.helpers {
		need[i] = calls(body, h.name)
	}
	for i := len(l.helpers) - 1; i >= 0; i-- {
		if need[i] {
			for _, j := range l.helpers[i].uses {
				need[j] = true
			}
		}
	}
	var b strings.Builder
	for i, h := range l.helpers {
		if need[i] {
			b.WriteString(h.code)
		}
	}
	return b.String()
}

// calls reports whether code names the function name other than in its
// definition: a call, or the function passed as a value.
func calls(code, name string) bool {
	for i := 0; ; {
		j := strings.Index(code[i:], name)
		if j < 0 {
			return false
		}
		at, after := i+j, i+j+len(name)
		if !field(code[:at]) && (after == len(code) || !isIdent(code[after])) &&
			!strings.HasSuffix(code[:at], "local function ") {
			return true
		}
		i = after
	}
}

// field reports whether a name right after before is part of a longer
// name, a field (t.name) or a method (t:name), not a name of its own
// (which may follow the concatenation operator, "..").
func field(before string) bool {
	n := len(before)
	switch {
	case n == 0:
		return false
	case before[n-1] == ':':
		return true
	case before[n-1] == '.':
		return n < 2 || before[n-2] != '.'
	}
	return isIdent(before[n-1])
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
