package roundtrips_test

import (
	"context"
	"testing"

	"github.com/focusgroups/focusgroups/internal/roundtrips"
	"github.com/focusgroups/focusgroups/internal/testenv"
	"github.com/redis/go-redis/v9"
)

// The first command dials, and the handshake of a new connection belongs
// to the pool: it is not counted.
func TestCountsCommandsAndPipelinesOfOneContext(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	rdb.AddHook(roundtrips.Hook{})
	ctx, c := roundtrips.With(context.Background())
	other, o := roundtrips.With(context.Background())

	rdb.Set(ctx, prefix+"a", "1", 0)
	rdb.Get(ctx, prefix+"a")
	if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for range 10 {
			p.Incr(ctx, prefix+"n")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, prefix+"n")
		p.Incr(ctx, prefix+"n")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rdb.Get(other, prefix+"a")
	rdb.Get(context.Background(), prefix+"a") // not counted anywhere

	if got := c.Count(); got != 4 {
		t.Fatalf("counted %d round trips, want 2 commands + 1 pipeline + 1 transaction = 4", got)
	}
	if got := o.Count(); got != 1 {
		t.Fatalf("the other context counted %d, want 1", got)
	}
	if got := c.Writes(); got != 13 {
		t.Fatalf("counted %d writes, want the SET and 12 INCRs", got)
	}
	if got := o.Writes(); got != 0 {
		t.Fatalf("the other context counted %d writes for a GET", got)
	}
}

// A script may write unless it runs read-only.
func TestScriptsCountAsWritesUnlessReadOnly(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	rdb.AddHook(roundtrips.Hook{})
	ctx, c := roundtrips.With(context.Background())
	read := redis.NewScript(`return redis.call('GET', KEYS[1])`)
	if err := read.RunRO(ctx, rdb, []string{prefix + "a"}).Err(); err != nil && err != redis.Nil {
		t.Fatal(err)
	}
	if got := c.Writes(); got != 0 {
		t.Fatalf("a read-only script counted %d writes", got)
	}
	if err := read.Run(ctx, rdb, []string{prefix + "a"}).Err(); err != nil && err != redis.Nil {
		t.Fatal(err)
	}
	if got := c.Writes(); got != 1 {
		t.Fatalf("a script run with EVALSHA counted %d writes, want 1", got)
	}
}
