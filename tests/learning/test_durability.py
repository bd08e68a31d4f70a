"""Nothing acknowledged is lost: across real Redis restarts, while Redis is slow, and while it is down."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

from redis.asyncio import Redis

from engine.forwarder import Forwarder
from engine.spool import Spool
from learning import keys
from learning.consumer import Consumer
from learning.redaction.names import NameFinder
from learning.redaction.redactor import Redactor
from learning.store import LearningStore
from tests.fixtures.ports import free_port
from tests.fixtures.redis_server import RedisServer
from tests.learning import rasa_events as ev
from tests.learning.conftest import ABANDON_AFTER_S, LOW_CONFIDENCE, SECRET, Pipeline

T0 = 1_750_000_000.0
PATTERNS_ONLY = Redactor(NameFinder(None))
"""Timing tests redact with patterns and phrasing only, so spaCy's speed does not decide them."""


def numbered(sender: str, count: int) -> list[dict[str, object]]:
    return [ev.user(sender, f"message {i}", "nlu_fallback", 0.5, at=T0 + i) for i in range(count)]


async def stream_texts(redis: Redis[bytes]) -> list[str]:
    return [json.loads(fields[b"e"])["text"] for _, fields in await redis.xrange(keys.EVENTS)]


async def _snapshot(redis: Redis[bytes]) -> tuple[list[tuple[bytes, dict[bytes, bytes]]], int, bytes | None]:
    records = await redis.xrange(keys.RECORDS)
    index = await redis.zcard(keys.index("trigger", "nlu_fallback"))
    state = await redis.hget(keys.conversation("c-keep"), "state")
    return records, index, state


async def test_records_and_unconsumed_events_survive_a_redis_restart(
    pipeline: Pipeline, redis_server: RedisServer
) -> None:
    await pipeline.feed([*ev.start("c-keep", T0), *numbered("c-keep", 20)])
    for event in numbered("c-later", 5):
        pipeline.forwarder.publish(event)
    assert await pipeline.forwarder.drain(10), "written = acknowledged by Redis"
    before = await _snapshot(pipeline.store.redis)
    assert len(before[0]) == 20

    redis_server.restart()  # SIGTERM, as an operator's restart does
    after_client: Redis[bytes] = Redis.from_url(redis_server.url)
    assert await _snapshot(after_client) == before

    assert redis_server.process is not None
    redis_server.process.send_signal(signal.SIGKILL)  # a crash: appendfsync always keeps every write
    redis_server.process.wait(10)
    redis_server.start()
    crashed_client: Redis[bytes] = Redis.from_url(redis_server.url)
    assert await _snapshot(crashed_client) == before

    consumer = Consumer(LearningStore(crashed_client, 180), LOW_CONFIDENCE, ABANDON_AFTER_S)
    while await consumer.process_once(block_ms=None):
        pass
    assert await crashed_client.xlen(keys.RECORDS) == 25, "events written before the restarts became records"
    await after_client.close()
    await crashed_client.close()


async def test_publish_never_waits_for_a_slow_redis_and_loses_nothing(redis: Redis[bytes], tmp_path: Path) -> None:
    forwarder = Forwarder(redis, lambda: PATTERNS_ONLY, SECRET, capacity=100, spool=Spool(tmp_path))
    forwarder.start()
    admin: Redis[bytes] = Redis.from_url(_url(redis))
    await admin.execute_command("CLIENT", "PAUSE", "1500", "WRITE")
    slowest = 0.0
    for event in numbered("c-slow", 500):
        began = time.perf_counter()
        forwarder.publish(event)
        slowest = max(slowest, time.perf_counter() - began)
    assert forwarder.queued == 100 and forwarder.stats.spilled == 400, "memory bounded, the rest on disk"
    assert slowest < 0.05, f"publish took {slowest * 1000:.1f} ms"
    assert await forwarder.drain(20)
    assert await stream_texts(redis) == [f"message {i}" for i in range(500)], "all of them, in order"
    await forwarder.close()
    await admin.close()


async def test_events_spilled_while_redis_is_down_are_written_by_the_next_start(
    redis: Redis[bytes], tmp_path: Path
) -> None:
    nowhere: Redis[bytes] = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    down = Forwarder(nowhere, lambda: PATTERNS_ONLY, SECRET, capacity=100, spool=Spool(tmp_path))
    down.start()
    for event in numbered("c-down", 250):
        down.publish(event)
    await down.close(timeout_s=0.5)  # Rasa stops while Redis is still down
    spilled = spooled_text(tmp_path)
    assert "message 0" in spilled and "message 249" in spilled, "kept on disk, redacted"

    up = Forwarder(redis, lambda: PATTERNS_ONLY, SECRET, capacity=100, spool=Spool(tmp_path))
    up.start()
    up.publish(numbered("c-down", 251)[-1])
    assert await up.drain(10)
    assert await stream_texts(redis) == [f"message {i}" for i in range(251)]
    assert spooled_text(tmp_path) == "", "drained"
    await up.close()
    await nowhere.close()


def spooled_text(root: Path) -> str:
    return "".join(path.read_text() for path in sorted(root.rglob("*.jsonl")))


def _url(client: Redis[bytes]) -> str:
    kwargs = client.connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}"
