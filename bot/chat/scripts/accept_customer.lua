-- Accept one customer message in one round trip, atomically: a client id already kept is answered with its
-- sequence number; otherwise the message counts against the rate limit, is kept with the next sequence number and,
-- unless a person holds the conversation or one is coming (or the gateway answers it itself), queued for Rasa. A
-- closed conversation (the agent ended it) goes back to the bot with this message.
-- KEYS: history, client ids, pending, pending set, rate key prefix, conversation.
-- ARGV: client id, entry JSON, '1' for Rasa, ttl s, conversation id, rate limit, rate window s, holders agent,
-- waiting, closed, bot.
-- Returns {seq, duplicate, queued, retry_after_ms}; a refused message is {0, 0, 0, ms until the window ends}.
local known = redis.call('HGET', KEYS[2], ARGV[1])
if known then return {tonumber(known), 1, 0, 0} end
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local window_ms = tonumber(ARGV[7]) * 1000
local window = math.floor(now_ms / window_ms)
local rate_key = KEYS[5] .. window
local count = redis.call('INCR', rate_key)
if count == 1 then redis.call('EXPIRE', rate_key, tonumber(ARGV[7]) + 1) end
if count > tonumber(ARGV[6]) then return {0, 0, 0, (window + 1) * window_ms - now_ms} end
local seq = redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], seq)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
local queued = 0
local holder = redis.call('HGET', KEYS[6], 'holder')
if holder == ARGV[10] then redis.call('HSET', KEYS[6], 'holder', ARGV[11]) end
if ARGV[3] == '1' and holder ~= ARGV[8] and holder ~= ARGV[9] then
  local entry = cjson.decode(ARGV[2])
  redis.call('RPUSH', KEYS[3], cjson.encode({seq = seq, client_id = entry['client_id'], text = entry['text']}))
  redis.call('EXPIRE', KEYS[3], ARGV[4])
  redis.call('SADD', KEYS[4], ARGV[5])
  queued = 1
end
return {seq, 0, queued, 0}
