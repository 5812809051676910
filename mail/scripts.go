package mail

import "github.com/redis/go-redis/v9"

// transitionLua moves a message's delivery state and keeps its batch's
// counts in step: state is the state hash, batch the batch hash (nil when
// the message has none), now in ms, ttl in s.
const transitionLua = `
local function transition(state, batch, new, now, ttl)
  local old = redis.call('HGET', state, 'state')
  if old == new then return end
  redis.call('HSET', state, 'state', new, 'updated', now)
  redis.call('EXPIRE', state, ttl)
  if batch and old then
    redis.call('HINCRBY', batch, old, -1)
    redis.call('HINCRBY', batch, new, 1)
  end
end
`

// deadMarkerLua reads an idempotency marker: a marker written by
// deadScript ("dead:<id>:<batch>") no longer blocks its key.
const deadMarkerLua = `
local function deadMarker(v)
  if not v then return nil end
  return string.match(v, '^dead:([^:]*):(.*)$')
end
`

// enqueueScript queues a message unless its idempotency key is held by a
// message that was sent or is still on its way. A key released by a dead
// letter is taken over; when the new message joins the dead one's batch,
// it replaces the failure there instead of adding to the total. KEYS: idem
// marker, stream, state, [batch]. ARGV: id, payload, now, ttl, kind, to,
// batch ID. Returns {1, id} when queued, {0, holder id} for a duplicate.
var enqueueScript = redis.NewScript(deadMarkerLua + `
local cur = redis.call('GET', KEYS[1])
local replaces = false
if cur then
  local deadID, deadBatch = deadMarker(cur)
  if not deadID then return {0, cur} end
  replaces = deadBatch ~= '' and deadBatch == ARGV[7]
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
redis.call('XADD', KEYS[2], '*', 'm', ARGV[2])
redis.call('HSET', KEYS[3], 'state', 'queued', 'tries', 0, 'kind', ARGV[5], 'to', ARGV[6], 'enqueued', ARGV[3], 'updated', ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[4])
if KEYS[4] then
  if replaces and tonumber(redis.call('HGET', KEYS[4], 'failed') or '0') > 0 then
    redis.call('HINCRBY', KEYS[4], 'failed', -1)
  else
    redis.call('HINCRBY', KEYS[4], 'total', 1)
  end
  redis.call('HINCRBY', KEYS[4], 'queued', 1)
  redis.call('EXPIRE', KEYS[4], ARGV[4])
end
return {1, ARGV[1]}
`)

// sentScript records an accepted message: the sent marker first, then the
// ack. KEYS: stream, state, sent marker, [batch]. ARGV: entry, group, now,
// ttl, id, tries.
var sentScript = redis.NewScript(transitionLua + `
redis.call('SET', KEYS[3], ARGV[5], 'EX', ARGV[4])
redis.call('XACK', KEYS[1], ARGV[2], ARGV[1])
redis.call('XDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'tries', ARGV[6], 'error', '')
transition(KEYS[2], KEYS[4], 'sent', ARGV[3], ARGV[4])
return 1
`)

// retryScript parks a temporarily failed message in the retry set until
// its backoff is over. KEYS: stream, state, retry set, [batch]. ARGV:
// entry, group, now, ttl, due (ms), payload, tries, error.
var retryScript = redis.NewScript(transitionLua + `
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[6])
redis.call('XACK', KEYS[1], ARGV[2], ARGV[1])
redis.call('XDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'tries', ARGV[7], 'error', ARGV[8], 'next', ARGV[5])
transition(KEYS[2], KEYS[4], 'retrying', ARGV[3], ARGV[4])
return 1
`)

// deadScript moves a message to the dead-letter list, keeps only the
// newest entries of that list (the states of dropped ones expire with
// their TTL), and releases the message's idempotency key so that the same
// mail can be queued again. KEYS: stream, state, dead list, idem marker,
// [batch]. ARGV: entry, group, now, ttl, record, tries, error, id, batch
// ID, list cap.
var deadScript = redis.NewScript(transitionLua + `
redis.call('LPUSH', KEYS[3], ARGV[5])
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[10]) - 1)
redis.call('XACK', KEYS[1], ARGV[2], ARGV[1])
redis.call('XDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'tries', ARGV[6], 'error', ARGV[7])
transition(KEYS[2], KEYS[5], 'failed', ARGV[3], ARGV[4])
if redis.call('GET', KEYS[4]) == ARGV[8] then
  redis.call('SET', KEYS[4], 'dead:' .. ARGV[8] .. ':' .. ARGV[9], 'KEEPTTL')
end
return 1
`)

// requeueScript moves one dead letter back onto the stream with a fresh
// start, unless its idempotency key was taken by a newer message (then
// the dead letter is only removed: that message is in charge). KEYS: dead
// list, idem marker, sent marker, stream, state, [batch]. ARGV: record,
// id, payload, now, ttl, kind, to. Returns "queued", "superseded", or
// "gone" when the record is no longer in the list.
var requeueScript = redis.NewScript(transitionLua + deadMarkerLua + `
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 'gone' end
local cur = redis.call('GET', KEYS[2])
local deadID = deadMarker(cur)
if redis.call('EXISTS', KEYS[3]) == 1 or (cur and cur ~= ARGV[2] and deadID ~= ARGV[2]) then
  return 'superseded'
end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[5])
redis.call('XADD', KEYS[4], '*', 'm', ARGV[3])
redis.call('HSET', KEYS[5], 'tries', 0, 'error', '', 'kind', ARGV[6], 'to', ARGV[7], 'enqueued', ARGV[4])
transition(KEYS[5], KEYS[6], 'queued', ARGV[4], ARGV[5])
return 'queued'
`)

// promoteScript moves retries whose backoff is over back onto the stream.
// KEYS: stream, retry set. ARGV: now (ms), max count.
var promoteScript = redis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, p in ipairs(due) do
  redis.call('XADD', KEYS[1], '*', 'm', p)
  redis.call('ZREM', KEYS[2], p)
end
return #due
`)

// claimRemindersScript hands due reminders to one caller: each claimed
// reminder's score moves to the lease deadline, so no other instance sees
// it as due while the claimer enqueues it. KEYS: due set, items hash.
// ARGV: now (ms), lease deadline (ms), max count. Returns key, item pairs.
var claimRemindersScript = redis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
local out = {}
for _, k in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], k)
  table.insert(out, k)
  table.insert(out, redis.call('HGET', KEYS[2], k) or '')
end
return out
`)

// finishReminderScript forgets a claimed reminder once it is in the
// outbox, unless it was rescheduled meanwhile. KEYS: due, index, items.
// ARGV: key, the item as claimed ("" when it had none: a due entry left
// without its item is forgotten too).
var finishReminderScript = redis.NewScript(`
if (redis.call('HGET', KEYS[3], ARGV[1]) or '') ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
`)

// scheduleReminderScript adds or replaces a reminder. KEYS: due, index,
// items. ARGV: key, due (ms), item.
var scheduleReminderScript = redis.NewScript(`
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return 1
`)

// cancelRemindersScript removes every reminder whose key starts with one
// of ARGV. KEYS: due, index, items, for each set of reminders (whole,
// planned). Returns how many went.
var cancelRemindersScript = redis.NewScript(`
local n = 0
for s = 0, #KEYS - 3, 3 do
  for _, p in ipairs(ARGV) do
    local ks = redis.call('ZRANGEBYLEX', KEYS[s + 2], '[' .. p, '(' .. p .. '\255')
    for _, k in ipairs(ks) do
      redis.call('ZREM', KEYS[s + 1], k)
      redis.call('ZREM', KEYS[s + 2], k)
      redis.call('HDEL', KEYS[s + 3], k)
      n = n + 1
    end
  end
end
return n
`)

// replaceRemindersScript removes every reminder whose key starts with
// ARGV[1] and adds the ones that follow as key, due (ms), item triples.
// KEYS: due, index, items of the set the new ones go to, then those of
// the other set, cleared of the prefix too.
var replaceRemindersScript = redis.NewScript(`
local p, n = ARGV[1], 0
for s = 0, #KEYS - 3, 3 do
  local ks = redis.call('ZRANGEBYLEX', KEYS[s + 2], '[' .. p, '(' .. p .. '\255')
  for _, k in ipairs(ks) do
    redis.call('ZREM', KEYS[s + 1], k)
    redis.call('ZREM', KEYS[s + 2], k)
    redis.call('HDEL', KEYS[s + 3], k)
  end
  n = n + #ks
end
for i = 2, #ARGV, 3 do
  redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
  redis.call('ZADD', KEYS[2], 0, ARGV[i])
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 2])
end
return n
`)

// storeMailboxScript stores a dev-mailbox message and drops the oldest
// beyond the cap. KEYS: id list, messages hash. ARGV: id, JSON, cap.
var storeMailboxScript = redis.NewScript(`
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('LPUSH', KEYS[1], ARGV[1])
local old = redis.call('LRANGE', KEYS[1], ARGV[3], -1)
for _, id in ipairs(old) do redis.call('HDEL', KEYS[2], id) end
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[3]) - 1)
return #old
`)
