-- Retire a subscription once every channel was sent (or it was stopped). KEYS: alarm set, sub, sent, conversation.
-- ARGV: conversation, alarm. Returns the subscriptions left for the alarm.
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('SREM', KEYS[4], ARGV[2])
return redis.call('ZCARD', KEYS[1])
