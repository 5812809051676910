package web

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/focusgroups/focusgroups/mentors"
	"github.com/focusgroups/focusgroups/mentors/match"
)

// directoryPerPage is how many mentors one directory page lists, and
// directoryRankAll how many candidates at most are all read to rank them
// by fit for a viewer with a mentee profile.
const (
	directoryPerPage = 20
	directoryRankAll = 300
)

// rankDirectory keeps the listed mentors, best fit for mentee first (no
// candidates last, then by ID), and returns the page from after.
func rankDirectory(profiles []match.MentorProfile, mentee *match.MenteeProfile, f match.Filter, zone string, now time.Time, after, n int) mentors.DirectoryPage {
	type scored struct {
		m     match.MentorProfile
		score int
	}
	var list []scored
	for _, m := range profiles {
		if !mentors.Listed(m, f, zone, now) {
			continue
		}
		score, _, ok := match.Score(mentee, &m, now)
		if !ok {
			score = -1
		}
		list = append(list, scored{m, score})
	}
	slices.SortStableFunc(list, func(a, b scored) int { return b.score - a.score })
	page := mentors.DirectoryPage{Candidates: len(profiles)}
	for i := max(after, 0); i < len(list) && len(page.Mentors) < n; i++ {
		page.Mentors = append(page.Mentors, list[i].m)
		if len(page.Mentors) == n && i+1 < len(list) {
			page.Next = i + 1
		}
	}
	return page
}

// directoryCard is a mentor as the directory lists them.
type directoryCard struct {
	suggestionCard
	Quality string // with a mentee profile: strong, good or fair; "" otherwise
	NoFit   string // with a mentee profile: why they are no candidate
}

// mentorDirectory lets anyone signed in browse the mentors who take
// mentees, filtered by skill, path, language, time-zone distance and
// availability. With a mentee profile each mentor also shows how well
// they fit and why. The session, the mentee profile and the candidates
// come in one round trip, the candidates' profiles and names in another.
func (h *handler) mentorDirectory(c *fiber.Ctx) error {
	ctx := c.UserContext()
	q, err := url.ParseQuery(string(c.Context().QueryArgs().QueryString()))
	if err != nil {
		q = url.Values{}
	}
	sf := filterFrom(q)
	after, aerr := strconv.Atoi(q.Get("after"))
	if q.Get("after") == "" {
		after, aerr = 0, nil
	}
	if aerr != nil || after < 0 {
		return httpError(fiber.StatusBadRequest, "That page does not exist", "Go back to the first page of the directory.")
	}
	first, uid := pageReads(c, h.Redis)
	f, fields := sf.filter()
	getCandidates, ferr := h.Mentors.QueueDirectory(ctx, first, &f)
	getMentee := h.Mentors.QueueMenteeProfile(ctx, first, uid)
	mentoring := h.Mentors.QueueMentoring(ctx, first, uid)
	if err := runReads(ctx, first); err != nil {
		return err
	}
	u := currentUser(c)
	if u == nil {
		return h.requireUser(c)
	}
	if u.ID != uid {
		return h.mentorDirectory(c) // the cookie named someone else: read again as the viewer
	}
	data := h.view(c, "Mentor directory")
	data["Filter"] = sf
	data["PathOptions"] = pathOptions(sf.Path)
	data["TZOptions"] = tzOptions(sf.MaxTZ)
	data["FilterAction"] = "/mentors/directory"
	data["Back"] = "/mentors/directory" + sf.query()
	data["Fields"] = formErrors(nil)
	fields = mergeErrors(fields, ferr)
	if len(fields) > 0 {
		data["Fields"] = formErrors(fields)
		return c.Status(fiber.StatusUnprocessableEntity).Render("mentors/directory", data)
	}
	mentee, err := getMentee()
	hasProfile := err == nil
	if err != nil && !errors.Is(err, mentors.ErrNotFound) {
		return err
	}
	data["HasProfile"] = hasProfile
	all, err := getCandidates()
	if err != nil {
		return err
	}
	zone := u.TimeZone
	if hasProfile {
		zone = mentee.TimeZone
	}
	second := h.Redis.Pipeline()
	getMentoring, err := mentoring.QueueRecords(ctx, second)
	if err != nil {
		return err
	}
	// With a mentee profile and few enough candidates, every candidate is
	// read and the list ranked by fit; otherwise it is in a stable order,
	// a chunk at a time.
	ranked := hasProfile && len(all) <= directoryRankAll
	chunk := all[min(after, len(all)):min(after+mentors.DirectoryChunk, len(all))]
	if ranked {
		chunk = all
	}
	getProfiles := h.Mentors.QueueMentorProfiles(ctx, second, chunk)
	getUsers := h.Users.QueueGetMany(ctx, second, chunk[:min(len(chunk), mentors.DirectoryChunk)])
	if err := runReads(ctx, second); err != nil {
		return err
	}
	var page mentors.DirectoryPage
	if ranked {
		profiles, err := getProfiles()
		if err != nil {
			return err
		}
		page = rankDirectory(profiles, &mentee, f, zone, h.Events.Now(), after, directoryPerPage)
	} else {
		firstChunk := true
		page, err = h.Mentors.DirectoryPageOf(all, func(ids []string) ([]match.MentorProfile, error) {
			if firstChunk {
				firstChunk = false
				return getProfiles()
			}
			return h.Mentors.MentorProfiles(ctx, ids) // the filters hid the whole first chunk
		}, f, zone, after, directoryPerPage)
		if err != nil {
			return err
		}
	}
	data["Ranked"] = ranked
	mine, err := getMentoring()
	if err != nil {
		return err
	}
	users, err := getUsers()
	if err != nil {
		return err
	}
	list := make([]match.Suggestion, len(page.Mentors))
	for i := range page.Mentors {
		list[i] = match.Suggestion{Mentor: &page.Mentors[i]}
	}
	cards, err := h.suggestionCards(c, list, askDraft{}, mine, users)
	if err != nil {
		return err
	}
	now := h.Events.Now()
	out := make([]directoryCard, len(cards))
	for i, card := range cards {
		out[i] = directoryCard{suggestionCard: card}
		if !hasProfile {
			continue
		}
		m := page.Mentors[i]
		score, reasons, ok := match.Score(&mentee, &m, now)
		if ok {
			out[i].Quality, out[i].Reasons = match.Quality(score), reasons.String()
		} else {
			out[i].NoFit = reasons.String()
		}
	}
	data["Mentors"] = out
	data["Candidates"] = page.Candidates
	if page.Next > 0 {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("after", strconv.Itoa(page.Next))
		data["NextURL"] = "/mentors/directory?" + next.Encode()
	}
	data["Filtered"] = sf.query() != ""
	return h.frags.renderMap(c, "mentors/directory", data, false)
}
