// Package e2e holds the browser tests: people going through the real app
// (real Redis, a real SMTP server, a fake GitHub) in headless Chromium,
// with screenshots and accessibility checks. `make test` installs Chromium
// and the pinned axe-core they need; a missing browser fails the tests.
package e2e
