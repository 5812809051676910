package luascript

import (
	"strings"
	"testing"
)

const testLibrary = `
local function a(x)
  return x + 1
end
-- b keeps a count between its calls.
local count = 0
local function b(x)
  count = count + 1
  return a(x) * 2
end
local function c()
  return redis.call('GET', KEYS[1])
end
local function d(f)
  return f(1)
end
`

func TestAScriptGetsTheHelpersItNamesAndTheirs(t *testing.T) {
	l := NewLibrary(testLibrary)
	cases := []struct {
		body string
		want []string
	}{
		{"return 1", nil},
		{"return a(1)", []string{"a"}},
		{"return b(1)", []string{"a", "b"}},
		{"return d(b)", []string{"a", "b", "d"}}, // a helper passed as a value
		{"return c() .. redis.call('GET', KEYS[2])", []string{"c"}},
		{"return 'x'..a(1)", []string{"a"}},              // after the concatenation operator
		{"local ab, ca = 1, 2\nreturn string.a(1)", nil}, // other names, and a field
	}
	for _, tc := range cases {
		got := l.For(tc.body)
		for _, name := range []string{"a", "b", "c", "d"} {
			defined := strings.Contains(got, "local function "+name+"(")
			want := strings.Contains(strings.Join(tc.want, ","), name)
			if defined != want {
				t.Errorf("%q: helper %s included %v, want %v:\n%s", tc.body, name, defined, want, got)
			}
		}
		if strings.Contains(got, "local function b(") != strings.Contains(got, "local count = 0") {
			t.Errorf("%q: b came without what goes before it:\n%s", tc.body, got)
		}
	}
	if got := l.For("return d(b)"); strings.Index(got, "function a(") > strings.Index(got, "function b(") {
		t.Errorf("helpers out of the library's order:\n%s", got)
	}
}

func TestAMalformedLibraryPanics(t *testing.T) {
	for _, src := range []string{
		"local function a()\n  return 1\n", // no end
		"local x = 1\nend\n",               // no function
		"local function a()\nend\nlocal function b()\n  local function c() return 1 end\nend\n" +
			"local function e() return 1 end\nlocal function f()\nend\n", // two in one
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic for %q", src)
				}
			}()
			NewLibrary(src)
		}()
	}
}
