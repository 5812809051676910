package groups

import (
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/focusgroups/focusgroups/internal/luascript"
)

// Every group script gets the nine keys of groupKeys, in that order, and
// starts with this preamble and the helpers it calls. Scripts answer
// "OK" or an error reply whose text is one of the codes in scriptErrors.
//
// Members and join requests are scored by next_arrival, the group's
// "arrivals" counter, so two arrivals in one millisecond keep their order.
// Groups stored before the counter have millisecond scores; the counter
// then starts just above the highest score already there, so old entries
// stay ahead of new ones. Join times live in JOINED; a member without an
// entry there joined before it existed, and their score is their join time.
const preamble = `
local G, MEMBERS, ORGS, BANS, INVITES, APPS, REQUESTS, JOINED = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local NOTICES = KEYS[9]
-- create makes the group, and join (or accept) finds it missing in the
-- group's fields it reads anyway.
if ARGV[1] ~= 'create' and ARGV[1] ~= 'join' and ARGV[1] ~= 'accept' and redis.call('EXISTS', G) == 0 then
  return redis.error_reply('NOT_FOUND')
end
`

// helpers are the group scripts' shared functions; each script gets the
// ones it calls (see luascript.Library).
var helpers = luascript.NewLibrary(`
-- notice records, in the same step as the change, that uid (or, for a
-- join request, the organizers) must hear of kind; id is unique per run.
local function notice(id, kind, uid, actor, text)
  redis.call('XADD', NOTICES, '*', 'id', id .. '.1', 'kind', kind, 'user', uid, 'actor', actor or '', 'text', text or '')
end
local function top_score(key)
  local z = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if #z == 0 then return 0 end
  return tonumber(z[2])
end
-- arrivals_seed is where the counter of a group stored before it starts.
local function arrivals_seed()
  return math.max(top_score(MEMBERS), top_score(REQUESTS))
end
local function next_arrival()
  if redis.call('HEXISTS', G, 'arrivals') == 0 then
    redis.call('HSET', G, 'arrivals', string.format('%d', arrivals_seed()))
  end
  return redis.call('HINCRBY', G, 'arrivals', 1)
end
local function role(uid)
  if uid == '' then return '' end
  if redis.call('HGET', G, 'owner') == uid then return 'owner' end
  if redis.call('SISMEMBER', ORGS, uid) == 1 then return 'organizer' end
  if redis.call('ZSCORE', MEMBERS, uid) then return 'member' end
  return ''
end
local function organizer(uid)
  local r = role(uid)
  return r == 'owner' or r == 'organizer'
end
-- domain_ok: gd is the group's domains when the caller read them.
local function domain_ok(userdomains, gd)
  gd = gd or redis.call('HGET', G, 'domains')
  if not gd or gd == '' then return true end
  for d in string.gmatch(gd, '[^,]+') do
    for u in string.gmatch(userdomains, '[^,]+') do
      if d == u then return true end
    end
  end
  return false
end
-- decide settles uid's pending request to join, if any: a request is
-- pending exactly while uid is in REQUESTS.
local function decide(uid, status, now)
  if redis.call('ZREM', REQUESTS, uid) == 0 then return end
  local raw = redis.call('HGET', APPS, uid)
  if raw then
    local a = cjson.decode(raw)
    if a.status == 'pending' then
      a.status = status
      a.decided = now
      redis.call('HSET', APPS, uid, cjson.encode(a))
    end
  end
end
-- count_members keeps the member count on the group's hash ("members"),
-- so a page reads it with the group's revisions (see groupRead); every
-- change of MEMBERS calls it in the same script.
local function count_members()
  local n = redis.call('ZCARD', MEMBERS)
  redis.call('HSET', G, 'members', n)
  return n
end
-- joined is a join's reply: the member count add_member left, and 1
-- when the person had an invitation (see QueueJoin).
local function joined(count, invited)
  return {count, invited and 1 or 0}
end
-- add_member makes uid a member and returns the member count it leaves,
-- or nil, writing nothing, when uid is a member already. invited is
-- false when the caller knows there is no invitation to drop. arrivals
-- and rev are the group's fields of those names when the caller read
-- them (arrivals false when the group has no counter yet): the arrival
-- counter, the revision and the count then go in one write.
local function add_member(uid, now, invited, arrivals, rev)
  if rev == nil then
    local f = redis.call('HMGET', G, 'arrivals', 'rev')
    arrivals, rev = f[1], f[2]
  end
  local arrival = (arrivals and tonumber(arrivals) or arrivals_seed()) + 1
  if redis.call('ZADD', MEMBERS, 'NX', arrival, uid) == 0 then return nil end
  redis.call('HSET', JOINED, uid, now)
  if invited ~= false then redis.call('HDEL', INVITES, uid) end
  decide(uid, 'approved', now)
  local n = redis.call('ZCARD', MEMBERS)
  redis.call('HSET', G, 'arrivals', string.format('%d', arrival), 'rev', string.format('%d', (tonumber(rev) or 0) + 1), 'members', n)
  return n
end
-- bump_crev marks a change other than who is a member: the discovery
-- index takes a membership change's new count alone only when it already
-- holds the group's content as of the last such change (crev).
local function bump_crev()
  local rev = redis.call('HINCRBY', G, 'rev', 1)
  redis.call('HSET', G, 'crev', rev)
  return rev
end
-- bump_content marks a change to what pages show of the group other than
-- its member count, next session and session zone: pages that parsed the
-- group before read it again only when drev moved (see groupRead).
local function bump_content()
  redis.call('HSET', G, 'drev', bump_crev())
end
local function drop_member(uid)
  redis.call('ZREM', MEMBERS, uid)
  redis.call('HDEL', JOINED, uid)
  redis.call('SREM', ORGS, uid)
  redis.call('HINCRBY', G, 'rev', 1)
  count_members()
end
`)

var scriptErrors = map[string]error{
	"NOT_FOUND":       ErrNotFound,
	"FORBIDDEN":       ErrForbidden,
	"BANNED":          ErrBanned,
	"APPLY":           ErrApprovalRequired,
	"INVITE_ONLY":     ErrInviteOnly,
	"OPEN":            ErrOpenGroup,
	"DOMAIN":          ErrDomain,
	"ALREADY_MEMBER":  ErrAlreadyMember,
	"ALREADY_APPLIED": ErrAlreadyApplied,
	"NOT_MEMBER":      ErrNotMember,
	"NO_REQUEST":      ErrNoRequest,
	"DECIDED":         ErrAlreadyDecided,
	"NO_INVITE":       ErrNoInvite,
	"OWNER":           ErrOwnerMustTransfer,
	"CONFLICT":        ErrConflict,
	"EXISTS":          ErrConflict,
}

// scriptErr turns a script's error reply into the store's sentinel error.
func scriptErr(err error) error {
	if err == nil {
		return nil
	}
	var re redis.Error
	if errors.As(err, &re) {
		// Redis 7 puts "ERR " before error replies without a code of their own.
		code, _, _ := strings.Cut(strings.TrimPrefix(re.Error(), "ERR "), " ")
		if e, ok := scriptErrors[code]; ok {
			return e
		}
	}
	return err
}

func groupScript(body string) *redis.Script {
	return redis.NewScript(preamble + helpers.For(body) + body)
}

// ARGV[1] of every group script is the action name, so the preamble knows
// whether the group must already exist.

// createScript: ARGV action, owner, now, field/value pairs.
var createScript = groupScript(`
if redis.call('EXISTS', G) == 1 then return redis.error_reply('EXISTS') end
local owner, now = ARGV[2], ARGV[3]
for i = 4, #ARGV, 2 do redis.call('HSET', G, ARGV[i], ARGV[i+1]) end
redis.call('HSET', G, 'owner', owner, 'created', now, 'updated', now, 'rev', 1, 'crev', 1, 'drev', 1)
redis.call('ZADD', MEMBERS, next_arrival(), owner)
redis.call('HSET', JOINED, owner, now)
count_members()
return 'OK'
`)

// updateScript: ARGV action, actor, expected slug, now, field/value pairs.
var updateScript = groupScript(`
local actor, slug, now = ARGV[2], ARGV[3], ARGV[4]
if not organizer(actor) then return redis.error_reply('FORBIDDEN') end
if redis.call('HGET', G, 'slug') ~= slug then return redis.error_reply('CONFLICT') end
for i = 5, #ARGV, 2 do redis.call('HSET', G, ARGV[i], ARGV[i+1]) end
redis.call('HSET', G, 'updated', now)
bump_content()
return 'OK'
`)

// nextSessionScript: ARGV action, unix ms or "". Pages read the next
// session with the group's revisions, so it moves crev (for the
// discovery index) but not drev (see groupRead).
var nextSessionScript = groupScript(`
if ARGV[2] == '' then redis.call('HDEL', G, 'next_session')
else redis.call('HSET', G, 'next_session', ARGV[2]) end
bump_crev()
return 'OK'
`)

// joinScript: ARGV action ("join" or "accept"), user, now, the user's
// verified email domains joined by commas. A private group is joined by
// invitation only, and to everyone else it does not exist.
// It returns the member count after the join, so the discovery index can
// take the new count without a reindex, and whether the person had an
// invitation (see joined).
const joinBody = `
local uid, now, domains = ARGV[2], ARGV[3], ARGV[4]
local g = redis.call('HMGET', G, 'visibility', 'domains', 'join_policy', 'arrivals', 'rev')
if not g[5] then return redis.error_reply('NOT_FOUND') end
if redis.call('SISMEMBER', BANS, uid) == 1 then return redis.error_reply('BANNED') end
-- A member is told so, whatever else would refuse them.
local function refuse(code)
  if redis.call('ZSCORE', MEMBERS, uid) then code = 'ALREADY_MEMBER' end
  return redis.error_reply(code)
end
local invited = redis.call('HEXISTS', INVITES, uid) == 1
if not invited and g[1] == 'private' then return refuse('NOT_FOUND') end
if ARGV[1] == 'accept' and not invited then return refuse('NO_INVITE') end
if not domain_ok(domains, g[2]) then return refuse('DOMAIN') end
if not invited then
  if g[3] == 'approval' then return refuse('APPLY') end
  if g[3] == 'invite' then return refuse('INVITE_ONLY') end
end
local count = add_member(uid, now, invited, g[4], g[5])
if not count then return redis.error_reply('ALREADY_MEMBER') end
return joined(count, invited)
`

var joinScript = groupScript(joinBody)

// applyScript: ARGV action, user, now, domains, answer, run.
var applyScript = groupScript(`
local uid, now, domains, answer = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('SISMEMBER', BANS, uid) == 1 then return redis.error_reply('BANNED') end
if redis.call('ZSCORE', MEMBERS, uid) then return redis.error_reply('ALREADY_MEMBER') end
if redis.call('HGET', G, 'visibility') == 'private' and redis.call('HEXISTS', INVITES, uid) == 0 then
  return redis.error_reply('NOT_FOUND')
end
local policy = redis.call('HGET', G, 'join_policy')
if policy == 'open' then return redis.error_reply('OPEN') end
if policy == 'invite' then return redis.error_reply('INVITE_ONLY') end
if not domain_ok(domains) then return redis.error_reply('DOMAIN') end
if redis.call('ZSCORE', REQUESTS, uid) then return redis.error_reply('ALREADY_APPLIED') end
redis.call('HSET', APPS, uid, cjson.encode({answer = answer, status = 'pending', applied = now, decided = ''}))
redis.call('ZADD', REQUESTS, next_arrival(), uid)
notice(ARGV[6], 'join_request', uid, nil, answer)
return 'OK'
`)

// decideScript: ARGV action, actor, applicant, "approved" or "declined",
// now, run.
// The DECIDED error carries the earlier outcome after a space.
var decideScript = groupScript(`
local actor, uid, status, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if not organizer(actor) then return redis.error_reply('FORBIDDEN') end
local raw = redis.call('HGET', APPS, uid)
if not raw then return redis.error_reply('NO_REQUEST') end
local a = cjson.decode(raw)
if a.status ~= 'pending' then return redis.error_reply('DECIDED ' .. a.status) end
if status == 'approved' then
  if not add_member(uid, now) then decide(uid, status, now) end
else
  decide(uid, 'declined', now)
end
notice(ARGV[6], status, uid, actor)
return 'OK'
`)

// membersScript: ARGV action, first rank, last rank. Returns {owner,
// co-organizers, {user, join ms, ...} for the page in arrival order, member
// count}; it only reads.
var membersScript = groupScript(`
local ids = redis.call('ZRANGE', MEMBERS, ARGV[2], ARGV[3], 'WITHSCORES')
local page = {}
for i = 1, #ids, 2 do
  table.insert(page, ids[i])
  table.insert(page, redis.call('HGET', JOINED, ids[i]) or ids[i+1])
end
return {redis.call('HGET', G, 'owner'), redis.call('SMEMBERS', ORGS), page, redis.call('ZCARD', MEMBERS)}
`)

// inviteScript: ARGV action, actor, invitee, now, run.
var inviteScript = groupScript(`
local actor, uid, now = ARGV[2], ARGV[3], ARGV[4]
if not organizer(actor) then return redis.error_reply('FORBIDDEN') end
if redis.call('SISMEMBER', BANS, uid) == 1 then return redis.error_reply('BANNED') end
if redis.call('ZSCORE', MEMBERS, uid) then return redis.error_reply('ALREADY_MEMBER') end
redis.call('HSET', INVITES, uid, cjson.encode({by = actor, at = now}))
notice(ARGV[5], 'invited', uid, actor)
return 'OK'
`)

// declineInviteScript: ARGV action, invitee.
var declineInviteScript = groupScript(`
if redis.call('HDEL', INVITES, ARGV[2]) == 0 then return redis.error_reply('NO_INVITE') end
return 'OK'
`)

// leaveScript: ARGV action, user.
var leaveScript = groupScript(`
local uid = ARGV[2]
if redis.call('HGET', G, 'owner') == uid then return redis.error_reply('OWNER') end
if not redis.call('ZSCORE', MEMBERS, uid) then return redis.error_reply('NOT_MEMBER') end
drop_member(uid)
return 'OK'
`)

// moderateScript: ARGV action ("remove", "ban", "unban", "promote",
// "demote"), actor, target, now. Nobody acts on the owner; only the owner
// removes or bans a co-organizer.
var moderateScript = groupScript(`
local action, actor, uid, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local ar = role(actor)
if ar ~= 'owner' and ar ~= 'organizer' then return redis.error_reply('FORBIDDEN') end
if action == 'unban' then
  redis.call('SREM', BANS, uid)
  return 'OK'
end
local tr = role(uid)
if tr == 'owner' then return redis.error_reply('FORBIDDEN') end
if action == 'ban' then
  if tr == 'organizer' and ar ~= 'owner' then return redis.error_reply('FORBIDDEN') end
  redis.call('SADD', BANS, uid)
  if tr ~= '' then drop_member(uid) end
  redis.call('HDEL', INVITES, uid)
  decide(uid, 'declined', now)
  return 'OK'
end
if tr == '' then return redis.error_reply('NOT_MEMBER') end
if action == 'remove' then
  if tr == 'organizer' and ar ~= 'owner' then return redis.error_reply('FORBIDDEN') end
  drop_member(uid)
elseif action == 'promote' then
  redis.call('SADD', ORGS, uid)
elseif action == 'demote' then
  redis.call('SREM', ORGS, uid)
end
return 'OK'
`)

// transferScript: ARGV action, actor, new owner.
var transferScript = groupScript(`
local actor, uid = ARGV[2], ARGV[3]
if redis.call('HGET', G, 'owner') ~= actor then return redis.error_reply('FORBIDDEN') end
if actor == uid then return 'OK' end
if not redis.call('ZSCORE', MEMBERS, uid) then return redis.error_reply('NOT_MEMBER') end
redis.call('HSET', G, 'owner', uid)
redis.call('SREM', ORGS, uid)
redis.call('SADD', ORGS, actor)
bump_content()
return 'OK'
`)

// deleteScript: ARGV action, actor; KEYS end with the invite links hash.
// Deletes every key of the group and
// returns {slug, members, invitees, applicants} for the follow-up cleanup
// of the slug claim and the per-user lists.
var deleteScript = groupScript(`
local actor = ARGV[2]
if redis.call('HGET', G, 'owner') ~= actor then return redis.error_reply('FORBIDDEN') end
local slug = redis.call('HGET', G, 'slug')
local members = redis.call('ZRANGE', MEMBERS, 0, -1)
local invitees = redis.call('HKEYS', INVITES)
local applicants = redis.call('HKEYS', APPS)
redis.call('DEL', G, MEMBERS, ORGS, BANS, INVITES, APPS, REQUESTS, JOINED, NOTICES, KEYS[10])
return {slug, members, invitees, applicants}
`)

// releaseSlugScript deletes a slug claim only if it still names the group.
var releaseSlugScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)
