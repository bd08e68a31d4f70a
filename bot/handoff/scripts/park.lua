-- Parked: the customer chose a callback or a ticket instead of waiting. Out of the queue, into the queue's list of
-- parked cases (and the callbacks' list), in one step. KEYS: state, waiting, stream, parked, callbacks
-- ARGV: case id, new status, group, now ms
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'waiting' then return {0, status or 'gone'} end
redis.call('ZREM', KEYS[2], ARGV[1])
drop_entry(KEYS[1], KEYS[3], ARGV[3])
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'entry', '', 'ended_at', tostring(redis.call('TIME')[1]))
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
if ARGV[2] == 'callback_requested' then redis.call('ZADD', KEYS[5], math.floor(ARGV[4] / 1000), ARGV[1]) end
return {1, status}
