package account

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/testenv"
)

// Each kind of key loses what names the person and keeps the rest: keys
// named after them go, references go, JSON keeps its shape with their
// ID and address blanked, members and fields naming them go, stream
// entries naming them go; keys about others are untouched.
func TestScrubTakesThePersonOutOfEveryKindOfKey(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	ctx := context.Background()
	const id, addr = "u0123456789abcdefghijklm", "Dee@Example.com"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rdb.Set(ctx, prefix+"user:{"+id+"}", `{"name":"Dee"}`, 0).Err())
	must(rdb.Set(ctx, prefix+"email:dee@example.com", id, 0).Err())
	must(rdb.Set(ctx, prefix+"rsvptok:{h1}", "e1|"+id, 0).Err())
	must(rdb.Set(ctx, prefix+"series:{s1}", `{"created_by":"`+id+`","hosts":["`+id+`","other"]}`, 0).Err())
	must(rdb.HSet(ctx, prefix+"event:{e1}:rsvp", id, "going", "other", "going").Err())
	must(rdb.HSet(ctx, prefix+"mod:{g1}:items", "r1", `{"reporter":"`+id+`","details":"mail `+addr+`"}`, "r2", `{"reporter":"other"}`).Err())
	must(rdb.SAdd(ctx, prefix+"group:{g1}:bans", id, "other").Err())
	must(rdb.ZAdd(ctx, prefix+"mgroup:{g1}:pairs", redis.Z{Member: "x/" + id}, redis.Z{Member: "x/other"}).Err())
	must(rdb.RPush(ctx, prefix+"event:{e1}:messages", `{"by":"`+id+`"}`, "plain "+id, `{"by":"other"}`).Err())
	must(rdb.XAdd(ctx, &redis.XAddArgs{Stream: prefix + "mail:{outbox}:stream", Values: []string{"to", "dee@example.com"}}).Err())
	must(rdb.XAdd(ctx, &redis.XAddArgs{Stream: prefix + "mail:{outbox}:stream", Values: []string{"to", "other@example.com"}}).Err())
	must(rdb.Set(ctx, prefix+"unrelated", "hello", 0).Err())
	// A group whose description names the person: pages remember groups
	// by revision, so the scrub moves them as an edit would.
	must(rdb.HSet(ctx, prefix+"group:{g1}", "slug", "g1", "description", "Ask "+addr, "rev", "7", "crev", "6", "drev", "5").Err())
	must(rdb.HSet(ctx, prefix+"gidx:{idx}:entry:g1", "rev", "7", "crev", "6", "terms", "word:"+id).Err())

	rep, err := NewScrubber(rdb, prefix).Scrub(ctx, id, []string{addr})
	if err != nil {
		t.Fatal(err)
	}
	if rep.KeysDeleted != 3 {
		t.Errorf("%d keys deleted, want 3 (the user, the address index, the token)", rep.KeysDeleted)
	}
	if got := rdb.Get(ctx, prefix+"series:{s1}").Val(); got != `{"created_by":"","hosts":["","other"]}` {
		t.Errorf("series JSON: %s", got)
	}
	if got := rdb.HGetAll(ctx, prefix+"event:{e1}:rsvp").Val(); len(got) != 1 || got["other"] != "going" {
		t.Errorf("rsvp hash: %v", got)
	}
	if got := rdb.HGet(ctx, prefix+"mod:{g1}:items", "r1").Val(); got != `{"reporter":"","details":"mail "}` {
		t.Errorf("report: %s", got)
	}
	if got := rdb.SMembers(ctx, prefix+"group:{g1}:bans").Val(); len(got) != 1 || got[0] != "other" {
		t.Errorf("bans: %v", got)
	}
	if got := rdb.ZRange(ctx, prefix+"mgroup:{g1}:pairs", 0, -1).Val(); len(got) != 1 {
		t.Errorf("pairs: %v", got)
	}
	if got := rdb.LRange(ctx, prefix+"event:{e1}:messages", 0, -1).Val(); len(got) != 3 || got[0] != `{"by":""}` || got[1] != "" {
		t.Errorf("messages: %q", got)
	}
	if n := rdb.XLen(ctx, prefix+"mail:{outbox}:stream").Val(); n != 1 {
		t.Errorf("%d outbox entries, want the other person's only", n)
	}
	if got := rdb.HGetAll(ctx, prefix+"group:{g1}").Val(); got["description"] != "" || got["rev"] != "8" || got["crev"] != "8" || got["drev"] != "8" {
		t.Errorf("group: %v, want no description and every revision at 8", got)
	}
	if got := rdb.HGetAll(ctx, prefix+"gidx:{idx}:entry:g1").Val(); got["crev"] != "6" || got["terms"] != "" {
		t.Errorf("index entry: %v, want its terms gone and its revision kept", got)
	}
	if rdb.Get(ctx, prefix+"unrelated").Val() != "hello" {
		t.Error("an unrelated key changed")
	}
	if _, err := NewScrubber(rdb, prefix).Scrub(ctx, "short", nil); err == nil {
		t.Error("scrubbing a short ID would blank far too much")
	}
	again, err := NewScrubber(rdb, prefix).Scrub(ctx, id, []string{addr})
	if err != nil || again.KeysDeleted != 0 || again.KeysChanged != 0 {
		t.Errorf("a second run changed %+v: %v", again, err)
	}
}
