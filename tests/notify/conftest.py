"""Real local stand-ins for the notifier's outside world: Redis, the simulator's alarm hub, the SMS gateway,
an SMTP sink, and the notifier's own callback app, each on a free loopback port."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from redis.asyncio import Redis

import actions.lookups
import actions.notifications
from core.oss.client import OssClient
from core.oss.config import OssConfig
from core.settings import Settings
from notify import smtp_sink
from notify.alarms import AlarmApi
from notify.email import EmailAdapter
from notify.notifier import Notifier
from notify.sms import SmsAdapter
from notify.subscriptions import SubscriptionStore
from simulator import sms_gateway
from tests.fixtures.ports import free_port, wait_for_port
from tests.fixtures.redis_server import RedisServer
from tests.fixtures.simulator import RunningSimulator

TTL_S = 3600


@dataclass
class Served:
    port: int
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(app: Any, port: int | None = None) -> Served:
    """Run an ASGI app with uvicorn in a thread of its own (its own event loop), on loopback."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="none")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(port, 10)
    return Served(port, server, thread)


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client: Redis = Redis.from_url(redis_server.url)
    async for key in client.scan_iter(match="triage:*"):
        await client.delete(key)
    yield client
    await client.aclose()


@pytest.fixture
def store(redis: Redis) -> SubscriptionStore:
    return SubscriptionStore(redis, ttl_s=TTL_S, max_per_alarm=3)


@pytest.fixture
def sms_gateway_server(tmp_path: Path) -> Iterator[tuple[Served, Path]]:
    directory = tmp_path / "sms"
    served = serve(sms_gateway.create_app(directory, token="sms-secret"))
    yield served, directory
    served.stop()


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port, directory = free_port(), tmp_path / "mail"
    controller = smtp_sink.start("127.0.0.1", port, directory)
    yield port, directory
    controller.stop()


@dataclass
class ChatRecorder:
    said: list[tuple[str, str]]
    fail: bool = False

    async def __call__(self, conversation_id: str, text: str) -> None:
        if self.fail:
            raise ConnectionError("fan-out down")
        self.said.append((conversation_id, text))


@pytest.fixture
async def notifier(
    store: SubscriptionStore,
    simulator: RunningSimulator,
    sms_gateway_server: tuple[Served, Path],
    smtp: tuple[int, Path],
) -> AsyncIterator[tuple[Notifier, ChatRecorder]]:
    simulator.reset()
    chat = ChatRecorder([])
    served, _ = sms_gateway_server
    api = AlarmApi(OssConfig(base_url=simulator.root_url, timeout_s=3))
    sms = SmsAdapter(f"{served.url}/v1/messages", "Triage", "sms-secret")
    email = EmailAdapter("127.0.0.1", smtp[0], "alerts@triage.example")
    yield Notifier(store, api, chat, sms, email), chat
    await api.aclose()
    await sms.aclose()


@pytest.fixture
async def action_env(
    redis_server: RedisServer, simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[RunningSimulator]:
    """The notification actions against the session's Redis and the real simulator."""
    simulator.reset()
    settings = Settings(redis_url=redis_server.url)
    monkeypatch.setattr(actions.notifications, "get_settings", lambda: settings)
    client = OssClient(OssConfig(base_url=simulator.root_url, timeout_s=2.0, retries=1, breaker_failures=50))
    monkeypatch.setattr(actions.lookups, "_client", client)
    yield simulator
    await client.aclose()
