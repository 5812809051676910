package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/focusgroups/focusgroups/groups"
	"github.com/focusgroups/focusgroups/internal/apptest"
)

// TestRiskyMemberActionsAskFirst: making someone the owner, removing and
// banning them happen only after a confirm step, which works without
// JavaScript and only for those allowed to act.
func TestRiskyMemberActionsAskFirst(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	owner := sesSignIn(t, app, "Owner Olga", "")
	g := sesGroup(t, app, owner, "confirm-guild", nil)
	coorg := sesSignIn(t, app, "Cora Coorganizer", "")
	member := sesSignIn(t, app, "Mo Member", "")
	outsider := sesSignIn(t, app, "Otto Outsider", "")
	for _, p := range []sesPerson{coorg, member} {
		sesJoin(t, app, g, p)
	}
	where := "/g/" + g.Slug
	members := where + "/members"
	owner.PostForm(members, members+"/"+coorg.User.ID+"/promote", nil)
	role := func(uid string) groups.Role {
		t.Helper()
		r, err := app.Groups.Role(context.Background(), g.ID, uid)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	page := owner.Get(members)
	sesContains(t, "members page", page.Body, "Manage", `data-confirm="Make Mo Member the owner`, `data-confirm-button="Yes, ban Mo Member"`, "Ban…")

	for _, tc := range []struct{ action, question, button string }{
		{"transfer", "Make Mo Member the owner of", "Yes, make Mo Member the owner"},
		{"remove", "Remove Mo Member from", "Yes, remove Mo Member"},
		{"ban", "Ban Mo Member from", "Yes, ban Mo Member"},
	} {
		action := members + "/" + member.User.ID + "/" + tc.action
		confirm := action + "/confirm"
		// A post without the confirmation changes nothing and leads to the confirm page.
		r := owner.PostForm(members, action, nil)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != confirm {
			t.Fatalf("%s without confirmation: %d to %q, want 303 to %s", tc.action, r.StatusCode, r.Header.Get("Location"), confirm)
		}
		if got := role(member.User.ID); got != groups.RoleMember {
			t.Fatalf("%s without confirmation changed the role to %q", tc.action, got)
		}
		r = owner.Follow(r)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("confirm page of %s: %d", tc.action, r.StatusCode)
		}
		sesContains(t, tc.action+" confirm page", r.Body, tc.question, tc.button, `action="`+action+`"`, `name="confirmed" value="yes"`, `name="_csrf"`, `href="`+members+`"`)
		// Those who may not act see no confirm page.
		for name, c := range map[string]*apptest.Client{"member": member.Client, "outsider": outsider.Client} {
			if r := c.Get(confirm); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s confirm page as %s: %d, want 403", tc.action, name, r.StatusCode)
			}
			if r := c.PostForm("/profile", action, url.Values{"confirmed": {"yes"}}); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s as %s: %d, want 403", tc.action, name, r.StatusCode)
			}
		}
		// A forged token changes nothing.
		if r := owner.Post(action, url.Values{"confirmed": {"yes"}, "_csrf": {"forged"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s with a forged token: %d, want 403", tc.action, r.StatusCode)
		}
		if got := role(member.User.ID); got != groups.RoleMember {
			t.Fatalf("%s by the wrong people changed the role to %q", tc.action, got)
		}
	}
	if r := coorg.Get(members + "/" + member.User.ID + "/transfer/confirm"); r.StatusCode != http.StatusForbidden {
		t.Errorf("transfer confirm page as co-organizer: %d, want 403", r.StatusCode)
	}
	if r := owner.Get(members + "/" + member.User.ID + "/promote/confirm"); r.StatusCode != http.StatusNotFound {
		t.Errorf("confirm page of an action that needs none: %d, want 404", r.StatusCode)
	}
	if r := owner.Get(members + "/" + outsider.User.ID + "/ban/confirm"); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "not a member") {
		t.Errorf("confirm page for a non-member: %d", r.StatusCode)
	}

	// Ban, confirmed: listed for organizers only, lifted only by them.
	r := owner.Follow(owner.PostForm(members+"/"+member.User.ID+"/ban/confirm", members+"/"+member.User.ID+"/ban", url.Values{"confirmed": {"yes"}}))
	sesContains(t, "after the ban", r.Body, "Banned: they cannot rejoin", `id="banned-h"`, "Lift ban")
	if got := role(member.User.ID); got != groups.RoleNone {
		t.Fatalf("banned member still has role %q", got)
	}
	if r := coorg.Get(members); !strings.Contains(r.Body, "Lift ban") {
		t.Error("a co-organizer does not see the bans")
	}
	unban := members + "/" + member.User.ID + "/unban"
	if r := outsider.PostForm("/profile", unban, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("unban as outsider: %d, want 403", r.StatusCode)
	}
	if r := owner.Post(unban, url.Values{"_csrf": {"forged"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("unban with a forged token: %d, want 403", r.StatusCode)
	}
	sesContains(t, "lifting the ban", owner.Follow(owner.PostForm(members, unban, nil)).Body, "Ban lifted")

	// Make owner, confirmed: the group changes hands.
	sesJoin(t, app, g, member)
	owner.PostForm(members+"/"+member.User.ID+"/transfer/confirm", members+"/"+member.User.ID+"/transfer", url.Values{"confirmed": {"yes"}})
	if role(member.User.ID) != groups.RoleOwner || role(owner.User.ID) != groups.RoleOrganizer {
		t.Fatalf("transfer: new owner %q, old owner %q", role(member.User.ID), role(owner.User.ID))
	}
	if r := member.Get(members); !strings.Contains(r.Body, `data-confirm="Make Owner Olga`) {
		t.Error("the new owner is not offered to hand the group on")
	}
}

// TestDeletingAGroupAsksForItsAddress: the delete confirm page is the
// owner's only, and a post without the typed address goes back to it.
func TestDeletingAGroupAsksForItsAddress(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t, apptest.Options{})
	owner := sesSignIn(t, app, "Owner Olga", "")
	g := sesGroup(t, app, owner, "delete-me", nil)
	coorg := sesSignIn(t, app, "Cora Coorganizer", "")
	sesJoin(t, app, g, coorg)
	where := "/g/" + g.Slug
	owner.PostForm(where+"/members", where+"/members/"+coorg.User.ID+"/promote", nil)
	confirm := where + "/delete/confirm"
	sesContains(t, "edit page", owner.Get(where+"/edit").Body, `href="`+confirm+`"`)
	if r := coorg.Get(confirm); r.StatusCode != http.StatusForbidden {
		t.Errorf("delete confirm page as co-organizer: %d, want 403", r.StatusCode)
	}
	page := owner.Get(confirm)
	sesContains(t, "delete confirm page", page.Body, "Delete "+g.Name+"?", "Type <strong>"+g.Slug+"</strong> to confirm", `action="`+where+`/delete"`, "This cannot be undone.")
	r := owner.PostForm(confirm, where+"/delete", url.Values{"confirm": {"nope"}})
	if r.Header.Get("Location") != confirm {
		t.Fatalf("wrong address: redirect to %q, want %s", r.Header.Get("Location"), confirm)
	}
	sesContains(t, "after a wrong address", owner.Follow(r).Body, "to confirm deleting it")
	if _, err := app.Groups.GetBySlug(context.Background(), g.Slug); err != nil {
		t.Fatalf("group gone after a wrong address: %v", err)
	}
	sesContains(t, "after deleting", owner.Follow(owner.PostForm(confirm, where+"/delete", url.Values{"confirm": {g.Slug}})).Body, "was deleted")
}
