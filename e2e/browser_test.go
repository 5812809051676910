package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

var (
	browserOnce  sync.Once
	browserAlloc context.Context
	browserCtx   context.Context
	browserErr   error
)

// chromiumPath finds Debian's chromium (CHROMIUM overrides).
func chromiumPath() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("chromium not found: run `make test` (it installs it) or `apt-get install chromium`")
}

// browser returns the context of the shared headless Chromium of this test
// binary; it fails the test when Chromium is missing.
func browser(t *testing.T) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		path, err := chromiumPath()
		if err != nil {
			browserErr = err
			return
		}
		dir, err := os.MkdirTemp("", "fg-chromium-")
		if err != nil {
			browserErr = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.UserDataDir(dir),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-quic", true),
			chromedp.WindowSize(1280, 900),
		)
		browserAlloc, _ = chromedp.NewExecAllocator(context.Background(), opts...)
		browserCtx, _ = chromedp.NewContext(browserAlloc)
		browserErr = chromedp.Do(browserCtx)
	})
	if browserErr != nil {
		t.Fatalf("e2e: %v", browserErr)
	}
	return browserCtx
}

// person is one visitor with their own cookies (a browser context).
type person struct {
	t   *testing.T
	ctx context.Context
}

func newPerson(t *testing.T) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("e2e: new browser context: %v", err)
	}
	return &person{t: t, ctx: ctx}
}

func (p *person) fail(what string, err error) {
	p.t.Helper()
	loc, _ := chromedp.Run(p.ctx, chromedp.Location())
	body, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector("main") ? document.querySelector("main").innerText : document.body.innerText`))
	p.t.Fatalf("e2e: %s: %v\n(at %s)\n%s", what, err, loc, truncate(body, 1500))
}

// do runs steps with a timeout, failing the test on error.
func (p *person) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.fail(what, err)
	}
}

// open loads url and waits for the page.
func (p *person) open(url string) {
	p.t.Helper()
	p.do("open "+url, chromedp.Navigate(url))
}

// fill sets form fields by CSS selector.
func (p *person) fill(fields map[string]string) {
	p.t.Helper()
	for sel, val := range fields {
		if val == "" { // SetValue refuses an empty value
			p.do("empty "+sel, chromedp.Evaluate[chromedp.Void](`document.querySelector(`+jsString(sel)+`).value = ""`))
			continue
		}
		p.do("fill "+sel, chromedp.SetValue(chromedp.CSS(sel), val))
	}
}

// click clicks sel and waits for the page it leads to.
func (p *person) click(sel string) {
	p.t.Helper()
	p.waitLoad("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// text returns the visible text of the page's main landmark.
func (p *person) text() string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	if err != nil {
		p.fail("read page", err)
	}
	return s
}

func (p *person) location() string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.fail("read location", err)
	}
	return s
}

// see fails the test unless the page shows every one of want.
func (p *person) see(want ...string) {
	p.t.Helper()
	body := p.text()
	for _, w := range want {
		if !strings.Contains(body, w) {
			p.t.Fatalf("e2e: page %s does not show %q:\n%s", p.location(), w, truncate(body, 2000))
		}
	}
}

// Screen sizes the screenshots are taken at.
var screens = []struct {
	name          string
	width, height int64
	mobile        bool
}{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}}

// screenshot saves the current page at each screen size under
// $SCREENSHOT_DIR (default screenshots/ at the repository root).
func (p *person) screenshot(name string) {
	p.t.Helper()
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(testenv.ModuleRoot(p.t), "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	for _, s := range screens {
		var opts []chromedp.EmulateViewportOption
		if s.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		p.do("resize for "+name, chromedp.EmulateViewport(s.width, s.height, opts...), chromedp.Sleep(200*time.Millisecond))
		png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			p.fail("screenshot "+name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+s.name+".png"), png, 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
	p.do("restore size", chromedp.EmulateViewport(1280, 900))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
