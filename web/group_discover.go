package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/careers"
	"github.com/focusgroups/focusgroups/internal/valid"
)

const discoverPerPage = 12

// discover is the search page for public groups.
func (h *handler) discover(c *fiber.Ctx) error {
	errs := valid.Errors{}
	for field, label := range map[string]string{"q": "The search", "topic": "The topic", "path": "The path", "city": "The city"} {
		errs.Add(field, valid.Line(label, strings.TrimSpace(c.Query(field))))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	q := groups.Query{
		Words:   truncate(c.Query("q"), 200),
		Topic:   groups.NormalizeTopic(c.Query("topic")),
		Path:    c.Query("path"),
		City:    truncate(c.Query("city"), groups.MaxCityLen),
		Online:  c.Query("online") == "on",
		Sort:    groups.Sort(c.Query("sort")),
		Page:    max(c.QueryInt("page", 1), 1),
		PerPage: discoverPerPage,
	}
	if q.Path != "" {
		if slug, ok := careers.Normalize(q.Path); ok {
			q.Path = slug
		} else {
			q.Path = ""
		}
	}
	switch q.Sort {
	case groups.SortSoonest, groups.SortMembers, groups.SortNewest:
	default:
		q.Sort = groups.SortNewest
	}
	// One round trip when warm: the session, the index search (or, for a
	// query this instance answered before, the index's version alone), the
	// topics and the groups it found for the same query last time (the
	// index is the same for everyone). An index changed since takes a
	// second to search again, and the groups found anew one more.
	ctx := c.UserContext()
	first, _ := pageReads(c, h.Redis)
	getIDs := h.Groups.QueueSearch(ctx, first, q)
	getTopics := h.Groups.QueueTopics(ctx, first, 16)
	queryKey := fmt.Sprintf("%q %q %q %q %t %q %d", q.Words, q.Topic, q.Path, q.City, q.Online, q.Sort, q.Page)
	guessed, _ := h.discoverGroups.Get(queryKey)
	reads := groupReads{}
	reads.queue(ctx, h.Groups, first, guessed)
	if err := runReads(ctx, first); err != nil {
		return err
	}
	gids, total, err := getIDs()
	if err != nil {
		return err
	}
	topics, err := getTopics()
	if err != nil {
		return err
	}
	second := h.Redis.Pipeline()
	reads.queue(ctx, h.Groups, second, gids)
	if err := runReads(ctx, second); err != nil {
		return err
	}
	byID, err := reads.result(ctx, h.Groups, gids)
	if err != nil {
		return err
	}
	found, err := keepPublic(ctx, h.Groups, gids, byID)
	if err != nil {
		return err
	}
	if !slices.Equal(gids, guessed) {
		h.discoverGroups.Put(queryKey, gids)
	}
	data := h.view(c, "Discover focus groups")
	data["Q"] = q
	data["Filtered"] = q.Words != "" || q.Topic != "" || q.Path != "" || q.City != "" || q.Online
	data["Groups"] = groupCards(found, knownZone(c), h.Events.Now())
	data["Total"] = total
	data["Topics"] = topics
	data["Careers"] = careers.Paths
	data["SignedIn"] = currentUser(c) != nil
	pageURL := func(p int) string {
		v := url.Values{}
		for k, val := range map[string]string{"q": q.Words, "topic": q.Topic, "path": q.Path, "city": q.City, "sort": string(q.Sort)} {
			if val != "" {
				v.Set(k, val)
			}
		}
		if q.Online {
			v.Set("online", "on")
		}
		v.Set("page", strconv.Itoa(p))
		return "/groups?" + v.Encode()
	}
	if q.Page > 1 {
		data["PrevURL"] = pageURL(q.Page - 1)
	}
	if q.Page*discoverPerPage < total {
		data["NextURL"] = pageURL(q.Page + 1)
	}
	return h.frags.renderMap(c, "groups/discover", data, false)
}

// groupCard is what a list of groups shows of each.
type groupCard struct {
	Slug, Name, Cover, City string
	CoverImage, Online      bool
	Topics, Paths           []string
	Members                 int
	CompanyOnly             bool
	Visibility              groups.Visibility
	Role                    groups.Role
	// NextSession is when the group next meets, for the viewer; "" when
	// nothing is scheduled.
	NextSession string
	// Hero marks the cover at the top of the group's own page: the first
	// thing people see there, so it loads at once rather than lazily.
	Hero bool
}

func groupCardOf(g *groups.Group) groupCard {
	return groupCard{Slug: g.Slug, Name: g.Name, Cover: g.Cover, CoverImage: g.CoverIsImage(), City: g.City, Online: g.Online,
		Topics: g.Topics, Paths: pathLabels(g.Paths), Members: g.MemberCount, CompanyOnly: g.CompanyOnly(), Visibility: g.Visibility}
}

// groupCards makes cards for a list, each with its next session (see
// nextSessionText).
func groupCards(gs []*groups.Group, own *time.Location, now time.Time) []groupCard {
	out := make([]groupCard, len(gs))
	for i, g := range gs {
		out[i] = groupCardOf(g)
		if g.NextSessionAt.After(now) {
			out[i].NextSession = nextSessionText(g, own, now)
		}
	}
	return out
}

// nextSessionText says when the group's next session starts: in the
// viewer's own zone (own), else in the zone of the group's sessions, else,
// when neither is known, only how far away it is, never in a zone that is
// nobody's.
func nextSessionText(g *groups.Group, own *time.Location, now time.Time) string {
	loc := own
	if loc == nil && g.TimeZone != "" {
		loc = zoneNamed(g.TimeZone)
	}
	if loc == nil {
		return relativeTo(g.NextSessionAt, now)
	}
	return localTime(g.NextSessionAt, loc) + ", " + relativeTo(g.NextSessionAt, now)
}
