-- KEYS: case, state, waiting, stream, conversation, customer (or a dummy), request
-- ARGV: case json, case id, queue, priority, score, maxlen, conversation id, created ms, ttl, customer?('1'/'0'),
--       card (what a queue list shows, JSON)
if redis.call('SET', KEYS[7], ARGV[2], 'NX', 'EX', ARGV[9]) == false then
  return {0, redis.call('GET', KEYS[7])}
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[9])
local entry = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[6], '*', 'case_id', ARGV[2], 'event', 'queued')
redis.call('HSET', KEYS[2], 'status', 'waiting', 'queue', ARGV[3], 'priority', ARGV[4], 'score', ARGV[5],
  'entry', entry, 'conversation_id', ARGV[7], 'agent', '', 'reannounced', 0, 'card', ARGV[11])
redis.call('EXPIRE', KEYS[2], ARGV[9])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[2])
redis.call('SET', KEYS[5], ARGV[2], 'EX', ARGV[9])
if ARGV[10] == '1' then
  redis.call('ZADD', KEYS[6], ARGV[8], ARGV[2])
  redis.call('EXPIRE', KEYS[6], ARGV[9])
end
return {1, ARGV[2]}
