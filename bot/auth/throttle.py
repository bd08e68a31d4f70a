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
from core.redis.scripts import register

FAILURE_WINDOW_S = 15 * 60
MAX_PER_CLIENT = 5
MAX_PER_ACCOUNT = 10
MAX_PER_ADDRESS = 30


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
        self._reserve = register(redis, "bot.auth", "reserve_attempt")
        self._failed = register(redis, "bot.auth", "count_failure")

    async def reserve(self, name: str, address: str) -> Verdict:
        """Count this attempt; whether it may be checked at all."""
        keys = (_pair(name, address), _account(name), _address(address))
        args = (FAILURE_WINDOW_S, MAX_PER_CLIENT, MAX_PER_ACCOUNT, MAX_PER_ADDRESS)
        wait, seconds = await self._reserve(keys=keys, args=args)
        return Verdict(True) if not wait else Verdict(False, max(1, int(seconds)))

    async def failed(self, name: str, address: str) -> None:
        await self._failed(keys=(_account(name), _address(address)), args=(FAILURE_WINDOW_S,))

    async def succeeded(self, name: str, address: str) -> None:
        await self._redis.delete(_pair(name, address))
