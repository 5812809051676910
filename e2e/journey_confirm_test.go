package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/focusgroups/focusgroups/groups"
)

// hostInBrowser has p, signed in, create an open group named name and
// returns its path.
func hostInBrowser(p *person, name, slug string) string {
	p.t.Helper()
	p.open(p.baseURL() + "/groups/new")
	p.fill(map[string]string{"#name": name, "#topics": "go", "#description": "We learn together."})
	p.click(`form[action="/groups"] button[type=submit]`)
	p.see("Your group is live")
	return "/g/" + slug
}

// baseURL is the scheme and host of p's current page.
func (p *person) baseURL() string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`location.origin`))
	if err != nil {
		p.fail("read origin", err)
	}
	return s
}

// roleIn is the role of the person with email in the group at slug.
func (w *world) roleIn(t *testing.T, slug, email string) groups.Role {
	t.Helper()
	g, err := w.app.Groups.GetBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.app.Groups.Role(context.Background(), g.ID, w.userID(t, email))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestOrganizerConfirmsHandingTheGroupOver(t *testing.T) {
	w := newWorld(t)
	olga := newPerson(t)
	w.devSignIn(olga, "Olga Owner", "olga@example.com")
	where := hostInBrowser(olga, "Confirm Club", "confirm-club")
	mo := w.memberOverHTTP(t, "Mo Member", "mo@example.com")
	joinOverHTTP(t, mo, where)
	mid := w.userID(t, mo.Email)
	transfer := `form[action="` + where + `/members/` + mid + `/transfer"]`

	olga.open(w.app.URL + where + "/members")
	olga.do("open Manage", chromedp.Click(`details.manage > summary`), chromedp.WaitVisible(transfer+` button`))
	olga.checkA11y("members page, Manage open")
	olga.do("press Make owner", chromedp.Click(transfer+` button`), chromedp.WaitVisible(`dialog.confirm-dialog[open]`))
	olga.checkA11y("the confirm dialog")
	q, err := chromedp.Run(olga.ctx, chromedp.Evaluate[string](`document.querySelector("dialog.confirm-dialog[open]").innerText`))
	if err != nil || !strings.Contains(q, "Make Mo Member the owner of Confirm Club?") || !strings.Contains(q, "Yes, make Mo Member the owner") {
		t.Fatalf("the dialog asks %q (%v)", q, err)
	}
	olga.do("change her mind", chromedp.Click(`dialog.confirm-dialog button[value=no]`), chromedp.WaitNotPresent(`dialog.confirm-dialog[open]`))
	if r := w.roleIn(t, "confirm-club", mo.Email); r != groups.RoleMember {
		t.Fatalf("Mo is %q after Olga kept things as they were", r)
	}
	olga.do("press Make owner again", chromedp.Click(transfer+` button`), chromedp.WaitVisible(`dialog.confirm-dialog[open]`))
	olga.click(`dialog.confirm-dialog button[value=yes]`)
	olga.see("Ownership transferred")
	if r := w.roleIn(t, "confirm-club", mo.Email); r != groups.RoleOwner {
		t.Fatalf("Mo is %q after Olga confirmed", r)
	}
}

func TestOrganizerConfirmsABanWithoutJavaScript(t *testing.T) {
	w := newWorld(t)
	olga := newPerson(t)
	olga.withoutJavaScript()
	w.devSignIn(olga, "Olga Owner", "olga@example.com")
	where := hostInBrowser(olga, "Plain Club", "plain-club")
	mo := w.memberOverHTTP(t, "Mo Member", "mo@example.com")
	joinOverHTTP(t, mo, where)
	ban := `form[action="` + where + `/members/` + w.userID(t, mo.Email) + `/ban"]`

	olga.open(w.app.URL + where + "/members")
	olga.do("open Manage", chromedp.Click(`details.manage > summary`), chromedp.WaitVisible(ban+` button`))
	olga.click(ban + ` button`)
	olga.see("Ban Mo Member from Plain Club?", "cannot join or apply again")
	olga.click(`a.button.secondary[href="` + where + `/members"]`)
	if r := w.roleIn(t, "plain-club", mo.Email); r != groups.RoleMember {
		t.Fatalf("Mo is %q after Olga went back", r)
	}
	olga.do("open Manage", chromedp.Click(`details.manage > summary`), chromedp.WaitVisible(ban+` button`))
	olga.click(ban + ` button`)
	olga.click(`form.confirm-form button.danger`)
	olga.see("Banned: they cannot rejoin", "Lift ban")
	if r := w.roleIn(t, "plain-club", mo.Email); r != groups.RoleNone {
		t.Fatalf("Mo is %q after the ban", r)
	}
}
