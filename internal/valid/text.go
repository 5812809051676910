package valid

import (
	"unicode"
	"unicode/utf8"
)

// Line checks the value of a single-line text field (a title, a name): it
// must be valid UTF-8 and hold no control characters, line breaks and tabs
// included. It returns the message to show, naming the field by label
// ("The title"), or "" when the text is fine. Trim the value first:
// white space around it is not worth refusing.
func Line(label, s string) string { return text(label, s, false) }

// MultiLine is Line for a field of several lines (a description, a
// message): line breaks (LF, or CR LF as browsers send them) and tabs are
// allowed; every other control character is not.
func MultiLine(label, s string) string { return text(label, s, true) }

func text(label, s string, multi bool) string {
	if !utf8.ValidString(s) {
		return label + " contains bytes that are not text (invalid UTF-8)."
	}
	for i, r := range s {
		if !unicode.IsControl(r) {
			continue
		}
		if multi && (r == '\n' || r == '\t' || r == '\r' && i+1 < len(s) && s[i+1] == '\n') {
			continue
		}
		if multi {
			return label + " cannot contain control characters other than line breaks and tabs."
		}
		return label + " must be one line without control characters."
	}
	return ""
}
