package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/auth"
	"github.com/focusgroups/focusgroups/events"
	"github.com/focusgroups/focusgroups/groups"
)

type seedGroup struct {
	name, about, topics, path, city string
	organizer                       string
	members                         []string
	session                         string
	domains                         []string
}

var seedPeople = []struct{ name, email, tz string }{
	{"Amara Okafor", "amara@example.com", "Europe/London"},
	{"Diego Fernández", "diego@example.com", "Europe/Madrid"},
	{"Mei Chen", "mei@acme.example", "Asia/Singapore"},
	{"Jonas Weber", "jonas@example.com", "Europe/Berlin"},
	{"Priya Nair", "priya@acme.example", "Asia/Kolkata"},
	{"Sam Taylor", "sam@example.com", "America/New_York"},
	{"Lena Kowalski", "lena@example.com", "Europe/Warsaw"},
	{"Kwame Mensah", "kwame@example.com", "Africa/Accra"},
}

var seedGroups = []seedGroup{
	{"Cloud Native Architects", "Design reviews and architecture katas for people moving from senior engineer to **architect**.\n\nEvery month one of us brings a real system to the whiteboard.",
		"system-design, kubernetes, distributed-systems", "architecture", "Berlin", "Jonas Weber",
		[]string{"Amara Okafor", "Diego Fernández", "Lena Kowalski"}, "Architecture kata: design a ride-sharing backend", nil},
	{"DevOps Dojo", "Hands-on practice with CI/CD, Terraform, observability and on-call. Bring a laptop.",
		"devops, terraform, observability, kubernetes", "devops", "London", "Amara Okafor",
		[]string{"Sam Taylor", "Kwame Mensah", "Jonas Weber"}, "Workshop: zero-downtime deploys on Kubernetes", nil},
	{"Engineering Leadership Circle", "For tech leads and new managers: 1:1s, feedback, hiring and growing people.",
		"leadership, management, hiring", "leadership", "", "Sam Taylor",
		[]string{"Priya Nair", "Diego Fernández"}, "Panel: your first 90 days as an engineering manager", nil},
	{"DevRel & Community Builders", "Talks, writing and community: practise developer advocacy together.",
		"devrel, public-speaking, writing", "developer-advocacy", "", "Diego Fernández",
		[]string{"Mei Chen", "Lena Kowalski", "Kwame Mensah"}, "Lightning talks: 5 minutes, one idea", nil},
	{"Engineers in Business Development", "Solutions engineering, pre-sales and partnerships for developers who like customers.",
		"sales-engineering, partnerships", "business-development", "Singapore", "Mei Chen",
		[]string{"Priya Nair"}, "Study group: running a technical discovery call", nil},
	{"Acme Go Guild", "Acme's internal Go community. Acme staff only.",
		"go, performance", "architecture", "", "Priya Nair",
		[]string{"Mei Chen"}, "Pairing session: profiling our API with pprof", []string{"acme.example"}},
}

// seedDemo loads demo people, groups and sessions once, through the same
// stores and rules users go through. A marker key keeps a second start
// from loading them twice; it is set only when loading succeeded.
func seedDemo(ctx context.Context, s *stores, rdb redis.UniversalClient, prefix string, log *slog.Logger) error {
	marker := prefix + "seeded"
	if n, err := rdb.Exists(ctx, marker).Result(); err != nil || n > 0 {
		return err
	}
	if err := loadDemo(ctx, s); err != nil {
		return err
	}
	log.Info("demo data loaded", "people", len(seedPeople), "groups", len(seedGroups))
	return rdb.Set(ctx, marker, time.Now().UTC().Format(time.RFC3339), 0).Err()
}

// loadDemo writes the demo people, groups and sessions.
func loadDemo(ctx context.Context, s *stores) error {
	ids := map[string]string{}
	for _, p := range seedPeople {
		subject := auth.DevSubject(p.name)
		u, _, err := s.users.SignIn(ctx, auth.Profile{Provider: "dev", Subject: subject, Login: subject, Name: p.name,
			Emails: []auth.Email{{Address: p.email, Verified: true}}})
		if err != nil {
			return fmt.Errorf("seed user %s: %w", p.name, err)
		}
		if _, err := s.users.UpdateProfile(ctx, u.ID, auth.ProfileUpdate{Name: p.name, TimeZone: p.tz}); err != nil {
			return fmt.Errorf("seed user %s: %w", p.name, err)
		}
		ids[p.name] = u.ID
	}
	emails := map[string][]string{}
	for _, p := range seedPeople {
		emails[p.name] = []string{p.email}
	}
	for i, sg := range seedGroups {
		in := groups.Input{Name: sg.name, Slug: groups.SuggestSlug(sg.name), Description: sg.about, Topics: groups.SplitList(sg.topics), Paths: []string{sg.path},
			City: sg.city, Online: true, Visibility: groups.Public, JoinPolicy: groups.Open, Domains: sg.domains,
			Cover: []string{"#4338ca", "#0f766e", "#b45309", "#be185d", "#1d4ed8", "#7c3aed"}[i%6]}
		g, err := s.groups.Create(ctx, ids[sg.organizer], in)
		if err != nil {
			return fmt.Errorf("seed group %s: %w", sg.name, err)
		}
		for _, m := range sg.members {
			if err := s.groups.Join(ctx, g.ID, ids[m], emails[m]); err != nil {
				return fmt.Errorf("seed member %s of %s: %w", m, sg.name, err)
			}
		}
		start := time.Now().AddDate(0, 0, 3+4*i).Truncate(24 * time.Hour).Add(17*time.Hour + 30*time.Minute)
		ev, err := s.events.Create(ctx, events.Actor{UserID: ids[sg.organizer], Organizer: true}, g.ID, events.Input{
			Title: sg.session, Description: "Bring questions. Everyone is welcome to share what they know.",
			Format: seedFormat(sg.session), Start: start.Format("2006-01-02T15:04"), End: start.Add(90 * time.Minute).Format("2006-01-02T15:04"),
			TimeZone: "UTC", OnlineURL: "https://meet.example.com/" + g.Slug, Capacity: "30", Listed: len(sg.domains) == 0,
		})
		if err != nil {
			return fmt.Errorf("seed session of %s: %w", sg.name, err)
		}
		for _, m := range sg.members[:len(sg.members)/2+1] {
			if _, err := s.events.RSVP(ctx, ev.ID, ids[m], true); err != nil {
				return fmt.Errorf("seed RSVP: %w", err)
			}
		}
		next, err := s.events.NextForGroup(ctx, g.ID)
		if err != nil {
			return fmt.Errorf("seed next session: %w", err)
		}
		if err := s.groups.SetNextSession(ctx, g.ID, next); err != nil {
			return fmt.Errorf("seed next session: %w", err)
		}
	}
	return nil
}

func seedFormat(title string) string {
	for prefix, f := range map[string]string{"Workshop": "workshop", "Panel": "panel", "Lightning": "lightning-talks", "Study": "study-group", "Pairing": "pairing"} {
		if strings.HasPrefix(title, prefix) {
			return f
		}
	}
	return "talk"
}
