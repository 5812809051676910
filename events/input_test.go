package events

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/focusgroups/focusgroups/internal/valid"
)

func TestCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cases := []struct {
		name   string
		mutate func(*Input)
		field  string
	}{
		{"empty title", func(in *Input) { in.Title = "  " }, "title"},
		{"title T%00itle%FF", func(in *Input) { in.Title = "T\x00itle\xff" }, "title"},
		{"title with CR LF", func(in *Input) { in.Title = "Two\r\nlines" }, "title"},
		{"description with NUL", func(in *Input) { in.Description = "a\x00b" }, "description"},
		{"description with a bare CR", func(in *Input) { in.Description = "a\rb" }, "description"},
		{"venue with a line break", func(in *Input) { in.Venue = "Room 1\nFloor 2" }, "venue"},
		{"link with invalid UTF-8", func(in *Input) { in.OnlineURL = "https://meet.example/\xff" }, "online_url"},
		{"title too short", func(in *Input) { in.Title = "Go" }, "title"},
		{"title too long", func(in *Input) { in.Title = strings.Repeat("x", 121) }, "title"},
		{"description too long", func(in *Input) { in.Description = strings.Repeat("x", 10001) }, "description"},
		{"unknown format", func(in *Input) { in.Format = "party" }, "format"},
		{"missing format", func(in *Input) { in.Format = "" }, "format"},
		{"unknown time zone", func(in *Input) { in.TimeZone = "Mars/Olympus_Mons" }, "timezone"},
		{"empty time zone", func(in *Input) { in.TimeZone = "" }, "timezone"},
		{"server-local zone", func(in *Input) { in.TimeZone = "Local" }, "timezone"},
		{"malformed start", func(in *Input) { in.Start = "next tuesday" }, "start"},
		{"malformed end", func(in *Input) { in.End = "2026-01-17" }, "end"},
		{"start in the past", func(in *Input) { in.Start, in.End = "2026-01-09T18:30", "2026-01-09T20:00" }, "start"},
		{"start right now", func(in *Input) { in.Start, in.End = "2026-01-10T13:00", "2026-01-10T14:00" }, "start"},
		{"end before start", func(in *Input) { in.End = "2026-01-17T17:00" }, "end"},
		{"end equals start", func(in *Input) { in.End = in.Start }, "end"},
		{"longer than 12 hours", func(in *Input) { in.End = "2026-01-18T06:31" }, "end"},
		{"no venue and no link", func(in *Input) { in.Venue, in.OnlineURL = "", "" }, "venue"},
		{"venue too long", func(in *Input) { in.Venue = strings.Repeat("x", 301) }, "venue"},
		{"javascript link", func(in *Input) { in.OnlineURL = "javascript:alert(1)" }, "online_url"},
		{"ftp link", func(in *Input) { in.OnlineURL = "ftp://files.example.com/x" }, "online_url"},
		{"link without host", func(in *Input) { in.OnlineURL = "https:///path" }, "online_url"},
		{"relative link", func(in *Input) { in.OnlineURL = "meet.example.com/x" }, "online_url"},
		{"unparsable link", func(in *Input) { in.OnlineURL = "http://[::1" }, "online_url"},
		{"capacity zero", func(in *Input) { in.Capacity = "0" }, "capacity"},
		{"capacity negative", func(in *Input) { in.Capacity = "-5" }, "capacity"},
		{"capacity absurd", func(in *Input) { in.Capacity = "10001" }, "capacity"},
		{"capacity not a number", func(in *Input) { in.Capacity = "ten" }, "capacity"},
		{"host not an id", func(in *Input) { in.Hosts = []string{"alice"} }, "hosts"},
		{"too many hosts", func(in *Input) { in.Hosts = users(21) }, "hosts"},
		{"malformed rsvp opening", func(in *Input) { in.RSVPOpens = "soon" }, "rsvp_opens"},
		{"rsvp opens after start", func(in *Input) { in.RSVPOpens = "2026-01-18T10:00" }, "rsvp_opens"},
		{"rsvp closes before it opens", func(in *Input) {
			in.RSVPOpens, in.RSVPCloses = "2026-01-12T10:00", "2026-01-11T10:00"
		}, "rsvp_closes"},
		{"malformed rsvp closing", func(in *Input) { in.RSVPCloses = "2026-13-01T10:00" }, "rsvp_closes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := goodInput()
			tc.mutate(&in)
			_, err := f.s.Create(context.Background(), f.org, f.group, in)
			var errs valid.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("err = %v, want valid.Errors", err)
			}
			if errs[tc.field] == "" {
				t.Fatalf("no message for %q; got %v", tc.field, errs)
			}
		})
	}
	// Nothing was stored by any of the refused inputs.
	if evs, _ := f.s.GroupUpcoming(context.Background(), f.group, 100); len(evs) != 0 {
		t.Fatalf("bad input stored %d sessions", len(evs))
	}
	keys, err := f.s.rdb.Keys(context.Background(), f.s.prefix+"*").Result()
	if err != nil || len(keys) != 0 {
		t.Fatalf("keys after bad input: %v %v", keys, err)
	}
}

func TestCreateAcceptsGoodInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ev := f.create(t, func(in *Input) { in.Capacity, in.Hosts = " 25 ", nil })
	if ev.Capacity != 25 || ev.Status != StatusScheduled || ev.Sequence != 0 {
		t.Fatalf("created %+v", ev)
	}
	if want := time.Date(2026, 1, 17, 17, 30, 0, 0, time.UTC); !ev.Start.Equal(want) || ev.Start.Location() != time.UTC {
		t.Fatalf("start = %v, want %v UTC", ev.Start, want)
	}
	if len(ev.Hosts) != 1 || ev.Hosts[0] != f.org.UserID {
		t.Fatalf("hosts default to the creator, got %v", ev.Hosts)
	}
	unlimited := f.create(t, func(in *Input) { in.Capacity = "" })
	if unlimited.Capacity != 0 {
		t.Fatalf("empty capacity = %d, want 0 (no limit)", unlimited.Capacity)
	}
	got, err := f.s.Get(context.Background(), ev.ID)
	if err != nil || got.Title != ev.Title || !got.Start.Equal(ev.Start) || got.Capacity != 25 {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if _, err := f.s.Get(context.Background(), "nosuchsessionxxxxxxxxxxx"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get missing: %v", err)
	}
}

func TestOnlyOrganizersChangeSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ev := f.create(t, nil)
	member := Actor{UserID: users(1)[0]}
	checks := map[string]error{}
	_, checks["create"] = f.s.Create(ctx, member, f.group, goodInput())
	_, checks["update"] = f.s.Update(ctx, member, ev.ID, goodInput())
	_, checks["cancel"] = f.s.Cancel(ctx, member, ev.ID)
	_, checks["capacity"] = f.s.SetCapacity(ctx, member, ev.ID, 10)
	_, checks["remove"] = f.s.Remove(ctx, member, ev.ID, member.UserID)
	_, checks["approve"] = f.s.Approve(ctx, member, ev.ID, member.UserID)
	checks["checkin"] = f.s.CheckIn(ctx, member, ev.ID, member.UserID, true)
	_, checks["series"] = f.s.UpdateSeriesFrom(ctx, member, "x", goodInput())
	_, _, checks["newseries"] = f.s.CreateSeries(ctx, member, f.group, goodInput(), Recurrence{Frequency: "weekly", Count: "3"})
	for name, err := range checks {
		if !errors.Is(err, ErrForbidden) {
			t.Errorf("%s by a member: %v, want ErrForbidden", name, err)
		}
	}
}

func TestWallClockAcrossDSTTransitions(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		name, wall string
		want       time.Time
	}{
		{"ordinary evening", "2026-03-10T18:30", time.Date(2026, 3, 10, 22, 30, 0, 0, time.UTC)},
		{"spring-forward gap moves forward", "2026-03-08T02:30", time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC)},
		{"fall-back overlap takes the first", "2026-11-01T01:30", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)},
		{"after fall-back", "2026-11-01T03:00", time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		w, ok := parseWall(tc.wall)
		if !ok {
			t.Fatalf("parse %s", tc.wall)
		}
		if got := resolveWall(w, ny); !got.Equal(tc.want) {
			t.Errorf("%s: %s = %v, want %v", tc.name, tc.wall, got, tc.want)
		}
	}
}

// A session's times fall on a minute, whatever seconds a form post gives
// them, so a page drawn at any second shows them as they are all that
// minute.
func TestTimesFallOnAMinute(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ev := f.create(t, func(in *Input) {
		in.Start, in.End = "2026-01-17T18:30:45", "2026-01-17T20:30:59"
		in.RSVPOpens, in.RSVPCloses = "2026-01-12T10:00:01", "2026-01-17T12:00:30"
	})
	for name, at := range map[string]time.Time{"start": ev.Start, "end": ev.End, "rsvp opens": ev.RSVPOpens, "rsvp closes": ev.RSVPCloses} {
		if at.Second() != 0 || at.Nanosecond() != 0 {
			t.Errorf("%s %s is not on a minute", name, at)
		}
	}
	if d := ev.End.Sub(ev.Start); d != 2*time.Hour {
		t.Errorf("start %s, end %s: %s apart, want two hours", ev.Start, ev.End, d)
	}
}
