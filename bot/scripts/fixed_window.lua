-- One action counted in a fixed window that starts with the key's first action. KEYS: the counter. ARGV: limit,
-- window s. Returns {actions in this window (this one included), 0 when allowed else the seconds until it ends}.
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then return {n, math.max(1, redis.call('TTL', KEYS[1]))} end
return {n, 0}
