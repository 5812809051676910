package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/focusgroups/focusgroups/mail"
)

// mailUsage is shown for a `server mail` command line it does not know.
const mailUsage = "use \"mail dead\" to list dead letters, \"mail retry ID\" or \"mail retry all\" to queue them again"

// mailCommand runs `server mail ...` for an operator: list the dead
// letters, or put one or all of them back in the outbox.
func mailCommand(ctx context.Context, ob *mail.Outbox, args []string, w io.Writer) error {
	switch {
	case len(args) == 1 && args[0] == "dead":
		return listDeadLetters(ctx, ob, w)
	case len(args) == 2 && args[0] == "retry":
		return retryDeadLetters(ctx, ob, args[1], w)
	}
	return errors.New(mailUsage)
}

// listDeadLetters prints every kept dead letter, newest first.
func listDeadLetters(ctx context.Context, ob *mail.Outbox, w io.Writer) error {
	n, err := ob.DeadCount(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		_, err := fmt.Fprintln(w, "No dead letters.")
		return err
	}
	dead, err := ob.DeadLetters(ctx, int(n))
	if err != nil {
		return err
	}
	// The tabwriter buffers: a failed write to w shows at Flush.
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "ID\tKIND\tTO\tTRIES\tWHEN (UTC)\tERROR")
	for _, d := range dead {
		id, when := d.ID, d.At.Format(time.DateTime)
		if id == "" {
			id, when = "-", "-"
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", id, orDash(string(d.Message.Kind)), orDash(d.Message.To), d.Tries, when, d.Error)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%d dead letters. Queue them again with: server mail retry ID|all\n", len(dead))
	return err
}

// retryDeadLetters requeues the dead letter with the given ID, or all.
func retryDeadLetters(ctx context.Context, ob *mail.Outbox, which string, w io.Writer) error {
	var r mail.Requeued
	var err error
	if which == "all" {
		r, err = ob.RequeueAll(ctx)
	} else {
		r, err = ob.Requeue(ctx, which)
	}
	if errors.Is(err, mail.ErrNotFound) {
		return fmt.Errorf("no dead letter has the ID %q; \"mail dead\" lists them", which)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "Queued again: %d.", r.Queued)
	if err == nil && r.Superseded > 0 {
		_, err = fmt.Fprintf(w, " Removed without sending: %d (the same mail was queued again since, e.g. by a new announcement).", r.Superseded)
	}
	if err == nil {
		_, err = fmt.Fprintln(w)
	}
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
