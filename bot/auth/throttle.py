"""Failed-login limits that an attacker cannot race past and cannot turn against the account's owner.

Each attempt is counted *before* its password is checked, in one Lua call, so parallel guesses cannot all slip
under the limit. Three counters, each for ``FAILURE_WINDOW_S``:

- per account and address: ``MAX_PER_CLIENT`` attempts that did not succeed; the next ones wait.
- per address: ``MAX_PER_ADDRESS`` failures over all accounts (one address spraying many names).
- per account: after ``MAX_PER_ACCOUNT`` failures from anywhere, only addresses that have not been failing may
  still try. So a flood of wrong passwords from elsewhere never locks the owner out of their own desk.

A success clears its account-and-address counter.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from bot.auth.keys import PREFIX

FAILURE_WINDOW_S = 15 * 60
MAX_PER_CLIENT = 5
MAX_PER_ACCOUNT = 10
MAX_PER_ADDRESS = 30

# KEYS: pair, account, address; ARGV: window, per client, per account, per address.
# Returns {0, 0} to go ahead, or {1, seconds} to wait.
_RESERVE = """
local pair = redis.call('INCR', KEYS[1])
if pair == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if pair > tonumber(ARGV[2]) then return {1, redis.call('TTL', KEYS[1])} end
local address = tonumber(redis.call('GET', KEYS[3]) or '0')
if address >= tonumber(ARGV[4]) then return {1, redis.call('TTL', KEYS[3])} end
local account = tonumber(redis.call('GET', KEYS[2]) or '0')
if account >= tonumber(ARGV[3]) and pair > 1 then return {1, redis.call('TTL', KEYS[2])} end
return {0, 0}
"""

_FAILED = """
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], ARGV[1]) end
end
return 1
"""


def _pair(name: str, address: str) -> str:
    return f"{PREFIX}:failures:{name}:from:{address}"


def _account(name: str) -> str:
    return f"{PREFIX}:failures:{name}"


def _address(address: str) -> str:
    return f"{PREFIX}:failures:address:{address}"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: int = 0


class LoginThrottle:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def reserve(self, name: str, address: str) -> Verdict:
        """Count this attempt; whether it may be checked at all."""
        keys = (_pair(name, address), _account(name), _address(address))
        args = (FAILURE_WINDOW_S, MAX_PER_CLIENT, MAX_PER_ACCOUNT, MAX_PER_ADDRESS)
        wait, seconds = await self._redis.eval(_RESERVE, 3, *keys, *args)  # type: ignore[misc,no-untyped-call]
        return Verdict(True) if not wait else Verdict(False, max(1, int(seconds)))

    async def failed(self, name: str, address: str) -> None:
        await self._redis.eval(_FAILED, 2, _account(name), _address(address), FAILURE_WINDOW_S)  # type: ignore[misc,no-untyped-call]

    async def succeeded(self, name: str, address: str) -> None:
        await self._redis.delete(_pair(name, address))
