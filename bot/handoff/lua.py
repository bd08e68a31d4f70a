"""The handoff's Lua scripts (``scripts/*.lua``, loaded through :mod:`core.redis.scripts`)."""

from __future__ import annotations

from redis.asyncio import Redis

from core.redis.scripts import Registered
from core.redis.scripts import register as _register

HELPERS = ("drop_entry",)
"""Helper functions (not scripts): ``drop_entry`` precedes every script that takes a case out of a queue's stream."""


def register(redis: Redis, name: str) -> Registered:
    """``scripts/<name>.lua`` bound to ``redis``."""
    return _register(redis, "bot.handoff", name, HELPERS)
