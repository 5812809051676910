package events

// Key layout. Every key of one session shares the hash tag {eventID}, every
// key of one series {seriesID}, every key of one group's proposals {groupID};
// indexes that span entities are separate keys updated as idempotent
// follow-ups.

// Each key is built in one concatenation (one allocation): list pages
// build four or five per session shown.
func (s *Store) eventKey(id string) string    { return s.prefix + "event:{" + id + "}" }
func (s *Store) rsvpKey(id string) string     { return s.prefix + "event:{" + id + "}:rsvp" }
func (s *Store) goingKey(id string) string    { return s.prefix + "event:{" + id + "}:going" }
func (s *Store) waitlistKey(id string) string { return s.prefix + "event:{" + id + "}:waitlist" }
func (s *Store) pendingKey(id string) string  { return s.prefix + "event:{" + id + "}:pending" }
func (s *Store) checkinKey(id string) string  { return s.prefix + "event:{" + id + "}:checkin" }
func (s *Store) noticesKey(id string) string  { return s.prefix + "event:{" + id + "}:notices" }

// eventKeys are the KEYS of every per-session script, in script order.
func (s *Store) eventKeys(id string) []string {
	return []string{s.eventKey(id), s.rsvpKey(id), s.goingKey(id), s.waitlistKey(id), s.pendingKey(id), s.checkinKey(id),
		s.noticesKey(id)}
}

func (s *Store) seriesKey(id string) string    { return s.prefix + "series:{" + id + "}" }
func (s *Store) seriesOccKey(id string) string { return s.seriesKey(id) + ":occ" }

func (s *Store) userEventsKey(uid string) string  { return s.prefix + "uev:{" + uid + "}" }
func (s *Store) groupEventsKey(gid string) string { return s.prefix + "gev:{" + gid + "}" }
func (s *Store) listedKey() string                { return s.prefix + "ev:listed" }

// listedEndsKey holds the listed sessions by their end, so the home page
// finds those running without reading every session started within
// MaxDuration. Its hash tag is the whole name of listedKey (which has
// none of its own), so both share a Cluster slot and one script reads
// them; with a prefix that has a hash tag, both hash by that.
func (s *Store) listedEndsKey() string { return s.listedKey() + ":ends{" + s.listedKey() + "}" }

// endsKey schedules the sweep: every session by its end.
func (s *Store) endsKey() string { return s.prefix + "ev:ends" }

func (s *Store) proposalsKey(gid string) string { return s.prefix + "proposals:{" + gid + "}" }
func (s *Store) proposalKey(gid, pid string) string {
	return s.proposalsKey(gid) + ":p:" + pid
}
func (s *Store) votersKey(gid, pid string) string { return s.proposalsKey(gid) + ":v:" + pid }

func (s *Store) feedTokenKey(hash string) string { return s.prefix + "feedtok:{" + hash + "}" }
func (s *Store) userFeedKey(uid string) string   { return s.prefix + "ufeed:{" + uid + "}" }
