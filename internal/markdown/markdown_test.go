package markdown

import (
	"strings"
	"testing"
)

func TestHTMLKeepsFormattingAndDropsScripts(t *testing.T) {
	cases := []struct {
		name, in  string
		want      []string
		forbidden []string
	}{
		{"formatting", "# Hello\n\n**bold** and [docs](https://go.dev)", []string{"<h1", "<strong>bold</strong>", `href="https://go.dev"`, `rel="nofollow noreferrer noopener"`}, nil},
		{"script tag", "hi <script>alert(1)</script>", []string{"hi"}, []string{"<script", "alert(1)</script>"}},
		{"event handler", `<img src="x" onerror="alert(1)">`, nil, []string{"onerror"}},
		{"javascript link", "[click](javascript:alert(1))", nil, []string{"javascript:"}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, nil, []string{"<iframe"}},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := string(HTML(tc.in))
			if again := string(HTML(tc.in)); again != got {
				t.Errorf("the remembered rendering differs:\n%s\n%s", got, again)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			for _, f := range tc.forbidden {
				if strings.Contains(got, f) {
					t.Errorf("output contains %q:\n%s", f, got)
				}
			}
		})
	}
}
