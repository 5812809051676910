package mail

import "github.com/redis/go-redis/v9"

// transitionLua moves a message's delivery state and keeps its batch's
// counts in step: KEYS[2] is the state hash, KEYS[4] the batch hash (may be
// absent), ARGV[3] now (ms), ARGV[4] TTL (s).
const transitionLua = `
local function transition(new)
  local old = redis.call('HGET', KEYS[2], 'state')
  if old == new then return end
  redis.call('HSET', KEYS[2], 'state', new, 'updated', ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  if KEYS[4] and old then
    redis.call('HINCRBY', KEYS[4], old, -1)
    redis.call('HINCRBY', KEYS[4], new, 1)
  end
end
`

// enqueueScript queues a message unless its idempotency key was seen.
// KEYS: idem marker, stream, state, [batch]. ARGV: id, payload, now, ttl,
// kind, to. Returns {1, id} when queued, {0, first id} for a duplicate.
var enqueueScript = redis.NewScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[4]) then
  return {0, redis.call('GET', KEYS[1])}
end
redis.call('XADD', KEYS[2], '*', 'm', ARGV[2])
redis.call('HSET', KEYS[3], 'state', 'queued', 'tries', 0, 'kind', ARGV[5], 'to', ARGV[6], 'enqueued', ARGV[3], 'updated', ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[4])
if KEYS[4] then
  redis.call('HINCRBY', KEYS[4], 'total', 1)
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
transition('sent')
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
transition('retrying')
return 1
`)

// deadScript moves a message to the dead-letter list. KEYS: stream, state,
// dead list, [batch]. ARGV: entry, group, now, ttl, record, tries, error.
var deadScript = redis.NewScript(transitionLua + `
redis.call('LPUSH', KEYS[3], ARGV[5])
redis.call('XACK', KEYS[1], ARGV[2], ARGV[1])
redis.call('XDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'tries', ARGV[6], 'error', ARGV[7])
transition('failed')
return 1
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
// ARGV: key, the item as claimed.
var finishReminderScript = redis.NewScript(`
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
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
// of ARGV. KEYS: due, index, items. Returns how many went.
var cancelRemindersScript = redis.NewScript(`
local n = 0
for _, p in ipairs(ARGV) do
  local ks = redis.call('ZRANGEBYLEX', KEYS[2], '[' .. p, '(' .. p .. '\255')
  for _, k in ipairs(ks) do
    redis.call('ZREM', KEYS[1], k)
    redis.call('ZREM', KEYS[2], k)
    redis.call('HDEL', KEYS[3], k)
    n = n + 1
  end
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
