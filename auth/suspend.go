package auth

import "context"

// SetSuspended suspends the account id (on) or lifts its suspension. A
// suspended account's sessions count as signed out from their next
// request on, on every instance (the session's user is read with it).
func (s *Store) SetSuspended(ctx context.Context, id string, on bool) (*User, error) {
	return s.update(ctx, id, func(u *User) error {
		u.Suspended = on
		return nil
	})
}
