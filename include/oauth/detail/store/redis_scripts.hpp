#ifndef OAUTH_DETAIL_STORE_REDIS_SCRIPTS_HPP
#define OAUTH_DETAIL_STORE_REDIS_SCRIPTS_HPP

#include <oauth/detail/store/redis_connection.hpp>

namespace oauth::detail::store::redis_scripts {

// Every change of more than one key, and every check-then-write, is one of these scripts:
// Redis runs a script alone, so each is a transaction. Field lists travel as
// ARGV: <n>, then n name/value pairs, then the names of fields to delete.

/// KEYS: state, owner's states. ARGV: forget_at_ms, fields...
inline constexpr RedisScript put_state{R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local n = tonumber(ARGV[2])
for i = 0, n - 1 do redis.call('HSET', KEYS[1], ARGV[3 + 2 * i], ARGV[4 + 2 * i]) end
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], KEYS[1])
if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIREAT', KEYS[2], ARGV[1])
else redis.call('PEXPIREAT', KEYS[2], ARGV[1], 'GT') end
return 1
)lua"};

/// KEYS: state. ARGV: remembered_since_us, session id. {0} unknown, {1} used, {3} another
/// session's (left as it was), {2, fields...} taken.
inline constexpr RedisScript take_state{R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
if tonumber(redis.call('HGET', KEYS[1], 'expires_at')) < tonumber(ARGV[1]) then return {0} end
if redis.call('HGET', KEYS[1], 'used') == '1' then return {1} end
if redis.call('HGET', KEYS[1], 'session_id') ~= ARGV[2] then return {3} end
redis.call('HSET', KEYS[1], 'used', '1')
return {2, redis.call('HGETALL', KEYS[1])}
)lua"};

/// KEYS: account, owner's integrations, every integration, owner's consents.
/// ARGV: integration key prefix, new id, created_us, consent JSON, fields...
inline constexpr RedisScript save_connection{R"lua(
local id = redis.call('GET', KEYS[1])
local key
if id then
  key = ARGV[1] .. id
  redis.call('HINCRBY', key, 'version', 1)
else
  id = ARGV[2]
  key = ARGV[1] .. id
  redis.call('HSET', key, 'version', 1, 'created_at', ARGV[3], 'id', id, 'account_key', KEYS[1])
  redis.call('SET', KEYS[1], id)
  redis.call('ZADD', KEYS[2], ARGV[3], id)
  redis.call('ZADD', KEYS[3], 0, id)
end
local n = tonumber(ARGV[5])
for i = 0, n - 1 do redis.call('HSET', key, ARGV[6 + 2 * i], ARGV[7 + 2 * i]) end
for i = 6 + 2 * n, #ARGV do redis.call('HDEL', key, ARGV[i]) end
local consent = cjson.decode(ARGV[4])
consent['integration_id'] = id
redis.call('RPUSH', KEYS[4], cjson.encode(consent))
return redis.call('HGETALL', key)
)lua"};

/// KEYS: integration. ARGV: tenant, user, expected version, fields...
inline constexpr RedisScript update_tokens{R"lua(
local owner = redis.call('HMGET', KEYS[1], 'tenant_id', 'user_id', 'version', 'status')
if owner[1] ~= ARGV[1] or owner[2] ~= ARGV[2] then return 'missing' end
if owner[3] ~= ARGV[3] or owner[4] == 'disconnected' then return 'conflict' end
local n = tonumber(ARGV[4])
for i = 0, n - 1 do redis.call('HSET', KEYS[1], ARGV[5 + 2 * i], ARGV[6 + 2 * i]) end
for i = 5 + 2 * n, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
redis.call('HINCRBY', KEYS[1], 'version', 1)
return redis.call('HGETALL', KEYS[1])
)lua"};

/// KEYS: integration. ARGV: tenant, user, bump version (1 or 0), fields...
inline constexpr RedisScript update_owned{R"lua(
local owner = redis.call('HMGET', KEYS[1], 'tenant_id', 'user_id')
if owner[1] ~= ARGV[1] or owner[2] ~= ARGV[2] then return 'missing' end
local n = tonumber(ARGV[4])
for i = 0, n - 1 do redis.call('HSET', KEYS[1], ARGV[5 + 2 * i], ARGV[6 + 2 * i]) end
for i = 5 + 2 * n, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
if ARGV[3] == '1' then redis.call('HINCRBY', KEYS[1], 'version', 1) end
return redis.call('HGETALL', KEYS[1])
)lua"};

/// KEYS: integration, its lease, owner's consents, its cached resources. ARGV: tenant,
/// user, id, updated_us.
inline constexpr RedisScript disconnect{R"lua(
local owner = redis.call('HMGET', KEYS[1], 'tenant_id', 'user_id')
if owner[1] ~= ARGV[1] or owner[2] ~= ARGV[2] then return 'missing' end
redis.call('HSET', KEYS[1], 'status', 'disconnected', 'updated_at', ARGV[4])
redis.call('HDEL', KEYS[1], 'access_token', 'refresh_token', 'token_type', 'expires_at', 'issued_at', 'key_id')
redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('DEL', KEYS[2], KEYS[4])
local kept = {}
for _, text in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
  if cjson.decode(text)['integration_id'] ~= ARGV[3] then table.insert(kept, text) end
end
redis.call('DEL', KEYS[3])
if #kept > 0 then redis.call('RPUSH', KEYS[3], unpack(kept)) end
return redis.call('HGETALL', KEYS[1])
)lua"};

/// KEYS: integration, its lease. ARGV: tenant, user, holder, now_us, until_us, ttl_ms.
/// The lease holds "<until_us> <holder>": its end is the callers' clock, like the SQL stores.
inline constexpr RedisScript acquire_lease{R"lua(
local owner = redis.call('HMGET', KEYS[1], 'tenant_id', 'user_id')
if owner[1] ~= ARGV[1] or owner[2] ~= ARGV[2] then return 'missing' end
local current = redis.call('GET', KEYS[2])
if current then
  local space = string.find(current, ' ', 1, true)
  local until_us = tonumber(string.sub(current, 1, space - 1))
  local holder = string.sub(current, space + 1)
  if holder ~= ARGV[3] and until_us > tonumber(ARGV[4]) then return 0 end
end
redis.call('SET', KEYS[2], ARGV[5] .. ' ' .. ARGV[3], 'PX', ARGV[6])
return 1
)lua"};

/// KEYS: integration, its lease. ARGV: tenant, user, holder.
inline constexpr RedisScript release_lease{R"lua(
local owner = redis.call('HMGET', KEYS[1], 'tenant_id', 'user_id')
if owner[1] ~= ARGV[1] or owner[2] ~= ARGV[2] then return 0 end
local current = redis.call('GET', KEYS[2])
if current and string.sub(current, string.find(current, ' ', 1, true) + 1) == ARGV[3] then
  redis.call('DEL', KEYS[2])
end
return 1
)lua"};

/// KEYS: integration, its cached resources. ARGV: tenant, user, kind prefix, then field
/// and value pairs. The kind's fields are replaced as one.
inline constexpr RedisScript replace_resources{R"lua(
local owner = redis.call('HMGET', KEYS[1], 'tenant_id', 'user_id')
if owner[1] ~= ARGV[1] or owner[2] ~= ARGV[2] then return 'missing' end
local fields = redis.call('HKEYS', KEYS[2])
for _, field in ipairs(fields) do
  if string.sub(field, 1, #ARGV[3]) == ARGV[3] then redis.call('HDEL', KEYS[2], field) end
end
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
)lua"};

/// KEYS: owner's integrations, consents, audit, states; every integration.
/// ARGV: integration, lease and cached-resources key prefixes.
inline constexpr RedisScript erase_user{R"lua(
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local account = redis.call('HGET', ARGV[1] .. id, 'account_key')
  if account then redis.call('DEL', account) end
  redis.call('DEL', ARGV[1] .. id, ARGV[2] .. id, ARGV[3] .. id)
  redis.call('ZREM', KEYS[5], id)
end
for _, state in ipairs(redis.call('SMEMBERS', KEYS[4])) do redis.call('DEL', state) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return 1
)lua"};

/// KEYS: a rate bucket. ARGV: interval_us, tolerance_us, refusable (1 or 0).
/// {1, wait_us} granted; {0, wait_us} refused, nothing written. On the server's clock, so
/// that every instance's slots are timed alike; the bucket expires once it is full again.
inline constexpr RedisScript rate_slot{R"lua(
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local arrival = math.max(tonumber(redis.call('GET', KEYS[1]) or 0), now)
local wait = arrival - tonumber(ARGV[2]) - now
if wait > 0 and ARGV[3] == '1' then return {0, wait} end
arrival = arrival + interval
redis.call('SET', KEYS[1], string.format('%.0f', arrival), 'PX', math.ceil((arrival - now) / 1000))
return {1, math.max(wait, 0)}
)lua"};

}  // namespace oauth::detail::store::redis_scripts

#endif
