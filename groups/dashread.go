package groups

// GroupIDs returns, once the list reads of QueueUserLists have run, the
// groups the person belongs to, most recently joined first, so a page can
// read what is in them (their sessions, their requests) in the same
// pipeline as the groups themselves.
func (l *UserLists) GroupIDs() []string {
	return zMembers(l.groups.Val())
}
