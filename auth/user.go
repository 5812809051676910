// Package auth owns people: user records, their linked sign-in identities,
// sign-in providers, sessions and the request's current user.
package auth

import (
	"strings"
	"time"
)

// User is a person who has signed in at least once.
type User struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	AvatarURL  string     `json:"avatar_url,omitempty"`
	Emails     []Email    `json:"emails,omitempty"`
	Identities []Identity `json:"identities"`
	TimeZone   string     `json:"tz,omitempty"`
	Mail       MailPrefs  `json:"mail"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`

	// HideFromAttendees keeps the user off the attendee lists other
	// members see; organizers still see them, and they still count.
	HideFromAttendees bool `json:"hide_from_attendees,omitempty"`
	// Guest marks someone an organizer invited by address who has not
	// signed in yet: no identity, one address (Emails[0], unverified),
	// reached only through the links mailed there. Their first sign-in
	// with a provider that verified that address makes the record theirs.
	Guest bool `json:"guest,omitempty"`
	// Suspended marks an account an instance admin suspended: its
	// sessions count as signed out and it cannot sign in again until
	// the suspension is lifted.
	Suspended bool `json:"suspended,omitempty"`
	// Handle is the address of the person's page, /u/<handle>.
	Handle string `json:"handle,omitempty"`
	// Bio and Website are what the person says about themselves there.
	Bio     string `json:"bio,omitempty"`
	Website string `json:"website,omitempty"`
	// PageMembersOnly limits the page to people who share a group.
	PageMembersOnly bool `json:"page_members_only,omitempty"`
}

// Email is an address a provider told us about, and whether it verified it.
type Email struct {
	Address  string `json:"address"`
	Verified bool   `json:"verified"`
}

// Identity links a user to an account at a sign-in provider.
type Identity struct {
	Provider string    `json:"provider"`
	Subject  string    `json:"subject"`
	Login    string    `json:"login,omitempty"`
	LinkedAt time.Time `json:"linked_at"`
}

// MailPrefs are the user's choices about which mail the product may send.
type MailPrefs struct {
	// Off stops every mail except sign-in and security notices.
	Off bool `json:"off,omitempty"`
	// NoInvites stops session announcements from groups.
	NoInvites bool `json:"no_invites,omitempty"`
	// NoReminders stops reminders before sessions the user is going to.
	NoReminders bool `json:"no_reminders,omitempty"`
	// ReminderHours lists how long before a session reminders go out.
	ReminderHours []int `json:"reminder_hours,omitempty"`
	// MutedGroups lists group IDs whose announcements the user does not want.
	MutedGroups []string `json:"muted_groups,omitempty"`
}

// DefaultReminderHours are used until a user picks their own.
var DefaultReminderHours = []int{24, 1}

// Reminders returns the hours before a session at which to remind the user.
func (p MailPrefs) Reminders() []int {
	if p.Off || p.NoReminders {
		return nil
	}
	if len(p.ReminderHours) == 0 {
		return DefaultReminderHours
	}
	return p.ReminderHours
}

// VerifiedEmails returns the user's verified addresses, lower-cased.
func (u *User) VerifiedEmails() []string {
	var out []string
	for _, e := range u.Emails {
		if e.Verified {
			out = append(out, strings.ToLower(e.Address))
		}
	}
	return out
}

// PrimaryEmail returns the address mail goes to: the first verified one,
// a guest's invited address, or "" when the user has none.
func (u *User) PrimaryEmail() string {
	if v := u.VerifiedEmails(); len(v) > 0 {
		return v[0]
	}
	if u.Guest && len(u.Emails) > 0 {
		return strings.ToLower(u.Emails[0].Address)
	}
	return ""
}

// Identity returns the user's identity at provider, if linked.
func (u *User) Identity(provider string) (Identity, bool) {
	for _, id := range u.Identities {
		if id.Provider == provider {
			return id, true
		}
	}
	return Identity{}, false
}
