// Package faultcheck rechecks, from outside, how the built server behaves
// under faults: it builds bin/server, runs it as a child process against
// its own redis-server (AOF) and an SMTP server in this process, injects
// crashes and outages, and counts what people and their mailboxes saw.
// It runs only with `make faults` (go test -tags faults), never in
// `make test`. See docs/faults.md.
package faultcheck
