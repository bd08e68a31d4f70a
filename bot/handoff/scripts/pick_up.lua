-- Pick up a parked case: like accept, from callback_requested or ticket_requested, and only while it is still
-- the conversation's current case (a newer handoff of the same chat is the one to take).
-- KEYS: state, agent cases, parked, callbacks, conversation. ARGV: case id, agent, capacity, now ms, queue
-- Returns {1, agent} won; {0, holder or status} not parked (any more); {-1, n} at capacity; {-2, queue} moved;
-- {-3, current case} superseded.
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'callback_requested' and status ~= 'ticket_requested' then
  if status == 'accepted' then return {0, redis.call('HGET', KEYS[1], 'agent')} end
  return {0, status or 'gone'}
end
if redis.call('HGET', KEYS[1], 'queue') ~= ARGV[5] then return {-2, redis.call('HGET', KEYS[1], 'queue')} end
local current = redis.call('GET', KEYS[5])
if current ~= ARGV[1] then return {-3, current or ''} end
local holding = redis.call('SCARD', KEYS[2])
if holding >= tonumber(ARGV[3]) then return {-1, tostring(holding)} end
redis.call('HSET', KEYS[1], 'status', 'accepted', 'agent', ARGV[2], 'accepted_at', ARGV[4])
redis.call('HDEL', KEYS[1], 'ended_at')
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return {1, ARGV[2]}
