-- Drop a conversation from the pending set once nothing is pending. KEYS: pending, pending set. ARGV: conversation id.
if redis.call('LLEN', KEYS[1]) == 0 then return redis.call('SREM', KEYS[2], ARGV[1]) end
return 0
