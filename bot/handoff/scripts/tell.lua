-- What the customer was last told about their place: set it, and say whether it changed (so of two gateways
-- refreshing places at once only one tells the customer). KEYS: state. ARGV: told.
if redis.call('HGET', KEYS[1], 'told') == ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'told', ARGV[1])
return 1
