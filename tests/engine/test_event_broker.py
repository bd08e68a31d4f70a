"""The learning event broker inside Rasa: Rasa loads it from endpoints.yml, and it forwards every tracker event's
summary (raw: the consumer redacts) to the Redis stream in order, without ever making Rasa wait for Redis."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config
from redis.asyncio import Redis

from core.contracts.learning_events import EVENTS_STREAM, SUMMARY_VERSION
from engine.event_broker import LearningEventBroker
from engine.forwarder import DEFAULT_CAPACITY, DEFAULT_MAXLEN, Forwarder
from tests.fixtures.ports import free_port
from tests.fixtures.redis_server import RedisServer

PROJECT_ROOT = Path(__file__).resolve().parents[2]
T0 = 1_750_000_000.0


def numbered(sender: str, count: int, first: int = 0) -> list[dict[str, Any]]:
    """Rasa user events as the tracker store publishes them (``sender_id`` + ``as_dict``)."""
    return [
        {"sender_id": sender, "event": "user", "timestamp": T0 + i, "text": f"message {i}", "parse_data": {}}
        for i in range(first, first + count)
    ]


async def stream(redis: Redis[bytes]) -> list[dict[str, Any]]:
    return [json.loads(fields[b"e"]) for _, fields in await redis.xrange(EVENTS_STREAM)]


async def stream_texts(redis: Redis[bytes]) -> list[str]:
    return [summary["text"] for summary in await stream(redis)]


@pytest.fixture
async def forwarder_of() -> AsyncIterator[Callable[..., Forwarder]]:
    """Started forwarders, closed after the test even when it fails (a running writer would outlive it)."""
    started: list[Forwarder] = []

    def start(redis: Redis[bytes], capacity: int = DEFAULT_CAPACITY, maxlen: int = DEFAULT_MAXLEN) -> Forwarder:
        forwarder = Forwarder(redis, capacity=capacity, maxlen=maxlen)
        forwarder.start()
        started.append(forwarder)
        return forwarder

    yield start
    for forwarder in started:
        await forwarder.close(timeout_s=0.5)


@pytest.fixture
def store_environment(monkeypatch: pytest.MonkeyPatch, redis_server: RedisServer) -> None:
    """What the runner exports to Rasa's process."""
    monkeypatch.setenv("RASA_STORE_HOST", "127.0.0.1")
    monkeypatch.setenv("RASA_STORE_PORT", str(redis_server.port))
    monkeypatch.setenv("RASA_STORE_DB", "0")
    monkeypatch.setenv("RASA_STORE_PASSWORD", "")
    monkeypatch.setenv("RASA_ACTION_ENDPOINT", "http://127.0.0.1:5055/webhook")


@pytest.mark.usefixtures("store_environment")
async def test_rasa_loads_the_broker_from_endpoints_yml_and_streams_raw_summaries(redis: Redis[bytes]) -> None:
    config = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "event_broker")
    broker = await EventBroker.create(config)
    assert isinstance(broker, LearningEventBroker)
    store = InMemoryTrackerStore(Domain.load(str(PROJECT_ROOT / "domain.yml")), event_broker=broker)
    tracker = await store.get_or_create_tracker("c-rasa")
    text = "my name is Tom Bradley and my fibre is off, ring 07700 900123"
    parse = {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": 0.5},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.5},
            {"name": "report_internet_down", "confidence": 0.44},
        ],
        "entities": [{"entity": "phone_number", "value": "07700 900123", "start": 50, "end": 62}],
    }
    tracker.update(UserUttered(text, parse["intent"], parse["entities"], parse, input_channel="web"))
    tracker.update(ActiveLoop("identify_form"))
    tracker.update(SlotSet("customer_ref", "AC10000002"))
    tracker.update(SlotSet("identity", {"customer_id": "CUST-000002", "name": "Tom Bradley", "account_ids": ["AC1"]}))
    tracker.update(BotUttered("Thanks Tom.", {"custom": {"handoff": {"v": 1}}}))
    await store.save(tracker)
    assert await broker.forwarder.drain(30)
    await broker.close()

    forwarded = await stream(redis)
    assert {s["v"] for s in forwarded} == {SUMMARY_VERSION}
    assert len({s["eid"] for s in forwarded}) == len(forwarded)
    summaries = [s for s in forwarded if s["type"] not in ("action", "session_started")]  # the session's start
    assert [s["type"] for s in summaries] == ["user", "active_loop", "slot", "slot", "bot"]
    user = summaries[0]
    assert user["text"] == text, "forwarded as it is: the consumer redacts"
    assert user["entities"] == [{"entity": "phone_number", "value": "07700 900123"}]
    assert user["ranking"][1] == {"name": "report_internet_down", "confidence": 0.44}
    assert user["channel"] == "web" and user["conversation_id"] == "c-rasa"
    assert summaries[1]["name"] == "identify_form"
    assert summaries[2]["value"] == "AC10000002", "the consumer pseudonymises"
    assert summaries[3]["value"] == {"customer_id": "CUST-000002", "account_ids": ["AC1"]}, "the name stays in Rasa"
    assert summaries[4]["handoff"] is True and summaries[4]["text"] == "Thanks Tom."


async def test_events_the_learning_store_has_no_use_for_are_not_forwarded(
    redis: Redis[bytes], forwarder_of: Callable[..., Forwarder]
) -> None:
    forwarder = forwarder_of(redis)
    forwarder.publish({"sender_id": "c-x", "event": "slot", "name": "some_other_slot", "value": "x"})
    forwarder.publish({"sender_id": "c-x", "event": "followup", "name": "action_x"})
    forwarder.publish({"event": "user", "text": "no conversation"})
    forwarder.publish(numbered("c-x", 1)[0])
    assert await forwarder.drain(10)
    assert await stream_texts(redis) == ["message 0"]


async def test_publish_never_waits_for_a_paused_redis_and_keeps_order(
    redis: Redis[bytes], redis_server: RedisServer, forwarder_of: Callable[..., Forwarder]
) -> None:
    forwarder = forwarder_of(redis, capacity=1000)
    admin: Redis[bytes] = Redis.from_url(redis_server.url)
    await admin.execute_command("CLIENT", "PAUSE", "1500", "WRITE")  # type: ignore[no-untyped-call]
    slowest = 0.0
    for event in numbered("c-slow", 500):
        began = time.perf_counter()
        forwarder.publish(event)
        slowest = max(slowest, time.perf_counter() - began)
    assert slowest < 0.05, f"publish took {slowest * 1000:.1f} ms"
    assert await forwarder.drain(20)
    assert await stream_texts(redis) == [f"message {i}" for i in range(500)], "all of them, in order"
    assert forwarder.stats.dropped == 0
    await admin.close()


async def test_redis_down_then_back_loses_nothing_up_to_the_bound(
    redis_server: RedisServer, forwarder_of: Callable[..., Forwarder]
) -> None:
    client: Redis[bytes] = Redis.from_url(redis_server.url, socket_timeout=0.5, socket_connect_timeout=0.5)
    await client.delete(EVENTS_STREAM)
    forwarder = forwarder_of(client, capacity=300)
    redis_server.stop()
    try:
        for event in numbered("c-down", 250):
            forwarder.publish(event)
        assert not await forwarder.drain(1.0), "Redis is down: nothing can be written"
        assert forwarder.queued + forwarder.stats.written <= 250
    finally:
        redis_server.start()
    for event in numbered("c-down", 50, first=250):
        forwarder.publish(event)
    assert await forwarder.drain(30)
    assert await stream_texts(client) == [f"message {i}" for i in range(300)], "all of them, in order"
    assert forwarder.stats.dropped == 0
    await forwarder.close()
    await client.close()


async def test_beyond_the_bound_the_oldest_are_dropped_and_logged(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere: Redis[bytes] = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2)
    forwarder = Forwarder(nowhere, capacity=100)
    forwarder.start()
    with caplog.at_level(logging.WARNING, logger="engine.forwarder"):
        for event in numbered("c-full", 250):
            forwarder.publish(event)
        assert forwarder.queued == 100 and forwarder.stats.dropped == 150, "memory stays bounded"
        assert "dropped the 1 oldest" in caplog.text, "said at once, then once in a while"
        await forwarder.close(timeout_s=0.3)  # Rasa stops while Redis is still down: nothing goes to disk
    assert "(150 since start)" in caplog.text and "100 event summaries not forwarded" in caplog.text
    assert forwarder.stats.dropped == 250
    assert not list(Path.cwd().glob("**/learning-spool")), "no spool of raw text"
    await nowhere.close()


async def test_the_stream_is_capped_so_raw_text_cannot_pile_up(
    redis: Redis[bytes], forwarder_of: Callable[..., Forwarder]
) -> None:
    forwarder = forwarder_of(redis, maxlen=100)
    for event in numbered("c-many", 2000):
        forwarder.publish(event)
    assert await forwarder.drain(20)
    length = await redis.xlen(EVENTS_STREAM)
    assert 100 <= length < 300, f"MAXLEN ~ 100 kept {length}"
    assert (await stream_texts(redis))[-1] == "message 1999", "the newest are kept"


async def test_the_broker_reads_its_bounds_from_the_endpoint_config(redis_server: RedisServer) -> None:
    config = EndpointConfig(
        url="127.0.0.1", port=str(redis_server.port), db="0", password="", max_buffer=5, maxlen=50, stream="s-test"
    )
    broker = await LearningEventBroker.from_endpoint_config(config)
    for event in numbered("c-cfg", 3):
        broker.publish(event)
    assert await broker.forwarder.drain(10)
    client: Redis[bytes] = Redis.from_url(redis_server.url)
    assert await client.xlen("s-test") == 3
    await client.delete("s-test")
    await broker.close()
    await client.close()
