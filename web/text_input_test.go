package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

func withValue(v url.Values, field, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	out.Set(field, value)
	return out
}

// Every text field refuses invalid UTF-8 and control characters with a
// 422 and a message next to the field; line breaks pass only in fields of
// several lines. Nothing of the refused input reaches Redis.
func TestBadTextIsRefusedInEveryForm(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	host := app.NewClient(t)
	host.DevSignIn("Tess Text", "tess@x.example")
	where := createGroup(t, host, groupForm("Text Testers"))

	const oneLine, notText, control = "must be one line without control characters", "contains bytes that are not text", "cannot contain control characters other than line breaks"
	cases := []struct {
		name, page, path string
		form             url.Values
		says             string
	}{
		{"group name with NUL", "/groups/new", "/groups", groupForm("Go\x00Berlin"), "The name " + oneLine},
		{"group name with invalid UTF-8", "/groups/new", "/groups", groupForm("Go Berlin\xff"), "The name " + notText},
		{"group name with a line break", "/groups/new", "/groups", groupForm("Go\nBerlin"), "The name " + oneLine},
		{"group description with ESC", "/groups/new", "/groups", groupForm("Escape Room", "description", "red \x1b[31m text"), "The description " + control},
		{"group city with a tab", "/groups/new", "/groups", groupForm("Tab City", "city", "Ber\tlin"), "The city " + oneLine},
		{"group question with NUL", "/groups/new", "/groups", groupForm("Ask Nul", "join_policy", "approval", "question", "Why\x00?"), "The question " + oneLine},
		{"session title T%00itle%FF", where + "/sessions/new", where + "/sessions", sessionForm("T\x00itle\xff", ""), "The title "},
		{"session title with CR LF", where + "/sessions/new", where + "/sessions", sessionForm("Two\r\nlines", ""), "The title " + oneLine},
		{"session description with a bell", where + "/sessions/new", where + "/sessions", withValue(sessionForm("Bell ringing", ""), "description", "ring\a"), "The description " + control},
		{"session description with a bare CR", where + "/sessions/new", where + "/sessions", withValue(sessionForm("Bare return", ""), "description", "one\rtwo"), "The description " + control},
		{"session venue with DEL", where + "/sessions/new", where + "/sessions", withValue(sessionForm("Deleted venue", ""), "venue", "Room\x7f 1"), "The venue " + oneLine},
		{"session link with invalid UTF-8", where + "/sessions/new", where + "/sessions", withValue(sessionForm("Odd link", ""), "online_url", "https://meet.example/\xff"), "The online link " + notText},
		{"proposal title with NUL", where + "/proposals", where + "/proposals", url.Values{"title": {"Fuzz\x00ing"}, "kind": {"learn"}}, "The title " + oneLine},
		{"proposal details with invalid UTF-8", where + "/proposals", where + "/proposals", url.Values{"title": {"Fuzzing"}, "kind": {"learn"}, "details": {"caf\xe9"}}, "The details " + notText},
		{"profile name with NUL", "/profile", "/profile", url.Values{"name": {"Tess\x00Text"}, "reminder_hours": {"24"}}, "The name " + oneLine},
		{"mentor bio with NUL", "/mentors/profile/mentor", "/mentors/profile/mentor", withValue(mentorFormValues(), "bio", "I\x00run teams."), "The bio " + control},
		{"mentee goals with invalid UTF-8", "/mentors/profile/mentee", "/mentors/profile/mentee", withValue(menteeFormValues(), "goals", "Move to platform work \xc3"), "The goals " + notText},
		{"invitation addresses with NUL", where + "/members", where + "/invite", url.Values{"emails": {"ann\x00@x.example"}}, "The list of addresses " + control},
		{"invitation addresses with invalid UTF-8", where + "/members", where + "/invite", url.Values{"emails": {"ann@x.example\n\xff@y.example"}}, "The list of addresses " + notText},
	}
	for _, c := range cases {
		r := host.PostForm(c.page, c.path, c.form)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, c.says) {
			t.Errorf("%s: %d, want 422 saying %q\n%s", c.name, r.StatusCode, c.says, r.Body)
		}
	}
	if r := host.Get("/groups?q=" + url.QueryEscape("go\x00")); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "The search "+oneLine) {
		t.Errorf("search with NUL: %d\n%s", r.StatusCode, r.Body)
	}

	// Line breaks are fine where the field has several lines.
	r := host.PostForm(where+"/sessions/new", where+"/sessions", withValue(sessionForm("Several lines", ""), "description", "One.\r\n\r\n\tTwo."))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a description of several lines: %d\n%s", r.StatusCode, r.Body)
	}

	// None of the refused text was stored anywhere (sessions, drafts,
	// flash messages included).
	needles := []string{"Go\x00Berlin", "Go Berlin\xff", "Go\nBerlin", "\x1b[31m", "Ber\tlin", "Why\x00", "T\x00itle",
		"Two\r\nlines", "ring\a", "one\rtwo", "Room\x7f", "meet.example/\xff", "Fuzz\x00ing", "caf\xe9", "Tess\x00Text",
		"I\x00run", "platform work \xc3", "ann\x00@",
		// as JSON would store them
		`\u0000`, `\u0007`, `\u001b`, "\ufffd", `\ufffd`}
	ctx := context.Background()
	iter := app.Redis.Scan(ctx, 0, app.Prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		var values []string
		switch app.Redis.Type(ctx, key).Val() {
		case "string":
			values = []string{app.Redis.Get(ctx, key).Val()}
		case "hash":
			for k, v := range app.Redis.HGetAll(ctx, key).Val() {
				values = append(values, k, v)
			}
		case "zset":
			values = app.Redis.ZRange(ctx, key, 0, -1).Val()
		case "set":
			values = app.Redis.SMembers(ctx, key).Val()
		case "list":
			values = app.Redis.LRange(ctx, key, 0, -1).Val()
		}
		for _, v := range values {
			for _, n := range needles {
				if strings.Contains(v, n) {
					t.Errorf("%s holds refused text %q", key, n)
				}
			}
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
}
