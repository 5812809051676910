package mentors

import "github.com/redis/go-redis/v9"

// reserveScript takes one of a mentee's open-request slots.
// KEYS: mentee open set. ARGV: member, now ms, limit.
var reserveScript = redis.NewScript(`
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 'OK' end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 'LIMIT' end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 'OK'
`)

// noticeLua records a notice (see internal/notices) in the mentor's
// notices stream in the same step as the change: the Notice as JSON, and
// the recipient and other person where only the script knows them.
const noticeLua = `
local function notice(stream, id, json, to, other)
  if json == '' then return end
  redis.call('XADD', stream, '*', 'id', id, 'n', json, 'to', to or '', 'other', other or '')
end
`

// askScript files a request with a mentor if they take it, and records
// the mentor's notice.
// KEYS: mentor, mentees, pairs, pending, request, notices.
// ARGV: request id, mentor id, mentee id, message, now ms, run, notice.
var askScript = redis.NewScript(noticeLua + `
local m = redis.call('HMGET', KEYS[1], 'capacity', 'paused')
if not m[1] then return 'NOTFOUND' end
if m[2] == '1' then return 'PAUSED' end
local cap = tonumber(m[1])
if cap == 0 then return 'NOTMENTORING' end
if redis.call('HEXISTS', KEYS[2], ARGV[3]) == 1 then return 'ALREADY' end
if redis.call('HLEN', KEYS[2]) >= cap then return 'FULL' end
if redis.call('HEXISTS', KEYS[3], ARGV[3]) == 1 then return 'DUPLICATE' end
redis.call('HSET', KEYS[5], 'id', ARGV[1], 'mentor', ARGV[2], 'mentee', ARGV[3], 'state', 'open',
  'message', ARGV[4], 'created', ARGV[5], 'updated', ARGV[5], 'waiting', ARGV[5])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
notice(KEYS[6], ARGV[6] .. '.1', ARGV[7])
return 'OK'
`)

// startLua starts a mentorship within the mentor's capacity. It expects
// local variables mentor (hash key), mentees (hash key), ship (hash key),
// history (zset key), shipID, menteeID, mentorID, now, round.
const startLua = `
local cap = tonumber(redis.call('HGET', mentor, 'capacity') or '0')
local cur = redis.call('HGET', mentees, menteeID)
if cur then return {'ALREADY', cur} end
if redis.call('HLEN', mentees) >= cap then return {'FULL'} end
redis.call('HSET', ship, 'id', shipID, 'mentor', mentorID, 'mentee', menteeID, 'started', now, 'round', round)
redis.call('HSET', mentees, menteeID, shipID)
redis.call('ZADD', history, now, shipID)
`

// acceptScript accepts an open request and starts the mentorship, never
// beyond the mentor's capacity, and records the mentee's notice.
// KEYS: mentor, mentees, pairs, pending, request, mentorship, history,
// notices. ARGV: mentorship id, now ms, request id, run, notice.
var acceptScript = redis.NewScript(noticeLua + `
local r = redis.call('HMGET', KEYS[5], 'state', 'mentee', 'mentor')
if not r[1] then return {'NOTFOUND'} end
if r[1] == 'withdrawn' then return {'WITHDRAWN'} end
if r[1] == 'expired' then return {'EXPIRED'} end
if r[1] ~= 'open' and r[1] ~= 'question' then return {'CLOSED'} end
local mentor, mentees, ship, history = KEYS[1], KEYS[2], KEYS[6], KEYS[7]
local shipID, menteeID, mentorID, now, round = ARGV[1], r[2], r[3], ARGV[2], ''
` + startLua + `
redis.call('HSET', KEYS[5], 'state', 'accepted', 'updated', now, 'mentorship', shipID)
redis.call('HDEL', KEYS[3], menteeID)
redis.call('ZREM', KEYS[4], ARGV[3])
notice(KEYS[8], ARGV[4] .. '.1', ARGV[5], menteeID)
return {'OK', menteeID}
`)

// startScript starts a mentorship from a published round and records the
// introduction of each side.
// KEYS: mentor, mentees, mentorship, history, notices.
// ARGV: mentorship id, mentee id, mentor id, now ms, round id, run, the
// mentee's notice, the mentor's notice.
var startScript = redis.NewScript(noticeLua + `
local mentor, mentees, ship, history = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local shipID, menteeID, mentorID, now, round = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
` + startLua + `
notice(KEYS[5], ARGV[6] .. '.1', ARGV[7])
notice(KEYS[5], ARGV[6] .. '.2', ARGV[8])
return {'OK', shipID}
`)

// stepScript moves a request on: the mentor declines or asks a question,
// the mentee answers or withdraws. The other side's notice is recorded.
// KEYS: request, pairs, pending, notices. ARGV: action, actor, text, now
// ms, request id, run, notice ("" for none).
var stepScript = redis.NewScript(noticeLua + `
local r = redis.call('HMGET', KEYS[1], 'state', 'mentee', 'mentor')
if not r[1] then return 'NOTFOUND' end
local action = ARGV[1]
local byMentor = action == 'decline' or action == 'question'
if (byMentor and ARGV[2] ~= r[3]) or (not byMentor and ARGV[2] ~= r[2]) then return 'FORBIDDEN' end
if r[1] == 'withdrawn' then return 'WITHDRAWN' end
if r[1] == 'expired' then return 'EXPIRED' end
if r[1] ~= 'open' and r[1] ~= 'question' then return 'CLOSED' end
if action == 'question' then
  if r[1] ~= 'open' then return 'STATE' end
  redis.call('HSET', KEYS[1], 'state', 'question', 'question', ARGV[3], 'updated', ARGV[4], 'waiting', '0')
  notice(KEYS[4], ARGV[6] .. '.1', ARGV[7], r[2], r[3])
  return 'OK'
end
if action == 'answer' then
  if r[1] ~= 'question' then return 'STATE' end
  redis.call('HSET', KEYS[1], 'state', 'open', 'answer', ARGV[3], 'updated', ARGV[4], 'waiting', ARGV[4])
  notice(KEYS[4], ARGV[6] .. '.1', ARGV[7], r[3], r[2])
  return 'OK'
end
local state = 'declined'
if action == 'withdraw' then state = 'withdrawn' end
redis.call('HSET', KEYS[1], 'state', state, 'reply', ARGV[3], 'updated', ARGV[4], 'waiting', '0')
redis.call('HDEL', KEYS[2], r[2])
redis.call('ZREM', KEYS[3], ARGV[5])
notice(KEYS[4], ARGV[6] .. '.1', ARGV[7], r[2], r[3])
return 'OK'
`)

// expireScript expires a request its mentor left unanswered past the
// cutoff, and pauses the mentor; the mentee and a newly paused mentor get
// notices. KEYS: request, pairs, pending, mentor, notices. ARGV: cutoff
// ms, now ms, reason, request id, run, the mentee's notice, the mentor's.
var expireScript = redis.NewScript(noticeLua + `
local r = redis.call('HMGET', KEYS[1], 'state', 'waiting', 'mentee')
if not r[1] then return {'GONE'} end
if r[1] ~= 'open' then return {'SKIP'} end
if tonumber(r[2]) > tonumber(ARGV[1]) then return {'LATER', r[2]} end
redis.call('HSET', KEYS[1], 'state', 'expired', 'updated', ARGV[2], 'waiting', '0')
redis.call('HDEL', KEYS[2], r[3])
redis.call('ZREM', KEYS[3], ARGV[4])
local was = redis.call('HGET', KEYS[4], 'paused')
redis.call('HSET', KEYS[4], 'paused', '1', 'paused_auto', '1', 'pause_reason', ARGV[3])
notice(KEYS[5], ARGV[5] .. '.1', ARGV[6], r[3])
if was == '1' then return {'EXPIRED', r[3], '0'} end
notice(KEYS[5], ARGV[5] .. '.2', ARGV[7], nil, r[3])
return {'EXPIRED', r[3], '1'}
`)

// endScript ends a mentorship on behalf of either side and frees the
// seat; the other side gets a notice, and the mentor the mentee's
// thank-you. Planned meetings are cancelled: an accepted one leaves both
// calendars (a CANCEL notice each, from the meeting notice template).
// KEYS: mentorship, mentees, notices, mentor, meetings. ARGV: actor,
// feedback, now ms, run, notice, thanks ("1" or ""), meeting notice.
var endScript = redis.NewScript(noticeLua + `
local s = redis.call('HMGET', KEYS[1], 'mentor', 'mentee', 'ended', 'id')
if not s[1] then return {'NOTFOUND'} end
local role
if ARGV[1] == s[1] then role = 'mentor' elseif ARGV[1] == s[2] then role = 'mentee' else return {'FORBIDDEN'} end
if s[3] and s[3] ~= '' then return {'ENDED'} end
redis.call('HSET', KEYS[1], 'ended', ARGV[3], 'ended_by', ARGV[1], 'feedback_' .. role, ARGV[2])
if redis.call('HGET', KEYS[2], s[2]) == s[4] then redis.call('HDEL', KEYS[2], s[2]) end
if role == 'mentee' and ARGV[6] == '1' then
  redis.call('HSET', KEYS[1], 'thanked', '1')
  if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('HINCRBY', KEYS[4], 'thanks', 1) end
end
local k = 0
for _, raw in ipairs(redis.call('HVALS', KEYS[5])) do
  local m = cjson.decode(raw)
  if (m.state == 'accepted' or m.state == 'proposed') and m['end'] > tonumber(ARGV[3]) then
    local was = m.state
    m.state = 'cancelled'
    if was == 'accepted' then m.seq = m.seq + 1 end
    redis.call('HSET', KEYS[5], m.id, cjson.encode(m))
    if was == 'accepted' then
      local n = cjson.decode(ARGV[7])
      n.MeetingID, n.Method, n.Sequence, n.StartMS, n.EndMS = m.id, 'CANCEL', m.seq, m.start, m['end']
      local j = cjson.encode(n)
      k = k + 1
      notice(KEYS[3], ARGV[4] .. '.m' .. k .. 'a', j, s[1], s[2])
      notice(KEYS[3], ARGV[4] .. '.m' .. k .. 'b', j, s[2], s[1])
    end
  end
end
local other = s[2]
if role == 'mentee' then other = s[1] end
notice(KEYS[3], ARGV[4] .. '.1', ARGV[5], other)
return {'OK', role}
`)

// delIfScript deletes a hash field only if it still holds a value.
// KEYS: hash. ARGV: field, value.
var delIfScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`)

// signupScript signs a member up for a round in one role.
// KEYS: round, mentors, mentees. ARGV: role, user, capacity, now ms.
var signupScript = redis.NewScript(`
local st = redis.call('HMGET', KEYS[1], 'state', 'deadline')
if not st[1] then return 'NOTFOUND' end
if st[1] ~= 'open' or tonumber(ARGV[4]) > tonumber(st[2]) then return 'CLOSED' end
if ARGV[1] == 'mentor' then
  if redis.call('SISMEMBER', KEYS[3], ARGV[2]) == 1 then return 'OTHERROLE' end
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
elseif ARGV[1] == 'mentee' then
  if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return 'OTHERROLE' end
  redis.call('SADD', KEYS[3], ARGV[2])
else
  redis.call('HDEL', KEYS[2], ARGV[2])
  redis.call('SREM', KEYS[3], ARGV[2])
end
redis.call('HINCRBY', KEYS[1], 'version', 1)
return 'OK'
`)

// stateScript moves a round from one state to the next, optionally storing
// its result; it refuses when the round is elsewhere or sign-ups changed.
// KEYS: round. ARGV: from (comma list), to, now ms, version (empty: any),
// result (empty: keep, "-": drop).
var stateScript = redis.NewScript(`
local st = redis.call('HMGET', KEYS[1], 'state', 'version')
if not st[1] then return 'NOTFOUND' end
local ok = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == st[1] then ok = true end end
if not ok then return 'STATE:' .. st[1] end
if ARGV[4] ~= '' and ARGV[4] ~= (st[2] or '0') then return 'CHANGED' end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updated', ARGV[3])
if ARGV[5] == '-' then redis.call('HDEL', KEYS[1], 'result')
elseif ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'result', ARGV[5]) end
return 'OK'
`)
