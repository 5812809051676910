//go:build faults

package faultcheck

import (
	"errors"
	"net/http"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
)

// The harness's own parts, checked quickly (run them with
// go test -tags faults -run 'TestSink|TestClassify|TestFormFields').

func TestSinkRefusesWith421ThenRecords(t *testing.T) {
	s := startSink(t)
	send := func(to, subject string) error {
		return smtp.SendMail(s.addr, nil, "noreply@faults.test", []string{to},
			[]byte("From: noreply@faults.test\r\nTo: "+to+"\r\nSubject: "+subject+"\r\n\r\nHello.\r\n"))
	}
	s.refuse(true)
	err := send("a@faults.test", "Invitation: one")
	var tp *textproto.Error
	if !errors.As(err, &tp) || tp.Code != 421 {
		t.Fatalf("while refusing: %v, want a 421 reply", err)
	}
	if s.refused.Load() != 1 || len(s.mailsWith("")) != 0 {
		t.Fatalf("while refusing: %d refusals, %d mails; want 1 and 0", s.refused.Load(), len(s.mailsWith("")))
	}
	s.refuse(false)
	for _, m := range []struct{ to, subject string }{
		{"A@faults.test", "Invitation: one"}, {"a@faults.test", "Invitation: one"},
		{"b@faults.test", "=?utf-8?q?You_have_a_seat:_caf=C3=A9?="}, {"b@faults.test", "Something else"},
	} {
		if err := send(m.to, m.subject); err != nil {
			t.Fatalf("send to %s: %v", m.to, err)
		}
	}
	if got := s.received("Invitation: "); len(got) != 1 || got["a@faults.test"] != 2 {
		t.Errorf("invitations by recipient = %v, want a@faults.test twice (addresses compared without case)", got)
	}
	if got := s.mailsWith("You have a seat"); len(got) != 1 || got[0].Subject != "You have a seat: café" {
		t.Errorf("seat mails = %v, want one with the decoded subject", got)
	}
}

func TestClassify(t *testing.T) {
	header := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	for _, c := range []struct {
		rep  reply
		want string
		ok   bool
	}{
		{reply{Status: 200}, "2xx", true},
		{reply{Status: 303, Header: header("Location", "/s/abc")}, "3xx", true},
		{reply{Status: 303, Header: header("Location", "/signin?next=%2Fprofile")}, "3xx to /signin", false},
		{reply{Status: 503, Header: header("Retry-After", "5")}, "503+Retry-After", true},
		{reply{Status: 503, Header: header()}, "503 without Retry-After", false},
		{reply{Status: 403}, "403", false},
		{reply{Status: 401}, "401", false},
		{reply{Status: 500}, "500", false},
		{reply{Err: errSignedOut}, "page signed out", false},
		{reply{Err: errors.New("connection refused")}, "transport error", false},
	} {
		got := classify(c.rep)
		if got != c.want || acceptable(got) != c.ok {
			t.Errorf("classify(%d %v) = %q (acceptable %v), want %q (%v)", c.rep.Status, c.rep.Err, got, acceptable(got), c.want, c.ok)
		}
	}
}

func TestFormFields(t *testing.T) {
	page := `<form method="post" action="/signout"><input type="hidden" name="_csrf" value="a&#43;b"><input type="hidden" name="_once" value="o1"></form>`
	form, ok := formFields(page)
	if !ok || form.Get("_csrf") != "a+b" || form.Get("_once") != "o1" {
		t.Errorf("formFields = %v %v, want the unescaped token and the one-time value", form, ok)
	}
	if _, ok := formFields("<p>no form</p>"); ok {
		t.Error("formFields found a token on a page without a form")
	}
	if got := text(`Announcement: 0 of 40 sent, <strong>40 failed</strong>
	 after retries.`); got != "Announcement: 0 of 40 sent, 40 failed after retries." {
		t.Errorf("text = %q", got)
	}
	for flash, want := range map[string]int{
		"40 invitations are on their way.":                           40,
		"The session is scheduled. 1 invitation is on its way.":      1,
		"No invitation was needed: every other member has answered.": 0,
		"Nobody new to invite.":                                      0,
	} {
		if got := claimedInvitations(flash); got != want {
			t.Errorf("claimedInvitations(%q) = %d, want %d", flash, got, want)
		}
	}
	if got := flashText(`<div class="flash ok" role="status">40 invitations are on their way.</div>`); !strings.HasPrefix(got, "40 invitations") {
		t.Errorf("flashText = %q", got)
	}
}
