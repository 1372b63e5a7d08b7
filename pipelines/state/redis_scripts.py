"""The Lua scripts of :class:`pipelines.state.redis_store.RedisStore`.

Each runs atomically in Redis: a decision checks committed articles, fingerprints and band
keys *and* other workers' claims, and claims what it lets through, in one round trip.
Keys are computed inside the scripts from the store prefix (standalone Redis, not Cluster).
"""

MATCHES_LUA = """
local function matches(a, b)
  if #a ~= #b then return -1 end
  local m = 0
  for i = 1, #a, 4 do
    if string.sub(a, i, i + 3) == string.sub(b, i, i + 3) then m = m + 1 end
  end
  return m
end
"""

# ARGV: store prefix, owner token, ttl ms, id, fingerprint, packed signature or "",
# min equal slots, band keys...
# Returns {verdict, version, other (previous fingerprint or original id), equal slots,
#          decided against another worker's claim (0/1), text claimed (0/1),
#          previous fingerprint of a stored copy whose text changed, or ""}.
# A stored copy whose text changed is judged afresh against the originals (never itself):
# a duplicate verdict again, or 'new' (promoted to an original), with the next version.
DECIDE = (
    MATCHES_LUA
    + """
local S, me, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local id, fp, sig, min_matches = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
local bands = {}
for i = 8, #ARGV do bands[#bands + 1] = ARGV[i] end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function claim_id(with_text)
  local key = S .. 'ca:' .. id
  if with_text then
    redis.call('HSET', key, 'o', me, 'fp', fp, 'sig', sig)
  else
    redis.call('HSET', key, 'o', me)
  end
  redis.call('PEXPIRE', key, ttl)
end
local function claim_text()
  local fkey = S .. 'cf:' .. fp
  redis.call('HSET', fkey, 'o', me, 'id', id)
  redis.call('PEXPIRE', fkey, ttl)
  for _, band in ipairs(bands) do
    local bkey = S .. 'cb:' .. band
    redis.call('ZADD', bkey, now + ttl, id)
    -- Every renewal pushes the key's expiry past all its members' scores.
    redis.call('PEXPIRE', bkey, ttl)
  end
end

local art = redis.call('HMGET', S .. 'a:' .. id, 'fp', 'v', 'dup')
local id_owner = redis.call('HGET', S .. 'ca:' .. id, 'o')
if id_owner and id_owner ~= me then
  -- Another worker is emitting this id right now: a variant of it, as within one run.
  return {'unchanged', art[2] or '1', '', 0, 1, 0, ''}
end
-- For a new id: version 1, no earlier text. For a stored copy whose text changed: its next
-- version, and the text it had.
local version, was = '1', ''
if art[1] then
  if art[1] == fp then return {'unchanged', art[2], '', 0, 0, 0, ''} end
  if (not art[3]) or art[3] == '' then
    claim_id(true)
    claim_text()
    return {'revised', tostring(tonumber(art[2]) + 1), art[1], 0, 0, 1, ''}
  end
  version, was = tostring(tonumber(art[2]) + 1), art[1]
end
local owner = redis.call('GET', S .. 'f:' .. fp)
if owner and owner ~= id then
  claim_id(false)
  return {'duplicate_text', version, owner, 0, 0, 0, was}
end
local fc = redis.call('HMGET', S .. 'cf:' .. fp, 'o', 'id')
if fc[1] and fc[1] ~= me and fc[2] ~= id then
  claim_id(false)
  return {'duplicate_text', version, fc[2], 0, 1, 0, was}
end
if sig ~= '' then
  local best, best_m, best_claimed = nil, -1, 0
  local seen = {[id] = true}
  for _, band in ipairs(bands) do
    for _, other in ipairs(redis.call('SMEMBERS', S .. 'b:' .. band)) do
      if not seen[other] then
        seen[other] = true
        local theirs = redis.call('HGET', S .. 'a:' .. other, 'sig')
        if theirs then
          local m = matches(sig, theirs)
          if m >= min_matches and m > best_m then best, best_m, best_claimed = other, m, 0 end
        end
      end
    end
    local bkey = S .. 'cb:' .. band
    redis.call('ZREMRANGEBYSCORE', bkey, '-inf', now)
    for _, other in ipairs(redis.call('ZRANGE', bkey, 0, -1)) do
      if not seen[other] then
        seen[other] = true
        local c = redis.call('HMGET', S .. 'ca:' .. other, 'o', 'sig')
        if c[1] and c[1] ~= me and c[2] and c[2] ~= '' then
          local m = matches(sig, c[2])
          if m >= min_matches and m > best_m then best, best_m, best_claimed = other, m, 1 end
        end
      end
    end
  end
  if best then
    claim_id(false)
    return {'near_duplicate', version, best, best_m, best_claimed, 0, was}
  end
end
claim_id(true)
claim_text()
return {'new', version, '', 0, 0, 1, was}
"""
)

# ARGV: store prefix, owner token, payload JSON, packed signatures (payload refers to them
# by 1-based position). Returns {batch id or 0, ids whose claim was no longer ours...}.
COMMIT = """
local S, me = ARGV[1], ARGV[2]
local p = cjson.decode(ARGV[3])
local now = p.now
local lost = {}

local function release(id, fp, bands)
  local key = S .. 'ca:' .. id
  local owner = redis.call('HGET', key, 'o')
  if owner == me then redis.call('DEL', key) end
  local fkey = S .. 'cf:' .. fp
  if redis.call('HGET', fkey, 'o') == me then redis.call('DEL', fkey) end
  for _, band in ipairs(bands) do redis.call('ZREM', S .. 'cb:' .. band, id) end
  return owner
end
local function index(akey, id, fp, bands)
  redis.call('SETNX', S .. 'f:' .. fp, id)
  for _, band in ipairs(bands) do redis.call('SADD', S .. 'b:' .. band, id) end
  redis.call('HSET', akey, 'bands', table.concat(bands, ','))
end

for _, d in ipairs(p.d) do
  local verdict, id, url, fp, version, dup, sigi, bands, claimed =
    d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9]
  local sig = ''
  if sigi > 0 then sig = ARGV[3 + sigi] end
  local akey = S .. 'a:' .. id
  if verdict == 'unchanged' then
    if redis.call('EXISTS', akey) == 1 then redis.call('HSET', akey, 'last', now) end
  else
    -- Decisions the ledger made from its own pending records hold no claim here.
    if release(id, fp, bands) ~= me and claimed == 1 then lost[#lost + 1] = id end
    if verdict == 'revised' then
      local old = redis.call('HMGET', akey, 'dup', 'bands')
      redis.call('HSET', akey, 'fp', fp, 'v', version, 'last', now, 'url', url, 'sig', sig)
      if (not old[1]) or old[1] == '' then
        if old[2] and old[2] ~= '' then
          for band in string.gmatch(old[2], '[^,]+') do
            redis.call('SREM', S .. 'b:' .. band, id)
          end
        end
        index(akey, id, fp, bands)
      end
    else
      -- Copies are remembered (a rerun calls them unchanged) but never indexed: later
      -- copies then point at the original, not at a copy of it. A stored copy takes its
      -- new text, version and original ('new': promoted to an original, indexed); an
      -- original is never turned into a copy.
      local stored = redis.call('HMGET', akey, 'fp', 'dup')
      if not stored[1] then
        redis.call('HSET', akey, 'first', now)
        redis.call('INCR', S .. 'count')
      end
      if (not stored[1]) or (stored[2] and stored[2] ~= '') then
        redis.call('HSET', akey, 'url', url, 'fp', fp, 'v', version, 'last', now,
                   'sig', sig, 'dup', dup)
        if verdict == 'new' then index(akey, id, fp, bands) end
      end
    end
  end
end
for _, u in ipairs(p.u) do
  local ukey = S .. 'u:' .. u[1]
  redis.call('HSETNX', ukey, 'first', now)
  redis.call('HSET', ukey, 'a', u[2], 'last', now)
  if u[3] ~= '' then redis.call('HSET', ukey, 'hint', u[3]) end
end
local out = {0}
if p.batch then
  out[1] = redis.call('INCR', S .. 'batch-seq')
  redis.call('HSET', p.batch[1], out[1], p.batch[2])
end
for _, id in ipairs(lost) do out[#out + 1] = id end
return out
"""

# ARGV: store prefix, owner token, ttl ms, lease key, claims JSON [[id, fp, [bands]], ...].
# Renews this worker's lease and the claims it still holds (never another worker's).
RENEW = """
local S, me, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
redis.call('SET', ARGV[4], '1', 'PX', ttl)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local renewed = 0
for _, c in ipairs(cjson.decode(ARGV[5])) do
  local key = S .. 'ca:' .. c[1]
  if redis.call('HGET', key, 'o') == me then
    redis.call('PEXPIRE', key, ttl)
    renewed = renewed + 1
    local fkey = S .. 'cf:' .. c[2]
    if c[2] ~= '' and redis.call('HGET', fkey, 'o') == me then redis.call('PEXPIRE', fkey, ttl) end
    for _, band in ipairs(c[3]) do
      local bkey = S .. 'cb:' .. band
      if redis.call('ZADD', bkey, 'XX', 'CH', now + ttl, c[1]) == 1 then
        redis.call('PEXPIRE', bkey, ttl)
      end
    end
  end
end
return renewed
"""

# ARGV: store prefix, owner token, claims JSON as for _RENEW. Drops claims never committed.
RELEASE = """
local S, me = ARGV[1], ARGV[2]
for _, c in ipairs(cjson.decode(ARGV[3])) do
  local key = S .. 'ca:' .. c[1]
  if redis.call('HGET', key, 'o') == me then redis.call('DEL', key) end
  local fkey = S .. 'cf:' .. c[2]
  if c[2] ~= '' and redis.call('HGET', fkey, 'o') == me then redis.call('DEL', fkey) end
  for _, band in ipairs(c[3]) do redis.call('ZREM', S .. 'cb:' .. band, c[1]) end
end
return 1
"""
