"""Rasa itself loads the broker from an endpoint config and streams real tracker events through it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from core.settings import PROJECT_ROOT, get_settings
from engine.event_broker import LearningEventBroker
from learning import keys
from tests.fixtures.redis_server import RedisServer


@pytest.fixture
def broker_environment(monkeypatch: pytest.MonkeyPatch, redis_server: RedisServer, tmp_path: Path) -> Iterator[None]:
    for name in ("REDIS_URL", "TRIAGE_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRIAGE_REDIS_URL", redis_server.url)
    monkeypatch.setenv("TRIAGE_LEARNING_SPOOL_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("broker_environment")
async def test_rasa_streams_tracker_events_through_the_broker(redis: Redis[bytes]) -> None:
    from rasa.core.brokers.broker import EventBroker
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
    from rasa.utils.endpoints import EndpointConfig

    broker = await EventBroker.create(EndpointConfig(type="engine.event_broker.LearningEventBroker"))
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
    await store.save(tracker)
    assert await broker.forwarder.drain(30)
    await broker.close()

    summaries = [json.loads(fields[b"e"]) for _, fields in await redis.xrange(keys.EVENTS)]
    user = next(s for s in summaries if s["type"] == "user")
    assert user["text"] == "my name is <NAME> and my fibre is off, ring <PHONE>"
    assert user["entities"] == [{"entity": "phone_number", "value": "<PHONE>"}]
    assert user["ranking"][1] == {"name": "report_internet_down", "confidence": 0.44}
    assert user["channel"] == "web" and user["conversation_id"] == "c-rasa"
    assert {"type": "active_loop", "name": "identify_form"}.items() <= next(
        s for s in summaries if s["type"] == "active_loop"
    ).items()
    ref = next(s for s in summaries if s["type"] == "slot")
    assert set(ref["value"]) == {"ref"} and "AC10000002" not in json.dumps(summaries)
