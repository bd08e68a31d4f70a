-- A supervisor moves a held chat to another agent, only if it is still with the agent the supervisor saw.
-- KEYS: state, old agent's cases, new agent's cases. ARGV: case id, agent the supervisor saw, new agent, capacity
-- (0: none), now ms. Returns {1, old} done; {0, status} not held any more; {-2, holder} held by someone else
-- now; {-3, holder} already with the new agent; {-1, n} the new agent is at capacity.
local status = redis.call('HGET', KEYS[1], 'status')
local agent = redis.call('HGET', KEYS[1], 'agent') or ''
if status ~= 'accepted' then return {0, status or 'gone'} end
if agent ~= ARGV[2] then return {-2, agent} end
if agent == ARGV[3] then return {-3, agent} end
local holding = redis.call('SCARD', KEYS[3])
if tonumber(ARGV[4]) > 0 and holding >= tonumber(ARGV[4]) then return {-1, tostring(holding)} end
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[1], 'agent', ARGV[3], 'accepted_at', ARGV[5], 'last_agent', agent)
return {1, agent}
