-- Add or replace one canned reply.
-- KEYS: the queue's hash. ARGV: id, JSON, cap, '1' to add (refused when the queue is full) or '0' to replace
-- (refused when the id is unknown). Returns 1 done, 0 full, -1 unknown.
local exists = redis.call('HEXISTS', KEYS[1], ARGV[1])
if ARGV[4] == '1' then
  if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
elseif exists == 0 then
  return -1
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
