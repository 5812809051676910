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

func (r *Reminders) dueKey() string   { return r.prefix + "mail:{reminders}:due" }
func (r *Reminders) indexKey() string { return r.prefix + "mail:{reminders}:index" }
func (r *Reminders) itemKey() string  { return r.prefix + "mail:{reminders}:items" }

func (d *DevMailbox) listKey() string  { return d.prefix + "mail:{devmailbox}:list" }
func (d *DevMailbox) itemsKey() string { return d.prefix + "mail:{devmailbox}:msgs" }
