from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import actions.lookups
from core.oss.client import OssClient
from core.oss.config import OssConfig
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
