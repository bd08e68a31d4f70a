-- Back into a queue (an agent gone past their grace, or a transfer): from accepted (by ARGV[2] if given) or
-- waiting. KEYS: state, old waiting, new waiting, old agent cases, old stream, new stream
-- ARGV: case id, expected agent or '', new queue, score, group, maxlen, event
local status = redis.call('HGET', KEYS[1], 'status')
local agent = redis.call('HGET', KEYS[1], 'agent') or ''
if status ~= 'accepted' and status ~= 'waiting' then return 0 end
if ARGV[2] ~= '' and (status ~= 'accepted' or agent ~= ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
if agent ~= '' then redis.call('SREM', KEYS[4], ARGV[1]) end
drop_entry(KEYS[1], KEYS[5], ARGV[5])
local entry = redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[6], '*', 'case_id', ARGV[1], 'event', ARGV[7])
redis.call('HSET', KEYS[1], 'status', 'waiting', 'agent', '', 'queue', ARGV[3], 'score', ARGV[4], 'entry', entry)
if agent ~= '' then redis.call('HSET', KEYS[1], 'last_agent', agent) end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return 1
