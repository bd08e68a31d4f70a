"""An agent's lookup allowance on a real Redis: the brake, the one refusal worth auditing, agents apart."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.handoff.lookup_rate import LOOKUPS_PER_WINDOW, WINDOW_S, take
from core.redis.connect import connect
from tests.fixtures.redis_server import RedisServer


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client = connect(redis_server.url)
    yield client
    await client.aclose()


async def test_an_agent_past_the_limit_waits_and_only_the_first_refusal_is_flagged(redis: Redis) -> None:
    agent, colleague = f"agent-{uuid.uuid4().hex}", f"agent-{uuid.uuid4().hex}"
    allowed = [await take(redis, agent) for _ in range(LOOKUPS_PER_WINDOW)]
    assert all(a.allowed and a.retry_after_s == 0 for a in allowed)
    first, second = await take(redis, agent), await take(redis, agent)
    assert not first.allowed and first.first_refusal and 0 < first.retry_after_s <= WINDOW_S
    assert not second.allowed and not second.first_refusal  # one audit entry per window, not one per attempt
    assert (await take(redis, colleague)).allowed  # each agent has their own allowance
