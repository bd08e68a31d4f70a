-- Out of the queue and out of the agent's hands, with a final (or parked) status, from one of the allowed ones.
-- KEYS: state, waiting, agent cases, stream. ARGV: case id, new status, group, agent or '', allowed statuses...
local status = redis.call('HGET', KEYS[1], 'status')
local allowed = false
for i = 5, #ARGV do if ARGV[i] == status then allowed = true end end
if not allowed then return {0, status or 'gone'} end
local agent = redis.call('HGET', KEYS[1], 'agent') or ''
if ARGV[4] ~= '' and status == 'accepted' and agent ~= ARGV[4] then return {0, 'another agent'} end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
drop_entry(KEYS[1], KEYS[4], ARGV[3])
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'entry', '', 'ended_at', tostring(redis.call('TIME')[1]))
if agent ~= '' then redis.call('HSET', KEYS[1], 'last_agent', agent) end
return {1, status}
