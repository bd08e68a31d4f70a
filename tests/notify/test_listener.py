"""The notifier process's app: registered on the simulator's hub, it sends when an alarm clears; bad callbacks
get a clear 4xx and change nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from bot.chat.store import ChatStore
from core.settings import Settings
from notify.service import create_app
from notify.smtp_sink import read_inbox
from notify.subscriptions import Subscription, SubscriptionStore
from simulator.sms_gateway import read_outbox
from tests.fixtures.ports import free_port
from tests.fixtures.redis_server import RedisServer
from tests.fixtures.simulator import RunningSimulator
from tests.notify.conftest import Served, serve
from tests.notify.test_notifier import G1_ALARM, clear

WAIT_S = 20


async def eventually(check: Callable[[], Any], what: str) -> Any:
    for _ in range(WAIT_S * 10):
        if result := await check() if asyncio.iscoroutinefunction(check) else check():
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {what} within {WAIT_S}s")


@pytest.fixture
async def running(
    redis: Redis,
    redis_server: RedisServer,
    simulator: RunningSimulator,
    sms_gateway_server: tuple[Served, Path],
    smtp: tuple[int, Path],
) -> AsyncIterator[tuple[Served, Settings]]:
    simulator.reset()
    port = free_port()
    settings = Settings(
        redis_url=redis_server.url,
        oss_base_url=simulator.root_url,
        notifier_port=port,
        sms_gateway_url=f"{sms_gateway_server[0].url}/v1/messages",
        sms_gateway_token="sms-secret",
        smtp_host="127.0.0.1",
        smtp_port=smtp[0],
        notify_poll_interval_s=1,
    )
    served = serve(create_app(settings), port)

    def registered() -> bool:
        return bool(httpx.get(f"{served.url}/healthz", timeout=5).json()["hub"] == "hub")

    await eventually(registered, "hub registration")
    yield served, settings
    served.stop()


def event(alarm_id: object, kind: str = "AlarmStateChangeEvent") -> dict[str, Any]:
    return {
        "eventId": "1",
        "eventTime": "2025-01-01T00:00:00Z",
        "eventType": kind,
        "event": {"alarm": {"id": alarm_id}},
    }


async def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.request(method, url, **kwargs)


async def test_a_hub_event_reaches_the_chat_history_and_the_sms_gateway_once(
    running: tuple[Served, Settings], redis: Redis, simulator: RunningSimulator,
    sms_gateway_server: tuple[Served, Path],
) -> None:  # fmt: skip
    served, settings = running
    store = SubscriptionStore(redis, settings.notify_ttl_s, settings.notify_max_per_alarm)
    await store.subscribe(Subscription(G1_ALARM, "conv-1", ("chat", "sms"), sms_to="+447700900321"))
    clear(simulator, G1_ALARM)
    outbox = sms_gateway_server[1]
    await eventually(lambda: read_outbox(outbox), "text")
    url = f"{served.url}/tmf642/listener/alarmStateChangeEvent"
    for _ in range(3):  # the hub repeating itself
        assert (await call("POST", url, json=event(G1_ALARM))).status_code == 202
    await asyncio.sleep(1.5)
    assert len(read_outbox(outbox)) == 1
    history = await ChatStore(redis).history("conv-1")
    said = [e["body"]["text"] for e in history if e["kind"] == "message"]
    assert len(said) == 1 and said[0].startswith("Your service is back") and "Glasgow G1" in said[0]


async def test_email_subscriptions_reach_the_smtp_sink(
    running: tuple[Served, Settings], redis: Redis, simulator: RunningSimulator, smtp: tuple[int, Path]
) -> None:
    _, settings = running
    store = SubscriptionStore(redis, settings.notify_ttl_s, settings.notify_max_per_alarm)
    await store.subscribe(Subscription(G1_ALARM, "conv-2", ("email",), email_to="kim@example.com"))
    clear(simulator, G1_ALARM)
    [mail] = await eventually(lambda: read_inbox(smtp[1]), "e-mail")
    assert mail["to"] == ["kim@example.com"] and "Your service is back" in mail["text"]


async def test_a_simulator_restart_of_the_hub_is_noticed_and_the_listener_registered_again(
    running: tuple[Served, Settings], simulator: RunningSimulator
) -> None:
    served, _ = running
    listener = (await call("GET", f"{served.url}/healthz")).json()["listener_id"]
    hub = f"{simulator.api_url('alarmManagement')}/hub"
    assert (await call("DELETE", f"{hub}/{listener}")).status_code == 204  # as a restarted hub forgets it

    def again() -> bool:
        health = httpx.get(f"{served.url}/healthz", timeout=5).json()
        return health["hub"] == "hub" and health["listener_id"] not in (None, listener)

    await eventually(again, "registration again")


@pytest.mark.parametrize(
    ("body", "headers", "status", "error"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 400, "malformed_json"),
        (b"[1]", {"Content-Type": "application/json"}, 400, "invalid_event"),
        (json.dumps(event(G1_ALARM, "AlarmBoughtEvent")).encode(), {"Content-Type": "application/json"}, 400,
         "invalid_event"),
        (json.dumps(event("4101; DROP")).encode(), {"Content-Type": "application/json"}, 400, "invalid_event"),
        (json.dumps(event("\u202e4101")).encode(), {"Content-Type": "application/json"}, 400, "invalid_event"),
        (json.dumps(event(True)).encode(), {"Content-Type": "application/json"}, 400, "invalid_event"),
        (json.dumps(event("999999")).encode(), {"Content-Type": "application/json"}, 404, "unknown_alarm"),
        (json.dumps(event(G1_ALARM)).encode(), {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
        (b'{"x": "' + b"a" * 300_000 + b'"}', {"Content-Type": "application/json"}, 413, "too_large"),
    ],
)  # fmt: skip
async def test_bad_callbacks_get_a_clear_4xx_and_lose_nothing(
    running: tuple[Served, Settings], redis: Redis, body: bytes, headers: dict[str, str], status: int,
    error: str,
) -> None:  # fmt: skip
    served, settings = running
    store = SubscriptionStore(redis, settings.notify_ttl_s, settings.notify_max_per_alarm)
    await store.subscribe(Subscription(G1_ALARM, "conv-3", ("chat",)))
    url = f"{served.url}/tmf642/listener/alarmStateChangeEvent"
    response = await call("POST", url, content=body, headers=headers)
    assert response.status_code == status and response.json()["error"] == error and response.json()["v"] == 1
    assert [s.conversation_id for s in await store.for_alarm(G1_ALARM)] == ["conv-3"]
    assert await store.cleared() == []


async def test_an_unknown_listener_path_is_404(running: tuple[Served, Settings]) -> None:
    served, _ = running
    response = await call("POST", f"{served.url}/tmf642/listener/troubleTicketCreateEvent", json=event(G1_ALARM))
    assert response.status_code == 404 and response.json()["error"] == "unknown_event"


async def test_a_forged_clear_of_an_active_alarm_sends_nothing(
    running: tuple[Served, Settings], redis: Redis, sms_gateway_server: tuple[Served, Path]
) -> None:
    served, settings = running
    store = SubscriptionStore(redis, settings.notify_ttl_s, settings.notify_max_per_alarm)
    await store.subscribe(Subscription(G1_ALARM, "conv-4", ("chat", "sms"), sms_to="+447700900321"))
    url = f"{served.url}/tmf642/listener/alarmStateChangeEvent"
    response = await call("POST", url, json=event(int(G1_ALARM)))
    assert response.status_code == 202 and response.json()["cleared"] is False
    await asyncio.sleep(1.5)
    assert read_outbox(sms_gateway_server[1]) == [] and len(await store.for_alarm(G1_ALARM)) == 1
