"""Tests of the code Rasa loads (``engine/``), run with the engine venv (Python 3.10, rasa 3.6)::

    .venv-engine/bin/python -m pytest --confcutdir=tests/engine -p no:cacheprovider tests/engine

Nothing here imports the app's packages (core, bot, learning...): they do not install in the engine venv. The
app suite skips this folder (``collect_ignore`` in tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from core.contracts.learning_events import EVENTS_STREAM
from tests.fixtures.redis_server import RedisServer, redis_server

__all__ = ["redis_server"]


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis[bytes]]:
    """A client of the session's throwaway Redis, with the events stream empty."""
    client: Redis[bytes] = Redis.from_url(redis_server.url, socket_timeout=5)
    await client.delete(EVENTS_STREAM)
    yield client
    await client.close()
