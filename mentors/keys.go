package mentors

// Keys of one mentor share the hash tag {mentorID}: the profile hash, the
// active mentees, the open request per mentee, the pending requests, and
// every request and mentorship addressed to them, so capacity and "one open
// request per pair" are checked in one Lua script. A mentee's keys share
// {menteeID}. Request and mentorship IDs point at their mentor through
// small reference keys. Indexes across mentors share the tags {idx} and
// {sweep}; rounds share {roundID} and a group's round data {groupID}.

func (s *Store) mentorKey(u string) string        { return s.prefix + "mentor:{" + u + "}" }
func (s *Store) mentorMenteesKey(u string) string { return s.mentorKey(u) + ":mentees" }
func (s *Store) mentorPairsKey(u string) string   { return s.mentorKey(u) + ":pairs" }
func (s *Store) mentorPendingKey(u string) string { return s.mentorKey(u) + ":pending" }
func (s *Store) mentorHistoryKey(u string) string { return s.mentorKey(u) + ":history" }
func (s *Store) mentorNoticesKey(u string) string { return s.mentorKey(u) + ":notices" }
func (s *Store) requestKey(mentor, id string) string {
	return s.mentorKey(mentor) + ":req:" + id
}
func (s *Store) mentorshipKey(mentor, id string) string {
	return s.mentorKey(mentor) + ":ms:" + id
}

func (s *Store) menteeKey(u string) string        { return s.prefix + "mentee:{" + u + "}" }
func (s *Store) menteeOpenKey(u string) string    { return s.menteeKey(u) + ":open" }
func (s *Store) menteeMentorsKey(u string) string { return s.menteeKey(u) + ":mentors" }
func (s *Store) menteeHistoryKey(u string) string { return s.menteeKey(u) + ":history" }

func (s *Store) requestRefKey(id string) string    { return s.prefix + "mreq:{" + id + "}" }
func (s *Store) mentorshipRefKey(id string) string { return s.prefix + "mship:{" + id + "}" }

func (s *Store) indexKey(kind, value string) string {
	return s.prefix + "mentors:{idx}:" + kind + ":" + value
}
func (s *Store) fitKey(lang, kind, value string) string {
	return s.indexKey("lang", lang+":"+kind+":"+value)
}

// versionsKey is a hash with a field per index key counting the changes
// to that index, so a remembered ranking is known to be current by one
// HMGET of the versions of the indexes it was built from.
func (s *Store) versionsKey() string { return s.indexKey("versions", "all") }
func (s *Store) waitingKey() string  { return s.prefix + "mentors:{sweep}:waiting" }

func (s *Store) roundKey(id string) string        { return s.prefix + "mround:{" + id + "}" }
func (s *Store) roundMentorsKey(id string) string { return s.roundKey(id) + ":mentors" }
func (s *Store) roundMenteesKey(id string) string { return s.roundKey(id) + ":mentees" }
func (s *Store) groupRoundsKey(g string) string   { return s.prefix + "mgroup:{" + g + "}:rounds" }
func (s *Store) groupPairsKey(g string) string    { return s.prefix + "mgroup:{" + g + "}:pairs" }

// openMember names a mentee's open request in their open set.
func openMember(mentor, request string) string { return mentor + "/" + request }

// A mentorship's shared goals (a hash of goal ID to JSON, and the set of
// ticked goal IDs) and its notes (a list of JSON) live under the mentor's
// tag with the mentorship, so one script checks who may write and the
// limits.
func (s *Store) shipGoalsKey(mentor, id string) string { return s.mentorshipKey(mentor, id) + ":goals" }
func (s *Store) shipDoneKey(mentor, id string) string  { return s.mentorshipKey(mentor, id) + ":done" }
func (s *Store) shipNotesKey(mentor, id string) string { return s.mentorshipKey(mentor, id) + ":notes" }
func (s *Store) shipMeetingsKey(mentor, id string) string {
	return s.mentorshipKey(mentor, id) + ":meetings"
}
func (s *Store) shipCheckInsKey(mentor, id string) string {
	return s.mentorshipKey(mentor, id) + ":checkins"
}
func (s *Store) checkInsDueKey() string { return s.prefix + "mentors:{sweep}:checkins" }
