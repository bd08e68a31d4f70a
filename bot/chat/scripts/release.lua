-- Let go of the delivery lock if still held with this token. KEYS: lock, pending. ARGV: token.
-- Returns the number of pending messages (arrived while it was held).
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return redis.call('LLEN', KEYS[2])
