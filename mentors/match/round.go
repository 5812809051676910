package match

import (
	"cmp"
	"slices"
	"time"
)

// Role says which side of a round a person signed up for.
type Role string

// The two sides of a round.
const (
	RoleMentor Role = "mentor"
	RoleMentee Role = "mentee"
)

// PairKey names a mentee and a mentor, e.g. a pair from an earlier round.
type PairKey struct {
	MenteeID string `json:"mentee"`
	MentorID string `json:"mentor"`
}

// RoundInput is everything a matching round decides on. Each mentor's
// Capacity is their capacity for this round; Exclude lists pairs that must
// not be matched again. The same input always gives the same result.
type RoundInput struct {
	Mentees []MenteeProfile
	Mentors []MentorProfile
	Exclude []PairKey
	At      time.Time // fixes the zones' UTC offsets
}

// Pair is a mentee matched with a mentor, with why.
type Pair struct {
	MenteeID string  `json:"mentee"`
	MentorID string  `json:"mentor"`
	Score    int     `json:"score"`
	Reasons  Reasons `json:"reasons"`
	Manual   bool    `json:"manual,omitempty"` // set by an organizer, not by Round
}

// Codes of why someone was left out of a round.
const (
	UnmatchedNoLanguage = "no_language"
	UnmatchedNoFit      = "no_fit"
	UnmatchedNoRoom     = "no_room"
	UnmatchedExcluded   = "excluded"
	UnmatchedOutranked  = "outranked"
)

// Unmatched is someone a round left out, with why in a code and in words.
type Unmatched struct {
	UserID string `json:"user"`
	Role   Role   `json:"role"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// Result is the outcome of a round: pairs ordered by mentor then mentee,
// and everyone left out, mentees first, each by user ID.
type Result struct {
	Pairs     []Pair      `json:"pairs"`
	Unmatched []Unmatched `json:"unmatched"`
	// Existing are the round's mentee–mentor pairs that already mentor
	// each other: they were kept apart, and the organizer is told.
	Existing []PairKey `json:"existing,omitempty"`
}

// firstChunk is how many of a mentee's best mentors are kept at first; the
// next ones are scored again only if all of these turn the mentee down, and
// each refill keeps growth times as many, so even a mentee turned down by
// every mentor of a large round causes only a few rescoring passes.
const (
	firstChunk = 16
	growth     = 8
)

// choice is a mentor a mentee may propose to.
type choice struct {
	mentor int32
	score  int32
}

// reach records, for one person, how far compatibility went: any shared
// language, any fit, any fit with room, any fit not excluded.
type reach struct{ lang, fit, room, allowed bool }

type held struct {
	mentee int32
	score  int32
}

// roundState is one run of the matching.
type roundState struct {
	mentees  []menteeData
	mentors  []mentorData
	capacity []int
	self     []int      // mentor index of the same person as mentee i, or -1
	exclude  [][]int    // per mentee, the mentors excluded for them
	prefs    [][]choice // the current chunk of each mentee's list
	next     []int      // next position in prefs
	last     []choice   // last choice proposed to, for refills
	held     [][]held
	size     []int    // chunk size of each mentee's current list
	heap     []choice // scratch for refills
	limit    int      // size of the chunk being collected
}

// Round runs a matching round: mentee-proposing deferred acceptance with
// capacities (the hospitals/residents form). A mentee ranks the mentors
// that fit by score, ties by mentor ID; a mentor ranks mentees by the same
// score, ties by mentee ID. The result is stable: no mentee and mentor
// outside a pair both prefer each other to what they got, counting free
// capacity. Because both sides rank by one score with those tie-breaks,
// this stable matching is the only one (see docs/mentors.md).
func Round(in RoundInput) Result {
	mentees := slices.Clone(in.Mentees)
	mentors := slices.Clone(in.Mentors)
	slices.SortFunc(mentees, func(a, b MenteeProfile) int { return cmp.Compare(a.UserID, b.UserID) })
	slices.SortFunc(mentors, func(a, b MentorProfile) int { return cmp.Compare(a.UserID, b.UserID) })
	p := newPreparer(in.At)
	st := &roundState{
		mentees:  make([]menteeData, len(mentees)),
		mentors:  make([]mentorData, len(mentors)),
		capacity: make([]int, len(mentors)),
		prefs:    make([][]choice, len(mentees)),
		next:     make([]int, len(mentees)),
		last:     make([]choice, len(mentees)),
		held:     make([][]held, len(mentors)),
		size:     make([]int, len(mentees)),
	}
	for i := range mentees {
		st.mentees[i] = p.mentee(&mentees[i])
	}
	for j := range mentors {
		st.mentors[j] = p.mentor(&mentors[j])
		st.capacity[j] = max(0, mentors[j].Capacity)
	}
	st.exclude = excludeSet(in.Exclude, mentees, mentors)
	st.self = make([]int, len(mentees))
	for i := range mentees {
		j, ok := slices.BinarySearchFunc(mentors, mentees[i].UserID, func(m MentorProfile, id string) int { return cmp.Compare(m.UserID, id) })
		st.self[i] = -1
		if ok {
			st.self[i] = j
		}
	}
	menteeReach, mentorReach := st.firstChunks()
	st.propose()
	return st.result(menteeReach, mentorReach)
}

func excludeSet(pairs []PairKey, mentees []MenteeProfile, mentors []MentorProfile) [][]int {
	set := make([][]int, len(mentees))
	for _, pk := range pairs {
		i, okE := slices.BinarySearchFunc(mentees, pk.MenteeID, func(m MenteeProfile, id string) int { return cmp.Compare(m.UserID, id) })
		j, okM := slices.BinarySearchFunc(mentors, pk.MentorID, func(m MentorProfile, id string) int { return cmp.Compare(m.UserID, id) })
		if okE && okM {
			set[i] = append(set[i], j)
		}
	}
	return set
}

// allowed reports whether mentee i may be matched with mentor j at all.
func (st *roundState) allowed(i, j int) bool {
	return st.capacity[j] > 0 && (len(st.exclude[i]) == 0 || !slices.Contains(st.exclude[i], j))
}

// firstChunks scores every pair once, keeps each mentee's best chunk and
// notes how far each person's compatibility reached, for the reasons of
// those left out.
func (st *roundState) firstChunks() ([]reach, []reach) {
	mr := make([]reach, len(st.mentees))
	tr := make([]reach, len(st.mentors))
	for i := range st.mentees {
		e := &st.mentees[i]
		st.heap = st.heap[:0]
		st.limit, st.size[i] = firstChunk, firstChunk
		for j := range st.mentors {
			if j == st.self[i] {
				continue
			}
			s, v := score(e, &st.mentors[j])
			if v == noLanguage {
				continue
			}
			mr[i].lang, tr[j].lang = true, true
			if v != candidate {
				continue
			}
			mr[i].fit, tr[j].fit = true, true
			if st.capacity[j] == 0 {
				continue
			}
			mr[i].room, tr[j].room = true, true
			if !st.allowed(i, j) {
				continue
			}
			mr[i].allowed, tr[j].allowed = true, true
			st.keep(choice{int32(j), int32(s)})
		}
		st.prefs[i] = st.takeChunk(nil)
	}
	return mr, tr
}

// before orders a mentee's choices: higher score first, then lower mentor.
func before(a, b choice) bool {
	return a.score > b.score || (a.score == b.score && a.mentor < b.mentor)
}

// keep adds c to the scratch heap of the best chunk choices; the heap's root
// is its worst element.
func (st *roundState) keep(c choice) {
	h := st.heap
	if len(h) == st.limit {
		if !before(c, h[0]) {
			return
		}
		h[0] = c
		siftDown(h, 0)
		return
	}
	h = append(h, c)
	for k := len(h) - 1; k > 0; {
		parent := (k - 1) / 2
		if !before(h[parent], h[k]) {
			break
		}
		h[parent], h[k] = h[k], h[parent]
		k = parent
	}
	st.heap = h
}

func siftDown(h []choice, k int) {
	for {
		worst, l, r := k, 2*k+1, 2*k+2
		if l < len(h) && before(h[worst], h[l]) {
			worst = l
		}
		if r < len(h) && before(h[worst], h[r]) {
			worst = r
		}
		if worst == k {
			return
		}
		h[k], h[worst] = h[worst], h[k]
		k = worst
	}
}

// takeChunk returns the scratch heap's choices best first, reusing buf.
func (st *roundState) takeChunk(buf []choice) []choice {
	out := append(buf[:0], st.heap...)
	slices.SortFunc(out, func(a, b choice) int {
		if before(a, b) {
			return -1
		}
		return 1
	})
	return out
}

// refill scores mentee i again against every mentor and keeps the best
// chunk of the choices after the last one proposed to.
func (st *roundState) refill(i int) {
	e := &st.mentees[i]
	last := st.last[i]
	st.heap = st.heap[:0]
	st.size[i] *= growth
	st.limit = st.size[i]
	for j := range st.mentors {
		s, v := score(e, &st.mentors[j])
		c := choice{int32(j), int32(s)}
		if v == candidate && j != st.self[i] && st.allowed(i, j) && before(last, c) {
			st.keep(c)
		}
	}
	st.prefs[i] = st.takeChunk(st.prefs[i])
	st.next[i] = 0
}

// propose runs deferred acceptance until every mentee holds a place or has
// been turned down by every mentor that fits.
func (st *roundState) propose() {
	free := make([]int32, len(st.mentees))
	for i := range free {
		free[i] = int32(len(free) - 1 - i)
	}
	for len(free) > 0 {
		i := free[len(free)-1]
		free = free[:len(free)-1]
		if st.next[i] == len(st.prefs[i]) {
			if len(st.prefs[i]) < st.size[i] {
				continue // no mentor left: unmatched
			}
			st.refill(int(i))
			if len(st.prefs[i]) == 0 {
				continue
			}
		}
		c := st.prefs[i][st.next[i]]
		st.next[i]++
		st.last[i] = c
		h := st.held[c.mentor]
		if len(h) < st.capacity[c.mentor] {
			st.held[c.mentor] = append(h, held{i, c.score})
			continue
		}
		w := 0
		for k := 1; k < len(h); k++ {
			if worse(h[k], h[w]) {
				w = k
			}
		}
		if worse(h[w], held{i, c.score}) {
			free = append(free, h[w].mentee)
			h[w] = held{i, c.score}
		} else {
			free = append(free, i)
		}
	}
}

// worse reports whether a mentor ranks a below b: lower score, then higher
// mentee index.
func worse(a, b held) bool {
	return a.score < b.score || (a.score == b.score && a.mentee > b.mentee)
}

func (st *roundState) result(mr, tr []reach) Result {
	var res Result
	matched := make([]bool, len(st.mentees))
	for j, h := range st.held {
		slices.SortFunc(h, func(a, b held) int { return cmp.Compare(a.mentee, b.mentee) })
		for _, x := range h {
			matched[x.mentee] = true
			res.Pairs = append(res.Pairs, Pair{
				MenteeID: st.mentees[x.mentee].prof.UserID,
				MentorID: st.mentors[j].prof.UserID,
				Score:    int(x.score),
				Reasons:  explain(&st.mentees[x.mentee], &st.mentors[j]),
			})
		}
	}
	for i, ok := range matched {
		if !ok {
			code, why := menteeLeftOut(mr[i])
			res.Unmatched = append(res.Unmatched, Unmatched{UserID: st.mentees[i].prof.UserID, Role: RoleMentee, Code: code, Reason: why})
		}
	}
	for j, h := range st.held {
		if len(h) == 0 {
			code, why := mentorLeftOut(tr[j], st.capacity[j])
			res.Unmatched = append(res.Unmatched, Unmatched{UserID: st.mentors[j].prof.UserID, Role: RoleMentor, Code: code, Reason: why})
		}
	}
	return res
}

func menteeLeftOut(r reach) (string, string) {
	switch {
	case !r.lang:
		return UnmatchedNoLanguage, "no mentor shares a language"
	case !r.fit:
		return UnmatchedNoFit, "no mentor who shares a language guides your path or teaches a skill you want"
	case !r.room:
		return UnmatchedNoRoom, "no compatible mentor has room this round"
	case !r.allowed:
		return UnmatchedExcluded, "every compatible mentor was your mentor in an earlier round"
	}
	return UnmatchedOutranked, "all compatible mentors were full with better-fitting mentees"
}

func mentorLeftOut(r reach, capacity int) (string, string) {
	switch {
	case capacity == 0:
		return UnmatchedNoRoom, "has no room for a mentee this round"
	case !r.lang:
		return UnmatchedNoLanguage, "no mentee shares a language"
	case !r.fit:
		return UnmatchedNoFit, "no mentee who shares a language wants their skills or path"
	case !r.allowed:
		return UnmatchedExcluded, "every compatible mentee was their mentee in an earlier round"
	}
	return UnmatchedOutranked, "every compatible mentee got a mentor who fits them better"
}
