package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/focusgroups/focusgroups/internal/ids"
	"github.com/redis/go-redis/v9"
)

// Workers is a pool of goroutines that read the outbox (one consumer each
// in the stream's consumer group), render each message and send it.
// Set the fields, then call Run; zero fields take the defaults shown.
type Workers struct {
	Outbox *Outbox
	Sender Sender
	// From is MAIL_FROM, e.g. "Focus Groups <noreply@example.com>".
	From string
	// N is how many workers run, each with its own SMTP connection (4).
	N int
	// Name is this process's consumer-name stem; it must differ between
	// processes (default hostname-pid-random).
	Name string
	// SendTimeout bounds each send, connection set-up included (30s).
	SendTimeout time.Duration
	// RetryFor is how long after it was queued a message that keeps
	// failing temporarily is still tried (24h); the first failure after it
	// dead-letters the message. A permanent failure dead-letters at once.
	RetryFor time.Duration
	// Backoff is the wait after the first temporary failure, doubled after
	// each further one (1s), up to MaxBackoff (30m).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// ClaimMinIdle is how long a message may sit unacknowledged with a
	// consumer before another worker reclaims it (5m; never less than
	// twice SendTimeout, so a slow send is not taken over).
	ClaimMinIdle time.Duration
	// Poll is how long a worker blocks waiting for new mail and how often
	// retries are moved back to the queue (1s); it bounds shutdown latency.
	Poll time.Duration
	// Renderer renders the templates (default: the embedded ones).
	Renderer *Renderer
	// Logger receives delivery failures (default slog.Default()).
	Logger *slog.Logger
}

func (w Workers) withDefaults() Workers {
	if w.N <= 0 {
		w.N = 4
	}
	if w.Name == "" {
		host, _ := os.Hostname()
		w.Name = host + "-" + strconv.Itoa(os.Getpid()) + "-" + ids.New()[:6]
	}
	if w.SendTimeout <= 0 {
		w.SendTimeout = defaultSendTimeout
	}
	if w.RetryFor <= 0 {
		w.RetryFor = 24 * time.Hour
	}
	if w.Backoff <= 0 {
		w.Backoff = time.Second
	}
	if w.MaxBackoff <= 0 {
		w.MaxBackoff = 30 * time.Minute
	}
	if w.ClaimMinIdle <= 0 {
		w.ClaimMinIdle = 5 * time.Minute
	}
	w.ClaimMinIdle = max(w.ClaimMinIdle, 2*w.SendTimeout)
	if w.Poll <= 0 {
		w.Poll = time.Second
	}
	if w.Logger == nil {
		w.Logger = slog.Default()
	}
	return w
}

// Run starts the workers and the retry scheduler and blocks until ctx is
// cancelled; it then lets each worker finish the message in hand (bounded
// by SendTimeout), closes the SMTP connections and returns. Messages it
// read but could not finish stay pending and are reclaimed by another
// worker after ClaimMinIdle.
func (w Workers) Run(ctx context.Context) error {
	w = w.withDefaults()
	if w.Outbox == nil || w.Sender == nil {
		return errors.New("mail: Workers needs an Outbox and a Sender")
	}
	comp, err := newComposer(w.From)
	if err != nil {
		return err
	}
	if w.Renderer == nil {
		if w.Renderer, err = NewRenderer(); err != nil {
			return err
		}
	}
	if err := w.Outbox.ensureGroup(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	for i := range w.N {
		wk := &worker{Workers: w, comp: comp, consumer: w.Name + "-" + strconv.Itoa(i)}
		wg.Go(func() { wk.loop(ctx) })
	}
	wg.Go(func() { w.promoteLoop(ctx) })
	wg.Wait()
	return nil
}

// ensureGroup creates the consumer group (from the stream's start, so mail
// queued before the first worker ever ran is read too).
func (o *Outbox) ensureGroup(ctx context.Context) error {
	err := o.rdb.XGroupCreateMkStream(ctx, o.streamKey(), group, "0").Err()
	if err != nil && !redis.HasErrorPrefix(err, "BUSYGROUP") {
		return fmt.Errorf("mail: create consumer group: %w", err)
	}
	return nil
}

// promoteLoop moves retries whose backoff is over, by the outbox's clock,
// back onto the stream; it looks every Poll.
func (w Workers) promoteLoop(ctx context.Context) {
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		o := w.Outbox
		for {
			n, err := promoteScript.Run(ctx, o.rdb, []string{o.streamKey(), o.retryKey()},
				o.now().UnixMilli(), 100).Int()
			if err != nil {
				if ctx.Err() == nil {
					w.Logger.Error("mail: move retries to the queue", "err", err)
				}
				break
			}
			if n < 100 {
				break
			}
		}
	}
}

type worker struct {
	Workers
	comp     composer
	consumer string
}

func (wk *worker) loop(ctx context.Context) {
	sess := wk.Sender.Open()
	defer sess.Close()
	// Redis calls outlive cancellation so that a mail in hand is finished
	// and acknowledged; each is bounded by the client's own timeouts.
	bg := context.WithoutCancel(ctx)
	var lastClaim time.Time
	claimEvery := max(wk.Poll, wk.ClaimMinIdle/4)
	for ctx.Err() == nil {
		var entries []redis.XMessage
		var err error
		if time.Since(lastClaim) >= claimEvery {
			lastClaim = time.Now()
			entries, _, err = wk.Outbox.rdb.XAutoClaim(bg, &redis.XAutoClaimArgs{
				Stream: wk.Outbox.streamKey(), Group: group, Consumer: wk.consumer,
				MinIdle: wk.ClaimMinIdle, Start: "0-0", Count: 1,
			}).Result()
			if len(entries) > 0 {
				lastClaim = time.Time{} // there may be more: look again next turn
			}
		}
		if err == nil && len(entries) == 0 {
			entries, err = wk.read(bg)
		}
		if err != nil {
			if redis.HasErrorPrefix(err, "NOGROUP") {
				// The stream was deleted under us (FLUSHDB, a restore):
				// recreate it rather than fail every Poll forever.
				err = wk.Outbox.ensureGroup(bg)
			}
			if err != nil {
				wk.Logger.Error("mail: read outbox", "consumer", wk.consumer, "err", err)
			}
			sleep(ctx, wk.Poll)
			continue
		}
		for _, e := range entries {
			wk.process(bg, sess, e)
		}
	}
}

// read waits up to Poll for one new message.
func (wk *worker) read(ctx context.Context) ([]redis.XMessage, error) {
	res, err := wk.Outbox.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: group, Consumer: wk.consumer, Streams: []string{wk.Outbox.streamKey(), ">"},
		Count: 1, Block: wk.Poll,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil || len(res) == 0 {
		return nil, err
	}
	return res[0].Messages, nil
}

// process takes one stream entry to a final or retry state.
func (wk *worker) process(ctx context.Context, sess Session, e redis.XMessage) {
	o := wk.Outbox
	payload, _ := e.Values["m"].(string)
	var env envelope
	if err := json.Unmarshal([]byte(payload), &env); err != nil || env.ID == "" {
		env = envelope{ID: "unreadable-" + e.ID}
		wk.dead(ctx, e.ID, env, fmt.Sprintf("unreadable outbox entry %q", payload))
		return
	}
	if env.Enqueued == 0 {
		env.Enqueued = o.now().UnixMilli() // queued before it was recorded: the retry period starts now
	}
	sent, err := o.rdb.Exists(ctx, o.sentKey(env.dedupKey())).Result()
	if err != nil {
		wk.Logger.Error("mail: check sent marker", "id", env.ID, "err", err)
		return // stays pending; reclaimed later
	}
	if sent == 1 {
		wk.markSent(ctx, e.ID, env)
		return
	}
	r, err := wk.render(env)
	if err != nil {
		env.Tries++
		wk.dead(ctx, e.ID, env, err.Error())
		return
	}
	sendCtx, cancel := context.WithTimeout(ctx, wk.SendTimeout)
	err = sess.Send(sendCtx, r)
	cancel()
	env.Tries++
	switch {
	case err == nil:
		wk.markSent(ctx, e.ID, env)
	case IsPermanent(err) || !o.now().Before(time.UnixMilli(env.Enqueued).Add(wk.RetryFor)):
		wk.Logger.Warn("mail: dead-lettered", "id", env.ID, "kind", env.Msg.Kind, "tries", env.Tries, "err", err)
		wk.dead(ctx, e.ID, env, err.Error())
	default:
		wk.retry(ctx, e.ID, env, err.Error())
	}
}

func (wk *worker) render(env envelope) (*Rendered, error) {
	subject, text, html, err := wk.Renderer.Render(env.Msg)
	if err != nil {
		return nil, err
	}
	return wk.comp.compose(env.ID, env.Msg, subject, text, html, wk.Outbox.now())
}

// keys returns the stream, state and (when there is one) batch keys around
// the given middle keys, in the order the finishing scripts expect.
func (wk *worker) keys(env envelope, middle ...string) []string {
	o := wk.Outbox
	keys := append([]string{o.streamKey(), o.stateKey(env.ID)}, middle...)
	if env.Msg.BatchID != "" {
		keys = append(keys, o.batchKey(env.Msg.BatchID))
	}
	return keys
}

// markSent records the server's acceptance. It is retried briefly because
// a lost record means the message is sent again after ClaimMinIdle.
func (wk *worker) markSent(ctx context.Context, entry string, env envelope) {
	o := wk.Outbox
	key := env.dedupKey()
	var err error
	for attempt := range 4 {
		err = sentScript.Run(ctx, o.rdb, wk.keys(env, o.sentKey(key)),
			entry, group, o.now().UnixMilli(), int(o.keep.Seconds()), env.ID, env.Tries).Err()
		if err == nil {
			return
		}
		time.Sleep(time.Duration(50<<attempt) * time.Millisecond)
	}
	wk.Logger.Error("mail: record sent message", "id", env.ID, "err", err)
}

func (wk *worker) retry(ctx context.Context, entry string, env envelope, reason string) {
	o := wk.Outbox
	payload, _ := json.Marshal(env)
	due := o.now().Add(wk.backoff(env.Tries)).UnixMilli()
	err := retryScript.Run(ctx, o.rdb, wk.keys(env, o.retryKey()),
		entry, group, o.now().UnixMilli(), int(o.keep.Seconds()), due, payload, env.Tries, reason).Err()
	if err != nil {
		wk.Logger.Error("mail: schedule retry", "id", env.ID, "err", err)
	}
}

func (wk *worker) dead(ctx context.Context, entry string, env envelope, reason string) {
	o := wk.Outbox
	rec, _ := json.Marshal(deadRecord{Envelope: env, Error: reason, At: o.now().UnixMilli()})
	err := deadScript.Run(ctx, o.rdb, wk.keys(env, o.deadKey(), o.idemKey(env.dedupKey())), entry, group, o.now().UnixMilli(), int(o.keep.Seconds()),
		rec, env.Tries, reason, env.ID, env.Msg.BatchID, o.dead).Err()
	if err != nil {
		wk.Logger.Error("mail: dead-letter", "id", env.ID, "err", err)
	}
}

// backoff is the wait before try number tries+1: Backoff doubled per
// earlier failure, capped at MaxBackoff, with ±20% jitter so a burst of
// failures does not come back all at once.
func (wk *worker) backoff(tries int) time.Duration {
	d := wk.Backoff
	for i := 1; i < tries && d < wk.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, wk.MaxBackoff)
	return d - d/5 + time.Duration(rand.Int64N(int64(d)*2/5+1))
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
