"""The tracker store Rasa loads from endpoints.yml: a turn's events appended to Rasa's own stored format,
published to the broker once each, and the conversation deleted a set time after its last message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa.core.brokers.file import FileEventBroker
from rasa.core.tracker_store import RedisTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.utils.endpoints import read_endpoint_config
from redis import Redis

from engine.tracker_store import AppendingRedisTrackerStore, remember_event_types
from tests.fixtures.redis_server import RedisServer

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def appending(redis_server: RedisServer, broker: FileEventBroker | None = None) -> AppendingRedisTrackerStore:
    return AppendingRedisTrackerStore(
        domain=DOMAIN, host="127.0.0.1", port=redis_server.port, db=5, key_prefix="t", record_exp="604800",
        event_broker=broker,
    )  # fmt: skip


def turn(n: int) -> list[Event]:
    text = f"message {n}: my broadband is down again"
    return [
        UserUttered(text, {"name": "report_internet_down", "confidence": 0.9}, [], {"text": text}),
        SlotSet("customer_ref", f"ACC-{n}"),
        ActionExecuted("utter_ask_account"),
        ActionExecuted("action_listen"),
    ]


def stored_json(redis_server: RedisServer, sender: str) -> bytes | None:
    value: bytes | None = Redis(port=redis_server.port, db=5).get(f"t:tracker:{sender}")
    return value


def published(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_turns_are_appended_in_rasas_format_and_published_once(redis_server: RedisServer, tmp_path: Path) -> None:
    log = tmp_path / "events.log"
    store = appending(redis_server, FileEventBroker(str(log)))
    rasa = RedisTrackerStore(domain=DOMAIN, host="127.0.0.1", port=redis_server.port, db=5, key_prefix="t")
    for n in range(1, 8):
        tracker = await store.get_or_create_tracker("c-append")
        events_before = len(tracker.events)
        tracker.update_with_events(turn(n), DOMAIN)
        await store.save(tracker)
        stored = json.loads(stored_json(redis_server, "c-append") or b"{}")
        assert stored == tracker.as_dialogue().as_dict()  # exactly what Rasa's own store writes
        again = await rasa.retrieve_full_tracker("c-append")  # and Rasa's own store reads it
        assert again is not None and list(again.events) == list(tracker.events)
        assert again.get_slot("customer_ref") == f"ACC-{n}"
        sent = published(log)
        assert len(sent) == len(tracker.events)  # every event once, none twice
        assert [e["event"] for e in sent[events_before:]] == ["user", "slot", "action", "action"]


async def test_the_conversation_expires_after_its_last_message(redis_server: RedisServer) -> None:
    store = appending(redis_server)
    tracker = await store.get_or_create_tracker("c-expiry")
    tracker.update_with_events(turn(1), DOMAIN)
    await store.save(tracker)
    ttl = Redis(port=redis_server.port, db=5).ttl("t:tracker:c-expiry")
    assert 604000 < ttl <= 604800


async def test_a_conversation_written_by_someone_else_meanwhile_is_merged_as_rasa_does(
    redis_server: RedisServer,
) -> None:
    store = appending(redis_server)
    mine = await store.get_or_create_tracker("c-merge")
    other = mine.copy()
    other.update_with_events(turn(1), DOMAIN)
    await store.save(other)  # written without the lock between this turn's read and its save
    mine.update_with_events(turn(2), DOMAIN)
    await store.save(mine)
    kept = await store.retrieve_full_tracker("c-merge")
    assert kept is not None
    texts = [e.text for e in kept.events if isinstance(e, UserUttered)]
    assert sorted(texts) == ["message 1: my broadband is down again", "message 2: my broadband is down again"]


def test_endpoints_yml_names_this_store_with_an_expiry(
    monkeypatch: pytest.MonkeyPatch, redis_server: RedisServer
) -> None:
    for name, value in {"RASA_STORE_HOST": "127.0.0.1", "RASA_STORE_PORT": str(redis_server.port),
                        "RASA_STORE_DB": "0", "RASA_STORE_PASSWORD": "",
                        "RASA_ACTION_ENDPOINT": "http://127.0.0.1:9/webhook"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    config = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "tracker_store")
    store = TrackerStore.create(config, DOMAIN)
    inner = getattr(store, "_tracker_store", store)  # Rasa wraps stores in an awaitable adapter
    assert isinstance(inner, AppendingRedisTrackerStore)  # not Rasa's silent in-memory fallback
    assert inner.record_exp == 604800


def test_event_types_are_remembered_and_unknown_ones_still_refused() -> None:
    remember_event_types()
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
