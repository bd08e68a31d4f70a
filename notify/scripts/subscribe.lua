-- Add or replace one subscription, unless the alarm already holds `cap` others (expired ones are dropped first).
-- KEYS: alarm set, subscription, conversation set, sent; ARGV: conversation, alarm, payload, ttl_s, now_s, cap.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[5])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[6]) then
  return 0
end
redis.call('ZADD', KEYS[1], tonumber(ARGV[5]) + tonumber(ARGV[4]), ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
redis.call('DEL', KEYS[4])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return 1
