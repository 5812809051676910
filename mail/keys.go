package mail

// All outbox keys share the {outbox} hash tag so that the scripts which move
// a message between the stream, the retry set, the dead-letter list and its
// delivery state run on one Redis Cluster slot. Reminders and the dev
// mailbox have tags of their own.

const group = "mailers"

func (o *Outbox) streamKey() string         { return o.prefix + "mail:{outbox}:stream" }
func (o *Outbox) idemKey(key string) string { return o.prefix + "mail:{outbox}:idem:" + key }
func (o *Outbox) sentKey(key string) string { return o.prefix + "mail:{outbox}:sent:" + key }
func (o *Outbox) stateKey(id string) string { return o.prefix + "mail:{outbox}:msg:" + id }
func (o *Outbox) batchKey(id string) string { return o.prefix + "mail:{outbox}:batch:" + id }
func (o *Outbox) retryKey() string          { return o.prefix + "mail:{outbox}:retry" }
func (o *Outbox) deadKey() string           { return o.prefix + "mail:{outbox}:dead" }

// reminderSet names the keys of one set of reminders: a due set (score:
// due ms, or lease end while claimed), an index for prefix cancels
// (score 0, by key) and the items.
type reminderSet struct{ due, index, items string }

func (s reminderSet) keys() []string { return []string{s.due, s.index, s.items} }

// whole holds reminders stored with their mail; planned those written
// when they fall due (see Reminder). Apart, so that a process that
// predates planned reminders never claims one.
func (r *Reminders) whole() reminderSet {
	return reminderSet{r.prefix + "mail:{reminders}:due", r.prefix + "mail:{reminders}:index", r.prefix + "mail:{reminders}:items"}
}

func (r *Reminders) planned() reminderSet {
	return reminderSet{r.prefix + "mail:{reminders}:planned:due", r.prefix + "mail:{reminders}:planned:index",
		r.prefix + "mail:{reminders}:planned:items"}
}

// both are the keys of the two sets, the one new reminders go to first.
func (r *Reminders) both(planned bool) []string {
	if planned {
		return append(r.planned().keys(), r.whole().keys()...)
	}
	return append(r.whole().keys(), r.planned().keys()...)
}

func (d *DevMailbox) listKey() string  { return d.prefix + "mail:{devmailbox}:list" }
func (d *DevMailbox) itemsKey() string { return d.prefix + "mail:{devmailbox}:msgs" }
