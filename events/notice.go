package events

// NoticeKind names a domain event that people must be told about by mail.
type NoticeKind string

// The notices the events package emits.
const (
	NoticePromoted  NoticeKind = "promoted"  // moved from the waitlist to a seat
	NoticeChanged   NoticeKind = "changed"   // time or place changed (going and waitlisted)
	NoticeCancelled NoticeKind = "cancelled" // session cancelled (everyone who had a place or a request)
	NoticeRemoved   NoticeKind = "removed"   // an organizer removed the person
)

// Notice is one thing to tell UserIDs about Event. It is the single place
// where the mail outbox hooks in (Store.Notify).
type Notice struct {
	Kind    NoticeKind
	Event   Event
	UserIDs []string
	// Previous is the session before a change (NoticeChanged only), so the
	// mail can say what changed.
	Previous *Event
}
