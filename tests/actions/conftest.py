from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

import actions.lookups
import actions.notifications
import actions.sensor
from core.oss.client import OssClient
from core.oss.config import OssConfig
from core.settings import Settings
from tests.fixtures.redis_server import RedisServer
from tests.fixtures.simulator import RunningSimulator


@pytest.fixture
async def oss(simulator: RunningSimulator) -> AsyncIterator[RunningSimulator]:
    """Point the action server's OSS/BSS client at the real simulator, with short timeouts and fresh data."""
    simulator.reset()
    client = OssClient(OssConfig(base_url=simulator.root_url, timeout_s=1.0, retries=1, breaker_failures=50))
    previous, actions.lookups._client = actions.lookups._client, client
    yield simulator
    actions.lookups._client = previous
    await client.aclose()


@pytest.fixture(autouse=True)
def action_redis(redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Every diagnosis writes to the sensor's stream: the session's throwaway Redis, emptied of the product's keys,
    never the Redis of a running product."""
    settings = Settings(redis_url=redis_server.url)
    monkeypatch.setattr(actions.sensor, "get_settings", lambda: settings)
    monkeypatch.setattr(actions.notifications, "get_settings", lambda: settings)
    client = redis_server.client()
    for key in client.scan_iter(match="triage:*"):
        client.delete(key)
    yield settings
    client.close()
