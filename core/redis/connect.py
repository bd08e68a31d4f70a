"""The one way a process of the app venv opens Redis, so every client rides out a Redis restart alike.

Replies are bytes (``decode_responses`` off): keys and values are written as UTF-8 text and read back with
:func:`text`. redis-py types a reply as ``bytes | str`` (which one depends on that option), hence the helper.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from core.redis.retry import RECONNECTING

HEALTH_CHECK_S = 30
"""A pooled connection idle this long is pinged before use: a Redis restart or a proxy's idle cut shows there."""


def connect(url: str, **options: Any) -> Redis:
    """An asyncio client for ``url``; ``options`` are redis-py's (``socket_timeout=5`` for request paths; none
    for a client that blocks on ``XREAD``/``BLPOP``/pub-sub)."""
    return Redis.from_url(url, health_check_interval=HEALTH_CHECK_S, **RECONNECTING, **options)


def text(value: object) -> str:
    """One reply element as text."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, str):
        return value
    raise TypeError(f"a Redis reply element is bytes or str, not {type(value).__name__}")
