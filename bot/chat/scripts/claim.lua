-- Take a conversation's delivery lock (a random token, expiring) and return the oldest pending message. Also says
-- whether a person holds the conversation or one is coming: messages queued while the bot held it, but still
-- pending once a turn raised a handoff, go to the person, never to Rasa.
-- KEYS: lock, pending, pending set, conversation. ARGV: token, lock ms, conversation id, holders agent, waiting.
-- Returns {taken, oldest pending or false, held}.
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) == false then return {0, false, 0} end
local first = redis.call('LINDEX', KEYS[2], 0)
if first == false then redis.call('SREM', KEYS[3], ARGV[3]) end
local holder = redis.call('HGET', KEYS[4], 'holder')
local held = 0
if holder == ARGV[4] or holder == ARGV[5] then held = 1 end
return {1, first, held}
