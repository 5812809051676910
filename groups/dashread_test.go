package groups

import (
	"context"
	"slices"
	"testing"
	"time"
)

// GroupIDs names the groups someone belongs to, most recently joined
// first, before the groups themselves are read.
func TestUserListsGroupIDs(t *testing.T) {
	s, rdb, _ := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	s.Now = func() time.Time { at = at.Add(time.Minute); return at }
	owner, member := newUser(), newUser()
	first := mustCreate(t, s, owner, goodInput("first-ids"))
	second := mustCreate(t, s, owner, goodInput("second-ids"))
	mustCreate(t, s, owner, goodInput("not-joined-ids"))
	mustJoin(t, s, first.ID, member)
	mustJoin(t, s, second.ID, member)

	for _, tc := range []struct {
		user string
		want []string
	}{{member, []string{second.ID, first.ID}}, {newUser(), nil}} {
		p := rdb.Pipeline()
		l := s.QueueUserLists(ctx, p, tc.user)
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if got := l.GroupIDs(); !slices.Equal(got, tc.want) {
			t.Errorf("GroupIDs = %v, want %v", got, tc.want)
		}
	}
}
