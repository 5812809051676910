package valid

import "testing"

func TestLineAndMultiLine(t *testing.T) {
	cases := []struct {
		in          string
		line, multi bool // whether each check accepts in
	}{
		{"Go generics", true, true},
		{"Käse, 東京 & emoji 🎉", true, true},
		{"", true, true},
		{"T\x00itle", false, false},
		{"Title\xff", false, false},
		{"\xc3", false, false},
		{"two\nlines", false, true},
		{"two\r\nlines", false, true},
		{"bare\rreturn", false, false},
		{"return at end\r", false, false},
		{"tab\there", false, true},
		{"bell\a", false, false},
		{"escape\x1b[31m", false, false},
		{"delete\x7f", false, false},
		{"c1 control\u0085", false, false},
		{"line separator\u2028ok", true, true},
	}
	for _, c := range cases {
		if got := Line("The title", c.in) == ""; got != c.line {
			t.Errorf("Line(%q) accepts = %v, want %v (%q)", c.in, got, c.line, Line("The title", c.in))
		}
		if got := MultiLine("The description", c.in) == ""; got != c.multi {
			t.Errorf("MultiLine(%q) accepts = %v, want %v (%q)", c.in, got, c.multi, MultiLine("The description", c.in))
		}
	}
	if msg := Line("The title", "a\x00"); msg != "The title must be one line without control characters." {
		t.Errorf("message: %q", msg)
	}
}

func TestAddIgnoresAnEmptyMessage(t *testing.T) {
	errs := Errors{}
	errs.Add("title", "")
	if errs.Err() != nil {
		t.Fatalf("an empty message was recorded: %v", errs)
	}
	errs.Add("title", "first")
	errs.Add("title", "second")
	if errs["title"] != "first" {
		t.Fatalf("got %q, want the first message", errs["title"])
	}
}
