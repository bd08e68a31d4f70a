-- Accept: only a waiting case in the queue the agent saw, only with room in the agent's capacity.
-- KEYS: state, waiting, agent cases, stream. ARGV: case id, agent, capacity, now ms, group, queue
-- Returns {1, agent} won; {0, holder or status} someone else was first; {-1, n} at capacity; {-2, queue} moved.
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'waiting' then return {0, redis.call('HGET', KEYS[1], 'agent') or status or 'gone'} end
if redis.call('HGET', KEYS[1], 'queue') ~= ARGV[6] then return {-2, redis.call('HGET', KEYS[1], 'queue')} end
local holding = redis.call('SCARD', KEYS[3])
if holding >= tonumber(ARGV[3]) then return {-1, tostring(holding)} end
if redis.call('ZREM', KEYS[2], ARGV[1]) == 0 then return {0, 'gone'} end
redis.call('HSET', KEYS[1], 'status', 'accepted', 'agent', ARGV[2], 'accepted_at', ARGV[4])
redis.call('SADD', KEYS[3], ARGV[1])
drop_entry(KEYS[1], KEYS[4], ARGV[5])
return {1, ARGV[2]}
