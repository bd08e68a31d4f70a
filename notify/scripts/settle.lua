-- Forget a cleared alarm once nothing is left to send for it. KEYS: alarm set, cleared set; ARGV: alarm id, now.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) return 1 end
return 0
