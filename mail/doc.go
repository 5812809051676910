// Package mail sends the product's email reliably: an outbox on a Redis
// Stream read by a pool of workers (consumer group), rendering from embedded
// templates, SMTP delivery with a deadline on every send, retries with
// backoff and a dead-letter list, per-announcement delivery counts, a dev
// mailbox for local development, reminders claimed atomically from a sorted
// set, and stateless unsubscribe tokens.
//
// Nothing here sends inline: callers Enqueue a Message and the workers
// started by Run deliver it at least once, and at most once per
// idempotency key in every case except a crash in the instant between the
// SMTP server accepting a message and Redis recording it.
package mail
