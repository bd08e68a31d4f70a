-- A case's announcement leaves its queue's stream: acknowledged for the consumer group, then deleted. Prefixed to
-- every script that takes a case out of a queue.
local function drop_entry(state, stream, group)
  local entry = redis.call('HGET', state, 'entry')
  if entry and entry ~= '' then
    redis.call('XACK', stream, group, entry)
    redis.call('XDEL', stream, entry)
  end
end
