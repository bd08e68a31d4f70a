"""Learning store tests run against the session's throwaway Redis; each test starts from an empty store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from core.settings import PROJECT_ROOT, get_settings
from engine.forwarder import Forwarder
from learning.consumer import Consumer
from learning.events import EventRedaction
from learning.redaction import Redactor, build_redactor
from learning.store import LearningStore
from tests.fixtures.redis_server import RedisServer

SECRET = "test-pseudonym-secret"
LOW_CONFIDENCE = 0.6
ABANDON_AFTER_S = 3600.0


async def clear_learning(redis: Redis[bytes]) -> None:
    async for key in redis.scan_iter(match="triage:learning:*", count=1000):
        await redis.delete(key)


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    """The real redactor: spaCy NER from the settings' English pipeline (loaded once per session)."""
    return build_redactor(str(get_settings().spacy_model), str(PROJECT_ROOT / "data" / "nlu"))


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis[bytes]]:
    client: Redis[bytes] = Redis.from_url(redis_server.url)
    await clear_learning(client)
    yield client
    await client.close()


@pytest.fixture
def store(redis: Redis[bytes]) -> LearningStore:
    return LearningStore(redis, retention_days=180)


class Pipeline:
    """The engine's forwarder (pure Python: summaries with raw text onto the stream, as inside Rasa) + the consumer
    (redaction, records) over the real Redis, driven step by step by a test."""

    def __init__(self, forwarder: Forwarder, consumer: Consumer, store: LearningStore) -> None:
        self.forwarder = forwarder
        self.consumer = consumer
        self.store = store

    async def feed(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            self.forwarder.publish(event)
        assert await self.forwarder.drain(10)
        await self.consumer.ensure_group()
        while await self.consumer.process_once(block_ms=None):
            pass

    async def records(self) -> list[dict[str, Any]]:
        return [record async for _, record in self.store.scan(0, 4_000_000_000)]


@pytest.fixture
async def pipeline(redis: Redis[bytes], store: LearningStore, redactor: Redactor) -> AsyncIterator[Pipeline]:
    forwarder = Forwarder(redis, capacity=1000)
    forwarder.start()
    redaction = EventRedaction(lambda: redactor, SECRET)
    consumer = Consumer(store, LOW_CONFIDENCE, ABANDON_AFTER_S, redaction=redaction)
    await consumer.ensure_group()
    yield Pipeline(forwarder, consumer, store)
    await forwarder.close()
