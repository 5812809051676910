package mail

import (
	"strings"
	"testing"
)

func TestEveryTemplateRendersWithItsRequiredData(t *testing.T) {
	t.Parallel()
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	for name, keys := range required {
		t.Run(name, func(t *testing.T) {
			data := map[string]any{}
			for _, k := range keys {
				data[k] = "<b>" + k + "</b> & https://fg.test/" + k
			}
			m := Message{Kind: KindGeneric, Template: name, To: "a@example.com", ToName: "Ada", Data: data, UnsubscribeURL: "https://fg.test/unsub/TOKEN"}
			if _, err := m.validate(); err != nil {
				t.Fatalf("validate: %v", err)
			}
			subject, text, html, err := r.Render(m)
			if err != nil {
				t.Fatal(err)
			}
			if subject == "" || strings.ContainsAny(subject, "\r\n") {
				t.Errorf("subject = %q", subject)
			}
			for part, body := range map[string]string{"text": text, "html": html} {
				if !strings.Contains(body, "https://fg.test/unsub/TOKEN") {
					t.Errorf("%s part has no unsubscribe link", part)
				}
				if strings.Contains(body, "<no value>") || strings.Contains(body, "ZgotmplZ") {
					t.Errorf("%s part shows missing or unsafe data:\n%s", part, body)
				}
				if !strings.Contains(body, "Ada") {
					t.Errorf("%s part does not greet the recipient", part)
				}
			}
			if strings.Contains(html, "<b>") || !strings.Contains(html, "&lt;b&gt;") {
				t.Errorf("html part does not escape data")
			}
			if !strings.Contains(text, "<b>"+keys[len(keys)-1]+"</b>") {
				t.Errorf("text part mangles data")
			}
		})
	}
}

// An invitation's HTML shows the session's description as its page does:
// Markdown rendered and sanitised, without images (a remote one would
// track who opened the mail) or links that lead nowhere from a mailbox;
// the text part keeps the words as typed.
func TestAnInvitationRendersItsDescription(t *testing.T) {
	t.Parallel()
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"Description": "Bring your **async** code.\n\n<script>alert(1)</script>\n\n![pixel](https://tracker.example/p.gif) " +
		"[the slides](https://slides.example/async) and [our page](/g/rust)"}
	for _, k := range required["invite"] {
		data[k] = k
	}
	m := Message{Kind: KindGeneric, Template: "invite", To: "a@example.com", Data: data, UnsubscribeURL: "https://fg.test/unsub/TOKEN"}
	_, text, html, err := r.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, "<strong>async</strong>") || strings.Contains(html, "**async**") || strings.Contains(html, "<script>") ||
		strings.Contains(html, "tracker.example") || !strings.Contains(html, `href="https://slides.example/async"`) ||
		strings.Contains(html, `href="/g/rust"`) || !strings.Contains(html, "our page") {
		t.Errorf("the HTML part's description:\n%s", html)
	}
	if !strings.Contains(text, "Bring your **async** code.") {
		t.Errorf("the text part's description:\n%s", text)
	}
}
