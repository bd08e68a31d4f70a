-- Count a failed login against each key (account, address), each expiring ARGV[1] seconds after its first.
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], ARGV[1]) end
end
return 1
