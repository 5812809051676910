package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Config is what the app hands the mail service from its environment.
type Config struct {
	// SMTPURL is SMTP_URL; empty selects the dev mailbox.
	SMTPURL string
	// From is MAIL_FROM; required with SMTP, defaults to
	// "focusgroups <focusgroups@localhost>" with the dev mailbox.
	From string
	// Secret is SESSION_SECRET, from which unsubscribe tokens are signed.
	Secret []byte
	// Workers is how many send in parallel (default 4).
	Workers int
	// Poll is how often idle workers and the reminder loop look for work
	// (default 1s).
	Poll time.Duration
	// SendTimeout bounds each SMTP send (default 30s).
	SendTimeout time.Duration
	// RetryFor is how long a message that keeps failing temporarily is
	// retried before it is dead-lettered (MAIL_RETRY_FOR, default 24h).
	RetryFor time.Duration
	// TLS overrides the SMTP client's TLS settings (tests, private CAs).
	TLS *tls.Config
	// Options tune the outbox (clock, retention, dead-letter cap).
	Options Options
	// Logger receives delivery failures (default slog.Default()).
	Logger *slog.Logger
}

// Service is the mail package wired for the app: the outbox to Enqueue
// into, reminders, unsubscribe tokens, the dev mailbox (nil when SMTP is
// configured), and the workers that Run starts.
type Service struct {
	Outbox    *Outbox
	Reminders *Reminders
	Tokens    *Tokens
	Mailbox   *DevMailbox
	Workers   Workers
	poll      time.Duration
}

// New wires the mail service: SMTP when cfg.SMTPURL is set, the dev
// mailbox otherwise.
func New(rdb redis.UniversalClient, prefix string, cfg Config) (*Service, error) {
	if len(cfg.Secret) == 0 {
		return nil, errors.New("mail: a secret (SESSION_SECRET) is required to sign unsubscribe links")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{
		Outbox: NewOutbox(rdb, prefix, cfg.Options),
		Tokens: NewTokens(cfg.Secret),
		poll:   cfg.Poll,
	}
	s.Reminders = NewReminders(rdb, prefix, s.Outbox)
	s.Reminders.Logger = cfg.Logger
	var sender Sender
	if cfg.SMTPURL == "" {
		s.Mailbox = NewDevMailbox(rdb, prefix, 0)
		sender = s.Mailbox
		if cfg.From == "" {
			cfg.From = "focusgroups <focusgroups@localhost>"
		}
	} else {
		sc, err := ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, err
		}
		if cfg.From == "" {
			return nil, errors.New("mail: MAIL_FROM is required when SMTP_URL is set")
		}
		sc.TLS = cfg.TLS
		sender = NewSMTPSender(sc)
	}
	if _, err := newComposer(cfg.From); err != nil {
		return nil, err
	}
	renderer, err := NewRenderer()
	if err != nil {
		return nil, err
	}
	s.Workers = Workers{
		Outbox: s.Outbox, Sender: sender, From: cfg.From, N: cfg.Workers,
		SendTimeout: cfg.SendTimeout, RetryFor: cfg.RetryFor, Poll: cfg.Poll, Renderer: renderer, Logger: cfg.Logger,
	}
	return s, nil
}

// Enqueue queues m (see Outbox.Enqueue).
func (s *Service) Enqueue(ctx context.Context, m Message) (Receipt, error) {
	return s.Outbox.Enqueue(ctx, m)
}

// ReplaceReminders drops the reminders whose keys start with prefix and
// schedules rs instead, in one step (see Reminders.Replace).
func (s *Service) ReplaceReminders(ctx context.Context, prefix string, rs []Reminder) error {
	return s.Reminders.Replace(ctx, prefix, rs)
}

// QueueReplaceReminders is ReplaceReminders for a pipeline the caller
// runs (see Reminders.QueueReplace).
func (s *Service) QueueReplaceReminders(ctx context.Context, prefix string, rs []Reminder) (func(p redis.Pipeliner) func() error, error) {
	return s.Reminders.QueueReplace(ctx, prefix, rs)
}

// QueueAddReminders schedules rs for a pipeline the caller runs, and
// leaves the reminders of other keys (see Reminders.QueueAdd).
func (s *Service) QueueAddReminders(ctx context.Context, rs []Reminder) (func(p redis.Pipeliner) func() error, error) {
	return s.Reminders.QueueAdd(ctx, rs)
}

// CancelReminders drops the reminders whose keys start with one of the
// prefixes (see Reminders.Cancel).
func (s *Service) CancelReminders(ctx context.Context, prefixes ...string) (int, error) {
	return s.Reminders.Cancel(ctx, prefixes...)
}

// BatchStatus returns an announcement's delivery counts.
func (s *Service) BatchStatus(ctx context.Context, batchID string) (BatchStatus, error) {
	return s.Outbox.BatchStatus(ctx, batchID)
}

// QueueBatchStatus queues the read of BatchStatus on p (see
// Outbox.QueueBatchStatus).
func (s *Service) QueueBatchStatus(ctx context.Context, p redis.Pipeliner, batchID string) func() (BatchStatus, error) {
	return s.Outbox.QueueBatchStatus(ctx, p, batchID)
}

// Run runs the workers and the reminder loop until ctx is cancelled, then
// waits for the mail in hand to be finished (see Workers.Run).
func (s *Service) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { s.Reminders.Run(ctx, s.poll) })
	err := s.Workers.Run(ctx)
	cancel() // the workers stopped (or could not start): stop the reminders too
	wg.Wait()
	return err
}
