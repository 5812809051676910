package web

// CachedKeyFamilies are the key families (after the app's prefix) whose
// reads an instance keeps in memory while Redis tracks them for it
// (internal/nearcache): what pages show of sessions, groups, people,
// mentoring, skills and moderation, an announcement's delivery counts
// (which move with each of its mails), and the visitors' sessions
// ("sess:"), which change only when something is to remember (a day at
// most between writes) and carry their own expiry, which auth checks.
// Left out are what changes with nearly every request or belongs to one
// request alone: rate limits, one-time claims, tokens, the rest of the
// outbox and the queues.
// None may be a prefix of another (Redis refuses overlapping prefixes).
var CachedKeyFamilies = []string{
	"sess:", "mail:{outbox}:batch:", "event:", "ev:listed", "gev:", "uev:", "series:", "proposals:",
	"group:", "group-slug:", "gidx:", "guser:", "user:", "handle:", "ufeed:",
	"mentor:", "mentee:", "mentors:{idx}:", "mship:", "mgroup:", "mreq:", "mround:",
	"smap:", "uskills:", "coc:", "mod:", "block:", "blockedby:",
}

// UnkeptNilFamilies are the families among them whose missing keys are
// not remembered: the session ID and the user a cookie names, which
// anyone may set to anything.
var UnkeptNilFamilies = []string{"sess:", "user:"}
