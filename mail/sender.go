package mail

import (
	"context"
	"errors"
	"net/textproto"
)

// Sender delivers rendered mails. Each worker opens its own Session, so an
// SMTP sender keeps one pooled connection per worker.
type Sender interface {
	Open() Session
}

// Session delivers mails one at a time for one worker.
type Session interface {
	// Send delivers m before ctx's deadline. An error is temporary unless
	// IsPermanent says otherwise.
	Send(ctx context.Context, m *Rendered) error
	// Close releases the session's connection.
	Close() error
}

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent marks err as a failure that retrying cannot fix, so the worker
// dead-letters the message at once.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err means the message can never be delivered
// as it is: an SMTP 5xx reply, or an error marked with Permanent.
// Everything else (connection refused, timeouts, 4xx) is temporary.
func IsPermanent(err error) bool {
	var p permanentError
	if errors.As(err, &p) {
		return true
	}
	var tp *textproto.Error
	return errors.As(err, &tp) && tp.Code >= 500 && tp.Code < 600
}
