//go:build faults

package faultcheck

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"
)

var (
	scenarios    = flag.String("scenario", "1,2,3", "scenarios to run, comma-separated: 1 crash during promotions, 2 SMTP outage, 3 Redis outage")
	keep         = flag.Bool("keep", false, "keep each scenario's directory (server.log, redis.log, AOF) and print its path")
	promoteWait  = flag.Duration("promote-wait", 7*time.Minute, "scenario 1: how long after the restart to wait for every \"You have a seat\" mail")
	smtpOutage   = flag.Duration("smtp-outage", 3*time.Minute, "scenario 2: how long the SMTP server answers 421")
	announceVia  = flag.String("announce-via", "button", "scenario 2: how the organizer invites: button (Announce on the session page) or schedule (a new session with the invite box ticked)")
	inviteWait   = flag.Duration("invite-wait", 40*time.Minute, "scenario 2: how long after the outage to wait for every invitation")
	redisOutage  = flag.Duration("redis-outage", 2*time.Second, "scenario 3: how long Redis is unavailable")
	stormFor     = flag.Duration("storm", 6*time.Second, "scenario 3: how long each RSVP storm lasts (the outage sits in its middle)")
	stormPeople  = flag.Int("storm-people", 40, "scenario 3: signed-in people in each storm")
	redisVariant = flag.String("redis-variants", "shutdown,sigstop", "scenario 3: how Redis becomes unavailable: shutdown (SHUTDOWN, restart on the same port and AOF), sigstop (SIGSTOP, then SIGCONT)")
)

// row is one line of a scenario's summary: a measured figure, the goal it
// is held to ("" for figures that are only reported) and whether it met it.
type row struct {
	Metric, Value, Goal string
	OK                  bool
}

// report collects a scenario's rows for its own table and the closing one.
type report struct {
	Title string
	Rows  []row
}

func (r *report) info(metric string, format string, args ...any) {
	r.Rows = append(r.Rows, row{Metric: metric, Value: fmt.Sprintf(format, args...), OK: true})
}

// check records a figure held to a goal and fails the test when it misses.
func (r *report) check(t *testing.T, metric, goal string, ok bool, format string, args ...any) {
	r.Rows = append(r.Rows, row{Metric: metric, Value: fmt.Sprintf(format, args...), Goal: goal, OK: ok})
	if !ok {
		t.Errorf("%s: %s = %s, goal %s", r.Title, metric, fmt.Sprintf(format, args...), goal)
	}
}

func (r *report) print() {
	fmt.Printf("\n== %s ==\n", r.Title)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "METRIC\tVALUE\tGOAL\tRESULT")
	for _, x := range r.Rows {
		verdict := ""
		if x.Goal != "" {
			verdict = "ok"
			if !x.OK {
				verdict = "MISSED"
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", x.Metric, x.Value, x.Goal, verdict)
	}
	w.Flush()
}

var (
	reportsMu sync.Mutex
	reports   []*report
)

func newReport(title string) *report {
	r := &report{Title: title}
	reportsMu.Lock()
	reports = append(reports, r)
	reportsMu.Unlock()
	return r
}

// TestFaults runs the selected scenarios one after the other, each against
// its own Redis, SMTP server and server process, and prints every summary
// table again at the end.
func TestFaults(t *testing.T) {
	want := strings.Split(*scenarios, ",")
	for _, sc := range []struct {
		id, name string
		run      func(*testing.T, *report)
	}{
		{"1", "crash_during_promotions", crashDuringPromotions},
		{"2", "smtp_outage", smtpOutageDuringAnnounce},
		{"3", "redis_outage", redisOutageDuringStorm},
	} {
		if !slices.Contains(want, sc.id) {
			continue
		}
		t.Run(sc.name, func(t *testing.T) {
			r := newReport("scenario " + sc.id + ": " + strings.ReplaceAll(sc.name, "_", " "))
			defer r.print()
			sc.run(t, r)
		})
	}
	fmt.Printf("\n######## summary ########\n")
	for _, r := range reports {
		r.print()
	}
}
