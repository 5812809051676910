package events

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/focusgroups/focusgroups/internal/valid"
)

// Input is the session form as the web layer receives it. Dates and times
// are local wall-clock strings ("2026-12-01T18:30", the value of an HTML
// datetime-local field) in TimeZone, so form values pass straight through.
type Input struct {
	Title       string
	Description string
	Format      string
	Start       string
	End         string
	TimeZone    string // IANA name, e.g. "Europe/Berlin"
	Venue       string
	OnlineURL   string
	// Capacity is the number of seats; empty means no limit. "0" is refused
	// because a session nobody can attend is a mistake, not a choice.
	Capacity         string
	Hosts            []string // user IDs; the web layer checks they are group members
	RSVPOpens        string   // optional, same zone as Start
	RSVPCloses       string   // optional, same zone as Start
	ApprovalRequired bool
	Listed           bool
	// Skills are the skill tags the session teaches, already normalised
	// by the caller (at most MaxSkills).
	Skills []string
}

// MaxSkills is how many skills a session is tagged with at most.
const MaxSkills = 10

// draft is an Input that passed validation, with times resolved to UTC.
type draft struct {
	title, description, venue, onlineURL string
	format                               Format
	loc                                  *time.Location
	start, end, opens, closes            time.Time
	capacity                             int
	hosts, skills                        []string
	approval, listed                     bool
}

var wallLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"}

// parseWall reads a wall-clock date and time without a zone, to the
// minute: a session's times (start, end, RSVP window) fall on a minute, so
// a page drawn at any second of a minute shows it as it is all that
// minute (web keeps pages by the minute).
func parseWall(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range wallLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Truncate(time.Minute), true
		}
	}
	return time.Time{}, false
}

// resolveWall turns a wall-clock time (read as if UTC) into the instant it
// names in loc. In a spring-forward gap the time is read with the offset in
// force before the gap, so 02:30 becomes 03:30 daylight time (RFC 5545,
// 3.3.5). In a fall-back overlap the first (earlier) instant is chosen.
func resolveWall(wall time.Time, loc *time.Location) time.Time {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	_, before := wall.Add(-36 * time.Hour).In(loc).Zone()
	_, after := wall.Add(36 * time.Hour).In(loc).Zone()
	var best time.Time
	for _, off := range []int{before, after} {
		cand := wall.Add(-time.Duration(off) * time.Second)
		cy, cmo, cd := cand.In(loc).Date()
		ch, cmi, cs := cand.In(loc).Clock()
		if cy == y && cmo == mo && cd == d && ch == h && cmi == mi && cs == s {
			if best.IsZero() || cand.Before(best) {
				best = cand
			}
		}
	}
	if best.IsZero() {
		best = wall.Add(-time.Duration(before) * time.Second)
	}
	return best.UTC()
}

// asWall returns t's wall clock in loc as a zone-less time (read as UTC).
func asWall(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

func loadZone(name string) (*time.Location, bool) {
	name = strings.TrimSpace(name)
	if name == "" || name == "Local" {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

func validFormat(s string) (Format, bool) {
	for _, f := range Formats {
		if string(f) == s {
			return f, true
		}
	}
	return "", false
}

// validLink reports whether s is an absolute http(s) URL with a host.
func validLink(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return false
	}
	return u.Scheme == "http" || u.Scheme == "https"
}

// validate checks in against the product's rules at instant now and
// returns the resolved draft or valid.Errors keyed by form field.
func (in Input) validate(now time.Time) (draft, error) {
	errs := valid.Errors{}
	d := draft{approval: in.ApprovalRequired, listed: in.Listed}

	d.title = strings.TrimSpace(in.Title)
	switch n := utf8.RuneCountInString(d.title); {
	case n == 0:
		errs.Add("title", "Give the session a title.")
	case n < MinTitle:
		errs.Add("title", "The title needs at least 3 characters.")
	case n > MaxTitle:
		errs.Add("title", "The title can have at most 120 characters.")
	}
	errs.Add("title", valid.Line("The title", d.title))
	d.description = strings.TrimSpace(in.Description)
	errs.Add("description", valid.MultiLine("The description", d.description))
	if utf8.RuneCountInString(d.description) > MaxDescription {
		errs.Add("description", "The description can have at most 10,000 characters.")
	}
	if f, ok := validFormat(in.Format); ok {
		d.format = f
	} else {
		errs.Add("format", "Choose one of the listed formats.")
	}

	loc, zoneOK := loadZone(in.TimeZone)
	if !zoneOK {
		errs.Add("timezone", "Choose a time zone from the list, e.g. Europe/Berlin.")
	}
	d.loc = loc
	startWall, startOK := parseWall(in.Start)
	endWall, endOK := parseWall(in.End)
	if !startOK {
		errs.Add("start", "Give the start date and time, e.g. 2026-12-01T18:30.")
	}
	if !endOK {
		errs.Add("end", "Give the end date and time, e.g. 2026-12-01T20:00.")
	}
	if zoneOK && startOK {
		d.start = resolveWall(startWall, loc)
		if !d.start.After(now) {
			errs.Add("start", "The start is in the past.")
		}
	}
	if zoneOK && startOK && endOK {
		d.end = resolveWall(endWall, loc)
		switch {
		case !d.end.After(d.start):
			errs.Add("end", "The end must be after the start.")
		case d.end.Sub(d.start) > MaxDuration:
			errs.Add("end", "A session can last at most 12 hours.")
		}
	}
	d.opens, d.closes = in.rsvpWindow(errs, loc, zoneOK, d.start)

	d.venue = strings.TrimSpace(in.Venue)
	errs.Add("venue", valid.Line("The venue", d.venue))
	if utf8.RuneCountInString(d.venue) > MaxVenue {
		errs.Add("venue", "The venue can have at most 300 characters.")
	}
	d.onlineURL = strings.TrimSpace(in.OnlineURL)
	errs.Add("online_url", valid.Line("The online link", d.onlineURL))
	if d.onlineURL != "" && (len(d.onlineURL) > MaxURL || !validLink(d.onlineURL)) {
		errs.Add("online_url", "The online link must be a full http:// or https:// address.")
	}
	if d.venue == "" && d.onlineURL == "" {
		errs.Add("venue", "Give a venue, an online link, or both.")
	}

	d.capacity = parseCapacity(errs, in.Capacity)
	d.hosts = parseHosts(errs, in.Hosts)
	if len(in.Skills) > MaxSkills {
		errs.Add("skills", "Tag a session with at most 10 skills.")
	}
	d.skills = in.Skills
	return d, errs.Err()
}

// rsvpWindow resolves the optional RSVP opening and closing times.
func (in Input) rsvpWindow(errs valid.Errors, loc *time.Location, zoneOK bool, start time.Time) (opens, closes time.Time) {
	for _, f := range []struct {
		field, value string
		dst          *time.Time
	}{{"rsvp_opens", in.RSVPOpens, &opens}, {"rsvp_closes", in.RSVPCloses, &closes}} {
		if strings.TrimSpace(f.value) == "" {
			continue
		}
		w, ok := parseWall(f.value)
		if !ok {
			errs.Add(f.field, "Give a date and time, e.g. 2026-11-20T09:00, or leave it empty.")
			continue
		}
		if zoneOK {
			*f.dst = resolveWall(w, loc)
		}
	}
	if !opens.IsZero() && !start.IsZero() && !opens.Before(start) {
		errs.Add("rsvp_opens", "RSVPs must open before the session starts.")
	}
	if !opens.IsZero() && !closes.IsZero() && !closes.After(opens) {
		errs.Add("rsvp_closes", "RSVPs must close after they open.")
	}
	return opens, closes
}

func parseCapacity(errs valid.Errors, s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		errs.Add("capacity", "Give the number of seats as a whole number, or leave it empty for no limit.")
	case n <= 0:
		errs.Add("capacity", "Capacity must be at least 1; leave it empty for no limit.")
	case n > MaxCapacity:
		errs.Add("capacity", "Capacity can be at most 10,000.")
	}
	return n
}

func parseHosts(errs valid.Errors, hosts []string) []string {
	out := make([]string, 0, len(hosts))
	seen := map[string]bool{}
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if h == "" || seen[h] {
			continue
		}
		if !ids.Valid(h) {
			errs.Add("hosts", "Choose hosts from the group's members.")
			continue
		}
		seen[h] = true
		out = append(out, h)
	}
	if len(out) > MaxHosts {
		errs.Add("hosts", "A session can have at most 20 hosts.")
	}
	return out
}

// apply writes the draft's fields onto ev.
func (d draft) apply(ev *Event) {
	ev.Title, ev.Description, ev.Format = d.title, d.description, d.format
	ev.Start, ev.End, ev.TimeZone = d.start, d.end, d.loc.String()
	ev.Venue, ev.OnlineURL = d.venue, d.onlineURL
	ev.Capacity, ev.Hosts = d.capacity, d.hosts
	ev.RSVPOpens, ev.RSVPCloses = d.opens, d.closes
	ev.ApprovalRequired, ev.Listed = d.approval, d.listed
	ev.Skills = d.skills
}

func capacityError() error {
	return valid.Errors{"capacity": "Capacity must be between 1 and 10,000, or no limit."}
}
