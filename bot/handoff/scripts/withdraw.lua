-- Withdrawn: the customer no longer wants a person. Out of the queue, or off the parked lists, in one step, from
-- waiting or parked only (an agent who accepted first keeps the chat). KEYS: state, waiting, stream, parked,
-- callbacks. ARGV: case id, group. Returns {1, status before} or {0, status now}.
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'waiting' and status ~= 'callback_requested' and status ~= 'ticket_requested' then
  return {0, status or 'gone'}
end
redis.call('ZREM', KEYS[2], ARGV[1])
drop_entry(KEYS[1], KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'withdrawn', 'entry', '', 'ended_at', tostring(redis.call('TIME')[1]))
return {1, status}
