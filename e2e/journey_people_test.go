package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/focusgroups/focusgroups/internal/apptest"
)

// An organizer hosts a group through the form the way a newcomer would:
// an empty form says what is missing in one summary, the description is
// previewed without saving, the address comes from the name, topics in use
// are offered; then she uploads a cover on the edit page and sees it on
// the group page.
func TestOrganizerHostsAGroupWithPreviewAndCover(t *testing.T) {
	w := newWorld(t)
	hostGroupOverHTTP(t, w.memberOverHTTP(t, "Earlier Host", "earlier@example.com"), "Platform Guild", "kubernetes, platform-engineering", "#0f766e")
	olga := newPerson(t)
	w.signInWithGitHub(olga, apptest.GitHubUser{ID: 5151, Login: "olga-builds", Name: "Olga Organizer",
		Emails: []apptest.GitHubEmail{{Email: "olga@example.com", Primary: true, Verified: true}}})

	olga.open(w.app.URL + "/groups/new")
	olga.see("In use: ", "platform-engineering")
	olga.click(`form[action="/groups"] button[type=submit]:not([name])`)
	olga.see("Nothing was saved. Please fix the fields marked below:")
	if !eval[bool](olga, "find the name's error", `document.querySelector(".error-summary a[href='#name']") !== null && document.querySelector("#name-error") !== null`) {
		t.Error("the summary does not link to the missing name")
	}
	if eval[bool](olga, "look for an address error", `document.querySelector("#slug-error") !== null`) {
		t.Error("an empty form still complains about the address")
	}
	olga.checkA11y("group form with errors")
	olga.fill(map[string]string{
		"#name":        "Rust in Production",
		"#description": "We ship **Rust** services and compare notes.",
		"#topics":      "rust, platform-engineering",
	})
	olga.click(`button[name=preview]`)
	if got := eval[string](olga, "read the preview", `document.querySelector(".preview strong") ? document.querySelector(".preview strong").textContent : ""`); got != "Rust" {
		t.Fatalf("the preview does not render the Markdown: %q", got)
	}
	olga.screenshot("group-form-preview")
	if olga.value("#name") != "Rust in Production" {
		t.Fatalf("the preview lost the form: name is %q", olga.value("#name"))
	}
	if n := w.groupCount(t, "olga@example.com"); n != 0 {
		t.Fatalf("the preview saved a group: Olga is in %d", n)
	}
	olga.click(`form[action="/groups"] button[type=submit]:not([name])`)
	olga.see("Your group is live", "Rust in Production")
	if !strings.HasSuffix(olga.location(), "/g/rust-in-production") {
		t.Fatalf("the address did not come from the name: %s", olga.location())
	}

	file := filepath.Join(t.TempDir(), "cover.png")
	if err := os.WriteFile(file, gradientPNG(t, 1800, 600), 0o600); err != nil {
		t.Fatal(err)
	}
	olga.open(w.app.URL + "/g/rust-in-production/edit")
	olga.do("choose the cover file", chromedp.SetUploadFiles(chromedp.CSS(`#cover_file`), []string{file}))
	olga.click(`form[action$="/cover"] button[type=submit]`)
	// The upload lands on the group page with a notice; wait for that page
	// and its cover image rather than for a load event, which may be the
	// edit page's own.
	olga.waitFor("the group page after the upload", `location.pathname === "/g/rust-in-production" && document.readyState === "complete" &&
		document.body.innerText.includes("New cover uploaded.")`)
	olga.waitFor("the cover to load", `(() => { const i = document.querySelector(".group-cover img"); return !!i && i.complete; })()`)
	src := olga.attr(".group-cover img", "src")
	if !strings.HasPrefix(src, "/covers/") {
		t.Fatalf("the group page shows no uploaded cover: %q", src)
	}
	loaded := eval[float64](olga, "the cover's width", `document.querySelector(".group-cover img").naturalWidth`)
	if loaded != 1200 {
		t.Errorf("the cover is %.0f px wide, want it scaled to 1200", loaded)
	}
	olga.screenshot("group-cover")
	olga.fitsPhone(w.app.URL, "/g/rust-in-production/edit")
	olga.fitsPhone(w.app.URL, "/groups/new")
}

// A member reaches a fellow member's page from the members list; what she
// wrote about herself shows, and once she limits her page to people in
// her groups, someone outside them finds nothing there.
func TestMembersFindEachOthersPages(t *testing.T) {
	w := newWorld(t)
	host := w.memberOverHTTP(t, "Hana Host", "hana@example.com")
	path := hostGroupOverHTTP(t, host, "Staff Engineers Circle", "leadership", "#7c3aed")
	lea, sam := newPerson(t), newPerson(t)
	w.devSignIn(lea, "Lea Learner", "lea@example.com")
	w.devSignIn(sam, "Sam Stranger", "sam@example.com")
	lea.open(w.app.URL + path)
	lea.click(`form[action$="/join"] button[type=submit]`)

	lea.open(w.app.URL + "/profile")
	lea.fill(map[string]string{"#handle": "lea-learns", "#bio": "Backend developer moving towards staff engineering.",
		"#website": "https://lea.example"})
	lea.click(`form[action="/profile/page"] button[type=submit]`)
	lea.see("Your page is saved")

	hana := newPerson(t)
	w.devSignIn(hana, "Hana Host", "hana@example.com")
	hana.open(w.app.URL + path + "/members")
	hana.click(`a[href="/u/lea-learns"]`)
	hana.see("Lea Learner", "Backend developer moving towards staff engineering.", "lea.example", "Staff Engineers Circle", "Report Lea Learner")
	hana.checkA11y("a person's page")
	hana.screenshot("person-page")
	hana.fitsPhone(w.app.URL, "/u/lea-learns")

	lea.open(w.app.URL + "/profile")
	lea.do("limit the page", chromedp.Evaluate[chromedp.Void](`document.querySelector("input[name=members_only]").checked = true`))
	lea.click(`form[action="/profile/page"] button[type=submit]`)
	hana.open(w.app.URL + "/u/lea-learns")
	hana.see("Backend developer moving towards staff engineering.")
	sam.open(w.app.URL + "/u/lea-learns")
	if body := sam.text(); strings.Contains(body, "Lea Learner") || strings.Contains(body, "Backend developer") {
		t.Errorf("someone outside her groups still sees her page:\n%s", truncate(body, 500))
	}
}

// gradientPNG is an opaque w × h picture, as a photo would be.
func gradientPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{R: uint8(x / 8), G: uint8(y / 3), B: 160, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
