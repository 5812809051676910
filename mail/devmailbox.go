package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// DevMailbox is the sender used in development (no SMTP_URL): it keeps the
// newest rendered mails in Redis for the /dev/mailbox page instead of
// sending them.
type DevMailbox struct {
	rdb    redis.UniversalClient
	prefix string
	cap    int
}

// NewDevMailbox returns a mailbox that keeps the newest keep mails
// (default 500).
func NewDevMailbox(rdb redis.UniversalClient, prefix string, keep int) *DevMailbox {
	if keep <= 0 {
		keep = 500
	}
	return &DevMailbox{rdb: rdb, prefix: prefix, cap: keep}
}

// StoredMail is one mail as the dev mailbox shows it.
type StoredMail struct {
	ID          string              `json:"id"`
	Kind        Kind                `json:"kind"`
	From        string              `json:"from"`
	To          string              `json:"to"`
	Subject     string              `json:"subject"`
	Headers     map[string][]string `json:"headers"`
	Text        string              `json:"text"`
	HTML        string              `json:"html"`
	Attachments []StoredAttachment  `json:"attachments,omitempty"`
	Raw         string              `json:"raw"`
	At          time.Time           `json:"at"`
}

// StoredAttachment is a non-body MIME part of a stored mail.
type StoredAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Content     []byte `json:"content"`
}

// Open returns a session that stores mails in the mailbox.
func (d *DevMailbox) Open() Session { return devSession{d} }

type devSession struct{ d *DevMailbox }

func (s devSession) Close() error { return nil }

// Send stores m; the headers and attachments shown are parsed back from
// the MIME bytes, so the page shows what a real server would receive.
func (s devSession) Send(ctx context.Context, m *Rendered) error {
	sm, err := storedFromRaw(m)
	if err != nil {
		return Permanent(err)
	}
	b, err := json.Marshal(sm)
	if err != nil {
		return Permanent(err)
	}
	d := s.d
	err = storeMailboxScript.Run(ctx, d.rdb, []string{d.listKey(), d.itemsKey()}, m.ID, b, d.cap).Err()
	if err != nil {
		return fmt.Errorf("mail: dev mailbox store: %w", err)
	}
	return nil
}

func storedFromRaw(m *Rendered) (StoredMail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return StoredMail{}, fmt.Errorf("mail: dev mailbox: parse MIME: %w", err)
	}
	sm := StoredMail{
		ID: m.ID, Kind: m.Kind, From: msg.Header.Get("From"), To: m.To, Subject: m.Subject,
		Headers: msg.Header, Text: m.Text, HTML: m.HTML, Raw: string(m.Raw), At: m.Rendered,
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return sm, nil
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return StoredMail{}, fmt.Errorf("mail: dev mailbox: parse parts: %w", err)
		}
		ct := p.Header.Get("Content-Type")
		mt, _, _ := mime.ParseMediaType(ct)
		if strings.HasPrefix(mt, "multipart/") || (p.FileName() == "" && (mt == "text/plain" || mt == "text/html")) {
			continue // the bodies, already kept as Text and HTML
		}
		body, err := io.ReadAll(p) // multipart decodes quoted-printable, not base64
		if err != nil {
			return StoredMail{}, fmt.Errorf("mail: dev mailbox: read part: %w", err)
		}
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			body, err = decodeBase64Lines(body)
			if err != nil {
				return StoredMail{}, fmt.Errorf("mail: dev mailbox: decode part: %w", err)
			}
		}
		sm.Attachments = append(sm.Attachments, StoredAttachment{Filename: p.FileName(), ContentType: ct, Content: body})
	}
	return sm, nil
}

// List returns up to limit mails, newest first (bodies and raw MIME
// included; the mailbox is capped, so this stays small).
func (d *DevMailbox) List(ctx context.Context, limit int) ([]StoredMail, error) {
	if limit <= 0 {
		return nil, nil
	}
	idsList, err := d.rdb.LRange(ctx, d.listKey(), 0, int64(limit-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("mail: dev mailbox list: %w", err)
	}
	if len(idsList) == 0 {
		return nil, nil
	}
	vals, err := d.rdb.HMGet(ctx, d.itemsKey(), idsList...).Result()
	if err != nil {
		return nil, fmt.Errorf("mail: dev mailbox list: %w", err)
	}
	out := make([]StoredMail, 0, len(vals))
	for _, v := range vals {
		s, ok := v.(string)
		if !ok {
			continue // trimmed between the two reads
		}
		var sm StoredMail
		if err := json.Unmarshal([]byte(s), &sm); err == nil {
			out = append(out, sm)
		}
	}
	return out, nil
}

// Get returns one stored mail by its ID.
func (d *DevMailbox) Get(ctx context.Context, id string) (StoredMail, error) {
	s, err := d.rdb.HGet(ctx, d.itemsKey(), id).Result()
	if errors.Is(err, redis.Nil) {
		return StoredMail{}, fmt.Errorf("mail: dev mailbox get %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return StoredMail{}, fmt.Errorf("mail: dev mailbox get %s: %w", id, err)
	}
	var sm StoredMail
	if err := json.Unmarshal([]byte(s), &sm); err != nil {
		return StoredMail{}, fmt.Errorf("mail: dev mailbox get %s: %w", id, err)
	}
	return sm, nil
}

// decodeBase64Lines decodes a base64 MIME body wrapped at 76 columns.
func decodeBase64Lines(b []byte) ([]byte, error) {
	b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r"), nil), []byte("\n"), nil)
	return base64.StdEncoding.DecodeString(string(b))
}
