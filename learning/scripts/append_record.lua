-- Append a learning record to the record stream and its index entries in one step: the index member is the
-- stream id, known only inside Redis.
-- KEYS: records stream, conversation's records, set of indexes, index keys... ARGV: version, record JSON, ttl s.
local id = redis.call('XADD', KEYS[1], '*', 'v', ARGV[1], 'r', ARGV[2])
local ms = tonumber(string.match(id, '^(%d+)-'))
redis.call('SADD', KEYS[2], id)
redis.call('EXPIRE', KEYS[2], ARGV[3])
for i = 4, #KEYS do
  redis.call('ZADD', KEYS[i], ms, id)
  redis.call('SADD', KEYS[3], KEYS[i])
end
return id
