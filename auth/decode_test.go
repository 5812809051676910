package auth

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// A stored user decodes to what was stored: encoded again, it gives the
// same bytes, which is how update tells an edit that changed nothing.
func TestDecodedUserEncodesToTheSameBytes(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	u := User{
		ID: "u1", Name: "Ada \"the\" Lovelace <ada>", AvatarURL: "https://example.com/a.png?x=1&y=2",
		Emails:     []Email{{Address: "ada@example.com", Verified: true}, {Address: "ä@example.com"}},
		Identities: []Identity{{Provider: "github", Subject: "42", Login: "ada", LinkedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}},
		TimeZone:   "Europe/Berlin", Mail: MailPrefs{NoInvites: true, ReminderHours: []int{24, 1}},
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 123456789, berlin), UpdatedAt: time.Date(2026, 12, 7, 1, 2, 3, 0, time.UTC),
		HideFromAttendees: true, Handle: "ada", Bio: "Line one\nline two 🚀", Website: "https://ada.example.com", PageMembersOnly: true,
	}
	raw, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeUser(raw)
	if err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, again) {
		t.Fatalf("decoded and encoded again:\n%s\nwant\n%s", again, raw)
	}
	if _, err := decodeUser([]byte(`{"id": 1}`)); err == nil {
		t.Fatal("a user whose id is a number decoded")
	}
}
