package events

import (
	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/luascript"
)

// Per-session scripts. KEYS (see eventKeys): 1 event hash, 2 rsvp hash
// (user -> status), 3 going zset, 4 waitlist zset, 5 pending zset,
// 6 check-in set, 7 notices stream (see internal/notices). Zset scores come from the event's "arrivals" counter, so
// order is the order the script ran in. Each change is one script: seat
// assignment, waitlist order and promotion never happen in Go.

// common holds the helpers of the per-session scripts; each script gets
// the ones it calls (see luascript.Library).
var common = luascript.NewLibrary(`
local function seatsLeft(cap)
  if cap == 0 then return -1 end
  local left = cap - redis.call('ZCARD', KEYS[3])
  if left < 0 then left = 0 end
  return left
end
local function nextArrival()
  return redis.call('HINCRBY', KEYS[1], 'arrivals', 1)
end
-- seat puts uid in a seat when one is free, else at the end of the
-- waitlist. It returns the status, the place on the waitlist and the
-- seats left after it, as seatsLeft.
local function seat(uid, cap)
  local taken = cap > 0 and redis.call('ZCARD', KEYS[3]) or 0
  if cap == 0 or taken < cap then
    redis.call('ZADD', KEYS[3], nextArrival(), uid)
    redis.call('HSET', KEYS[2], uid, 'going')
    return 'going', 0, cap == 0 and -1 or cap - taken - 1
  end
  redis.call('ZADD', KEYS[4], nextArrival(), uid)
  redis.call('HSET', KEYS[2], uid, 'waitlisted')
  return 'waitlisted', redis.call('ZRANK', KEYS[4], uid) + 1, 0
end
-- promote fills free seats from the head of the waitlist and appends the
-- promoted users to out.
local function promote(cap, out)
  while cap == 0 or redis.call('ZCARD', KEYS[3]) < cap do
    local head = redis.call('ZPOPMIN', KEYS[4])
    if #head == 0 then break end
    redis.call('ZADD', KEYS[3], nextArrival(), head[1])
    redis.call('HSET', KEYS[2], head[1], 'going')
    table.insert(out, head[1])
  end
end
-- notice records, in the same step as the change, that users must be
-- told about kind; the relay mails them. id is unique per script run.
local noticeCount = 0
local function notice(id, kind, users, prev)
  if #users == 0 then return end
  noticeCount = noticeCount + 1
  local args = {'XADD', KEYS[7], '*', 'id', id .. '.' .. noticeCount, 'kind', kind, 'users', table.concat(users, ',')}
  if prev and prev ~= '' then
    table.insert(args, 'prev')
    table.insert(args, prev)
  end
  redis.call(unpack(args))
end
local function concat(...)
  local out = {}
  for _, list in ipairs({...}) do
    for _, v in ipairs(list) do table.insert(out, v) end
  end
  return out
end
local function unseat(uid)
  redis.call('ZREM', KEYS[3], uid)
  redis.call('ZREM', KEYS[4], uid)
  redis.call('ZREM', KEYS[5], uid)
  redis.call('SREM', KEYS[6], uid)
end
`)

// sessionScript is a per-session script: body after the helpers it calls.
func sessionScript(body string) *redis.Script {
	return redis.NewScript(common.For(body) + body)
}

// rsvpScript records one person's answer.
// ARGV: user, "going"|"not-going", now (unix ms), notice ID.
// Returns {status, waitlist position, seats left (-1 = no limit), start (ms),
// the status before ("" for none), promoted...}. A refusal is an error
// reply whose code is followed by a space and the status before, so a
// caller that wrote ahead of the answer knows what to put right.
var rsvpScript = sessionScript(`
local uid, want, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local ev = redis.call('HMGET', KEYS[1], 'status', 'cap', 'opens', 'closes', 'start', 'approval')
local cur = redis.call('HGET', KEYS[2], uid)
local function refuse(code) return redis.error_reply(code .. ' ' .. (cur or '')) end
if not ev[1] then return refuse('NOTFOUND') end
if ev[1] == 'cancelled' then return refuse('CANCELLED') end
local cap = tonumber(ev[2])
if now >= tonumber(ev[5]) then return refuse('PAST') end
if cur == 'removed' then return refuse('REMOVED') end
local promoted = {}
local status, pos, left = 'not-going', 0, nil
if want == 'going' then
  if now >= tonumber(ev[4]) then return refuse('CLOSED') end
  if now < tonumber(ev[3]) then return refuse('NOTOPEN') end
  if cur == 'going' or cur == 'pending' then
    status = cur
  elseif cur == 'waitlisted' then
    status, pos = cur, redis.call('ZRANK', KEYS[4], uid) + 1
  elseif ev[6] == '1' then
    redis.call('ZADD', KEYS[5], nextArrival(), uid)
    redis.call('HSET', KEYS[2], uid, 'pending')
    status = 'pending'
  else
    status, pos, left = seat(uid, cap)
  end
else
  -- Dropping out stays possible after RSVPs close, until the start, so the
  -- seat goes to the next person on the waitlist.
  unseat(uid)
  redis.call('HSET', KEYS[2], uid, 'not-going')
  if cur == 'going' then
    promote(cap, promoted)
    notice(ARGV[4], 'promoted', promoted)
    -- A seat nobody on the waitlist took is free again: say so with
    -- position -1 (a not-going answer has no place in line).
    if #promoted == 0 and cap > 0 then pos = -1 end
  end
end
local out = {status, pos, left or seatsLeft(cap), ev[5], cur or ''}
for _, p in ipairs(promoted) do table.insert(out, p) end
return out
`)

// approveScript moves a pending request to a seat or the waitlist; a
// seat is a notice. ARGV: user, notice ID. Returns like rsvpScript.
var approveScript = sessionScript(`
local ev = redis.call('HMGET', KEYS[1], 'status', 'cap')
if not ev[1] then return redis.error_reply('NOTFOUND') end
if ev[1] == 'cancelled' then return redis.error_reply('CANCELLED') end
local uid, cap = ARGV[1], tonumber(ev[2])
local cur = redis.call('HGET', KEYS[2], uid)
local status, pos = cur, 0
if cur == 'pending' then
  redis.call('ZREM', KEYS[5], uid)
  status, pos = seat(uid, cap)
  if status == 'going' then notice(ARGV[2], 'promoted', {uid}) end
elseif cur == 'waitlisted' then
  pos = redis.call('ZRANK', KEYS[4], uid) + 1
elseif cur ~= 'going' then
  return redis.error_reply('NOTPENDING')
end
return {status, pos, seatsLeft(cap), redis.call('HGET', KEYS[1], 'start'), cur}
`)

// removeScript takes a person off the session for good and promotes from
// the waitlist when a seat became free. ARGV: user.
// Returns {previous status ("none" for none), 0, seats left, start (ms),
// previous status ("" for none), promoted...}.
var removeScript = sessionScript(`
local ev = redis.call('HMGET', KEYS[1], 'status', 'cap', 'start')
if not ev[1] then return redis.error_reply('NOTFOUND') end
local uid, cap = ARGV[1], tonumber(ev[2])
local cur = redis.call('HGET', KEYS[2], uid) or 'none'
unseat(uid)
redis.call('HSET', KEYS[2], uid, 'removed')
local out = {cur, 0, seatsLeft(cap), ev[3], cur == 'none' and '' or cur}
if cur == 'going' or cur == 'waitlisted' or cur == 'pending' then notice(ARGV[2], 'removed', {uid}) end
if cur == 'going' and ev[1] ~= 'cancelled' then
  local promoted = {}
  promote(cap, promoted)
  notice(ARGV[2], 'promoted', promoted)
  for _, p in ipairs(promoted) do table.insert(out, p) end
  out[3] = seatsLeft(cap)
end
return out
`)

// retractScript takes back the answer a person's "going" just recorded
// (going, waitlisted or pending) when the change it went with
// failed: while they still hold an answer of that kind (a promotion or an
// approval since leaves them going or waitlisted, still to take back),
// it puts back prev ("" for none), and a seat they held goes to the head
// of the waitlist. An answer of another kind since (they said not going,
// an organizer removed them) stays. ARGV: user, prev, notice ID.
// Returns like rsvpScript, with prev as the status (and position -1 when
// a seat nobody took is free again), or {} when nothing was taken back.
var retractScript = sessionScript(`
local ev = redis.call('HMGET', KEYS[1], 'status', 'cap', 'start')
if not ev[1] then return redis.error_reply('NOTFOUND') end
local uid, prev, cap = ARGV[1], ARGV[2], tonumber(ev[2])
local cur = redis.call('HGET', KEYS[2], uid)
if cur ~= 'going' and cur ~= 'waitlisted' and cur ~= 'pending' then return {} end
unseat(uid)
if prev == '' then redis.call('HDEL', KEYS[2], uid) else redis.call('HSET', KEYS[2], uid, prev) end
local promoted = {}
local pos = 0
if cur == 'going' and ev[1] ~= 'cancelled' then
  promote(cap, promoted)
  notice(ARGV[3], 'promoted', promoted)
  if #promoted == 0 and cap > 0 then pos = -1 end
end
local out = {prev, pos, seatsLeft(cap), ev[3], cur}
for _, p in ipairs(promoted) do table.insert(out, p) end
return out
`)

// checkinScript marks (ARGV[2] = "1") or unmarks attendance of a person
// going. ARGV: user, "1"|"0".
var checkinScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('NOTFOUND') end
if redis.call('HGET', KEYS[2], ARGV[1]) ~= 'going' then return redis.error_reply('NOTGOING') end
if ARGV[2] == '1' then redis.call('SADD', KEYS[6], ARGV[1]) else redis.call('SREM', KEYS[6], ARGV[1]) end
return 1
`)

// saveScript creates (expected sequence "-1") or replaces a session when
// its stored sequence still equals the expected one, then promotes from the
// waitlist if seats became free. The promoted, and the people a change or
// cancellation concerns, are notices.
// ARGV: expected sequence, new sequence, JSON, status, capacity,
// RSVP opens (ms), RSVP closes (ms), start (ms), approval "1"|"0",
// notice ID, "changed"|"cancelled"|"" (who else must hear of it), the
// previous JSON (for "changed").
// Returns the promoted users.
var saveScript = sessionScript(`
local seq = redis.call('HGET', KEYS[1], 'seq')
if ARGV[1] == '-1' then
  if seq then return redis.error_reply('CONFLICT') end
elseif seq ~= ARGV[1] then
  if not seq then return redis.error_reply('NOTFOUND') end
  return redis.error_reply('CONFLICT')
end
redis.call('HSET', KEYS[1], 'seq', ARGV[2], 'data', ARGV[3], 'status', ARGV[4], 'cap', ARGV[5],
  'opens', ARGV[6], 'closes', ARGV[7], 'start', ARGV[8], 'approval', ARGV[9])
local promoted = {}
if ARGV[4] == 'scheduled' then
  promote(tonumber(ARGV[5]), promoted)
  -- Approval turned off: people waiting for it are answered now, in the
  -- order they asked, after the waitlist.
  if ARGV[9] == '0' then
    local pending = redis.call('ZRANGE', KEYS[5], 0, -1)
    redis.call('DEL', KEYS[5])
    for _, uid in ipairs(pending) do
      if seat(uid, tonumber(ARGV[5])) == 'going' then table.insert(promoted, uid) end
    end
  end
end
notice(ARGV[10], 'promoted', promoted)
if ARGV[11] == 'changed' then
  notice(ARGV[10], 'changed', concat(redis.call('ZRANGE', KEYS[3], 0, -1), redis.call('ZRANGE', KEYS[4], 0, -1)), ARGV[12])
elseif ARGV[11] == 'cancelled' then
  notice(ARGV[10], 'cancelled', concat(redis.call('ZRANGE', KEYS[3], 0, -1), redis.call('ZRANGE', KEYS[4], 0, -1),
    redis.call('ZRANGE', KEYS[5], 0, -1)))
end
return promoted
`)

// voteScript adds one upvote per person to a proposal.
// KEYS: 1 proposals zset, 2 proposal hash, 3 voters set. ARGV: pid, user.
// Returns {votes, 1 if this call added the vote}.
var voteScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return redis.error_reply('NOTFOUND') end
local added = redis.call('SADD', KEYS[3], ARGV[2])
local votes = redis.call('ZSCORE', KEYS[1], ARGV[1])
if added == 1 then votes = redis.call('ZINCRBY', KEYS[1], 1, ARGV[1]) end
return {tonumber(votes), added}
`)

// linkProposalScript records the session a proposal became, once.
// KEYS: 1 proposal hash. ARGV: event ID. Returns 1.
var linkProposalScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('NOTFOUND') end
if redis.call('HSETNX', KEYS[1], 'event', ARGV[1]) == 0 then return redis.error_reply('SCHEDULED') end
return 1
`)
