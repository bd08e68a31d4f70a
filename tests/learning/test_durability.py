"""Nothing acknowledged is lost across real Redis restarts: records, indexes, states and unconsumed events.

What the engine's forwarder does while Redis is slow or down is tested with the engine (tests/engine/).
"""

from __future__ import annotations

import json
import signal

from redis.asyncio import Redis

from learning import keys
from learning.consumer import Consumer
from learning.store import LearningStore
from tests.fixtures.redis_server import RedisServer
from tests.learning import rasa_events as ev
from tests.learning.conftest import ABANDON_AFTER_S, LOW_CONFIDENCE, Pipeline

T0 = 1_750_000_000.0


def numbered(sender: str, count: int) -> list[dict[str, object]]:
    return [ev.user(sender, f"message {i}", "nlu_fallback", 0.5, at=T0 + i) for i in range(count)]


async def stream_texts(redis: Redis[bytes]) -> list[str]:
    return [json.loads(fields[b"e"])["text"] for _, fields in await redis.xrange(keys.EVENTS)]


Snapshot = tuple[list[tuple[bytes, dict[bytes, bytes]]], int, bytes | None, list[str]]


async def _snapshot(redis: Redis[bytes]) -> Snapshot:
    records = await redis.xrange(keys.RECORDS)
    index = await redis.zcard(keys.index("trigger", "nlu_fallback"))
    state = await redis.hget(keys.conversation("c-keep"), "state")
    return records, index, state, await stream_texts(redis)


async def test_records_and_unconsumed_events_survive_a_redis_restart(
    pipeline: Pipeline, redis_server: RedisServer
) -> None:
    await pipeline.feed([*ev.start("c-keep", T0), *numbered("c-keep", 20)])
    for event in numbered("c-later", 5):
        pipeline.forwarder.publish(event)
    assert await pipeline.forwarder.drain(10), "written = acknowledged by Redis"
    before = await _snapshot(pipeline.store.redis)
    assert len(before[0]) == 20
    assert before[3] == [f"message {i}" for i in range(5)], "consumed entries are deleted; the rest wait"

    redis_server.restart()  # SIGTERM, as an operator's restart does
    after_client: Redis[bytes] = Redis.from_url(redis_server.url)
    assert await _snapshot(after_client) == before

    assert redis_server.process is not None
    redis_server.process.send_signal(signal.SIGKILL)  # a crash: appendfsync always keeps every write
    redis_server.process.wait(10)
    redis_server.start()
    crashed_client: Redis[bytes] = Redis.from_url(redis_server.url)
    assert await _snapshot(crashed_client) == before

    redaction = pipeline.consumer.redaction()
    consumer = Consumer(LearningStore(crashed_client, 180), LOW_CONFIDENCE, ABANDON_AFTER_S, redaction=redaction)
    while await consumer.process_once(block_ms=None):
        pass
    assert await crashed_client.xlen(keys.RECORDS) == 25, "events written before the restarts became records"
    await after_client.close()
    await crashed_client.close()
