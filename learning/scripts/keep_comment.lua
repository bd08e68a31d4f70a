-- Put a survey comment's redacted text into its answer, only if the answer is still byte for byte the one the
-- consumer read (a new answer to the same survey, or a deletion, wins over a late redaction), then acknowledge
-- and delete the comment's stream entry. KEYS: answers hash, comments stream.
-- ARGV: member, answer JSON as read, answer JSON with the comment ('' to keep nothing), group, entry id.
local kept = 0
if ARGV[3] ~= '' and redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  kept = 1
end
redis.call('XACK', KEYS[2], ARGV[4], ARGV[5])
redis.call('XDEL', KEYS[2], ARGV[5])
return kept
