-- Keep the bot's replies and retire the pending message they answer, together: a restart in between would
-- otherwise either lose the replies or have Rasa answer the message again. Rasa answered, so it is not down.
-- Only the lock's holder may do this.
-- KEYS: history, pending, pending set, assistant down, lock. ARGV: ttl s, conversation id, token, lock ms, replies...
-- Returns {seq of the last reply, next pending message or false}; {-1, false} when the lock was lost.
if redis.call('GET', KEYS[5]) ~= ARGV[3] then return {-1, false} end
local seq = 0
for i = 5, #ARGV do seq = redis.call('RPUSH', KEYS[1], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('LPOP', KEYS[2])
redis.call('DEL', KEYS[4])
redis.call('PEXPIRE', KEYS[5], ARGV[4])
local following = redis.call('LINDEX', KEYS[2], 0)
if following == false then redis.call('SREM', KEYS[3], ARGV[2]) end
return {seq, following}
