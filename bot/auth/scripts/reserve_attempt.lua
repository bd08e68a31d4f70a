-- Count one login attempt before its password is checked.
-- KEYS: pair, account, address; ARGV: window, per client, per account, per address.
-- Returns {0, 0} to go ahead, or {1, seconds} to wait.
local pair = redis.call('INCR', KEYS[1])
if pair == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if pair > tonumber(ARGV[2]) then return {1, redis.call('TTL', KEYS[1])} end
local address = tonumber(redis.call('GET', KEYS[3]) or '0')
if address >= tonumber(ARGV[4]) then return {1, redis.call('TTL', KEYS[3])} end
local account = tonumber(redis.call('GET', KEYS[2]) or '0')
if account >= tonumber(ARGV[3]) and pair > 1 then return {1, redis.call('TTL', KEYS[2])} end
return {0, 0}
