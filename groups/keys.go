package groups

// Every key of one group shares the hash tag {id}, so the Lua scripts that
// keep a group's invariants touch a single Redis Cluster slot. Per-user lists
// are tagged by the user, and every discovery index lives under the one tag
// {idx} so that set intersections across them run on one slot too.

func (s *Store) groupKey(id string) string { return s.prefix + "group:{" + id + "}" }

// membersKey is a group's member set (the second of groupKeys).
func (s *Store) membersKey(id string) string { return s.groupKey(id) + keySuffixes[1] }

// groupKeys lists, in the order every group script expects them, the keys
// one group owns: the record, members (zset user->arrival), co-organizers
// (set), bans (set), invitations (hash user->json), applications (hash
// user->json), pending requests (zset user->arrival), join times (hash
// user->ms) and the notices stream (see internal/notices). Arrival scores
// come from the group's "arrivals" counter (see scripts.go), so the zsets
// keep the exact order the scripts ran in.
func (s *Store) groupKeys(id string) []string {
	k := s.groupKey(id)
	out := make([]string, len(keySuffixes)+1)
	for i, suffix := range keySuffixes {
		out[i] = k + suffix
	}
	out[len(keySuffixes)] = s.noticesKey(id)
	return out
}

// keySuffixes name a group's keys after its hash key, in the order of the
// k constants below.
var keySuffixes = [...]string{"", ":members", ":organizers", ":bans", ":invites", ":applications", ":requests", ":joined"}

// key is the one key k (kGroup, kMembers, …) of group id, for the reads
// of a page, which need two or three of them and not the whole list.
func (s *Store) key(id string, k int) string {
	return s.prefix + "group:{" + id + "}" + keySuffixes[k] // one concatenation: one allocation
}

func (s *Store) noticesKey(id string) string { return s.groupKey(id) + ":notices" }

const (
	kGroup = iota
	kMembers
	kOrganizers
	kBans
	kInvites
	kApplications
	kRequests
	kJoined
)

// slugKey maps a slug to the ID of the group holding it; SET NX on it is
// what makes slugs unique.
func (s *Store) slugKey(slug string) string { return s.prefix + "group-slug:{" + slug + "}" }

// nextSessionsKey schedules the next-session sweep: groups by the start
// of the next session they record.
func (s *Store) nextSessionsKey() string { return s.prefix + "gnext:{sweep}" }

func (s *Store) userGroupsKey(uid string) string { return s.prefix + "guser:{" + uid + "}:groups" }

func (s *Store) userApplicationsKey(uid string) string {
	return s.prefix + "guser:{" + uid + "}:applications"
}

func (s *Store) userInvitesKey(uid string) string { return s.prefix + "guser:{" + uid + "}:invites" }

// idxBase is the prefix of every discovery index key.
func (s *Store) idxBase() string { return s.prefix + "gidx:{idx}:" }

func (s *Store) idxEntryKey(id string) string { return s.idxBase() + "entry:" + id }

// idxTermKey is the set of public groups carrying one term ("topic:go",
// "path:devops", "city:berlin", "online", "word:kubernetes"); the index
// script builds the same name from the base and the term.
func (s *Store) idxTermKey(term string) string { return s.idxBase() + "t:" + term }

func (s *Store) idxSortKey(sort Sort) string { return s.idxBase() + "sort:" + string(sort) }

func (s *Store) idxTopicsKey() string { return s.idxBase() + "topics" }

func (s *Store) idxTempKey(tag string) string { return s.idxBase() + "tmp:" + tag }

// idxVersionKey counts the changes to the discovery index: every change
// moves "all", and a change of a member count moves "members" alone (it
// reorders only the members sort). A search remembers its answer with the
// version it read (see Store.searches).
func (s *Store) idxVersionKey(which string) string { return s.idxBase() + "version:" + which }

// idxRecountKey is the set of groups whose member count the index has
// still to take, each scored by the time of the latest join (see
// Recount).
func (s *Store) idxRecountKey() string { return s.idxBase() + "recount" }
