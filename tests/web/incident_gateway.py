"""The staff pages' incident tests share this: the real gateway (``create_app``) served on loopback over the
session's throwaway Redis, with the sensor's incidents and queued cases written as their processes write them
(``tests/handoff/sensor_board.py``), and a browser context per person. Nobody chats here, so no Rasa is needed.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.app import create_app
from core.contracts.sensor import Incident
from core.settings import Settings
from tests.auth.conftest import clear_auth
from tests.fixtures.ports import free_port, wait_for_port
from tests.fixtures.redis_server import RedisServer
from tests.handoff.sensor_board import clear_sensor, queue_case, write_incident
from tests.web.chat_page import WatchedPage
from tests.web.conftest import LAPTOP

PASSWORD = "triage-demo"
LIVE_MS = 30_000  # the console polls incidents every 10 s
DAY = 86400.0
ON_CAB = {"symptom": "broadband_down", "node": "CAB-M1-01", "area": "M1", "finding": "network"}


def run(coroutine: Any) -> Any:
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API runs its own event loop in this thread
        return thread.submit(asyncio.run, coroutine).result(timeout=60)


@dataclass
class Gateway:
    url: str
    redis_url: str

    def do(self, job: Any) -> Any:
        """``job(redis)`` on a Redis connection of its own (a coroutine function), done before returning."""

        async def once() -> Any:
            redis: Redis = Redis.from_url(self.redis_url)
            try:
                return await job(redis)
            finally:
                await redis.aclose()

        return run(once())

    def incident(self, incident: Incident, told: int | None = None) -> Incident:
        return self.do(lambda redis: write_incident(redis, incident, told))  # type: ignore[no-any-return]

    def case(self, findings: dict[str, Any], name: str) -> str:
        return str(self.do(lambda redis: queue_case(redis, findings, name)).case_id)


@pytest.fixture(scope="module")
def gateway(redis_server: RedisServer) -> Iterator[Gateway]:
    port = free_port()
    settings = Settings(
        redis_url=redis_server.url,
        gateway_port=port,
        rasa_url=f"http://127.0.0.1:{free_port()}",  # nobody chats here: cases are queued as the gateway queues them
        accounts_demo_password=SecretStr(PASSWORD),
    )
    served = Gateway(f"http://127.0.0.1:{port}", redis_server.url)
    served.do(clear_sensor)
    served.do(clear_auth)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(port, 30)
    yield served
    server.should_exit = True
    thread.join(timeout=15)
    served.do(clear_sensor)


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def person(browser: Browser, contexts: list[BrowserContext]) -> WatchedPage:
    context = browser.new_context(viewport=LAPTOP)
    contexts.append(context)
    return WatchedPage(context.new_page())


def log_in(page: Page, name: str) -> None:
    """The console's and the supervisor's own login form."""
    expect(page.get_by_role("heading", name="Log in")).to_be_visible(timeout=LIVE_MS)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def clock(page: Page, seconds: float) -> str:
    """HH:MM as the browser's clock reads ``seconds``."""
    return str(page.evaluate("s => { const d = new Date(s * 1000); return String(d.getHours()).padStart(2, '0') + ':' "
                             "+ String(d.getMinutes()).padStart(2, '0'); }", seconds))  # fmt: skip
