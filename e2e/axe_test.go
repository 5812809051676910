package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript is the pinned axe-core (e2e/package.json), installed by
// `make test` with npm ci.
func axeScript(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "e2e", "node_modules", "axe-core", "axe.min.js"))
		axeSource, axeErr = string(b), err
	})
	if axeErr != nil {
		t.Fatalf("e2e: axe-core missing (run `make test`, which runs npm ci in e2e/): %v", axeErr)
	}
	return axeSource
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// checkA11y runs axe-core on the current page and fails on any serious or
// critical violation (WCAG 2.1 A and AA rules, which include contrast).
func (p *person) checkA11y(page string) {
	p.t.Helper()
	p.do("load axe on "+page, chromedp.Evaluate[chromedp.Void](axeScript(p.t)))
	raw, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
		.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		p.fail("axe "+page, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		p.t.Fatalf("e2e: axe result on %s: %v", page, err)
	}
	var bad []string
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			where := ""
			if len(v.Nodes) > 0 {
				where = v.Nodes[0].HTML
			}
			bad = append(bad, v.ID+" ("+v.Impact+"): "+v.Help+" — e.g. "+truncate(where, 200))
		}
	}
	if len(bad) > 0 {
		p.t.Errorf("e2e: accessibility problems on %s:\n%s", page, strings.Join(bad, "\n"))
	}
}
