"""An app with the auth and insights routers over the session's throwaway Redis, and a seeder of conversations.

Conversations are written as the broker writes them (redacted event summaries on the events stream) and turned
into records by the real consumer, so the insights read exactly what production stores.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from bot.auth import AuthState, start_auth
from bot.errors import install_error_handlers
from bot.insights import InsightsState, start_insights
from bot.routers.auth import router as auth_router
from bot.routers.insights import router as insights_router
from core.pseudonyms import pseudonym
from core.settings import Settings
from learning import keys
from learning.consumer import Consumer
from tests.auth.conftest import DEMO_PASSWORD, cheap_password_hashing, clear_auth
from tests.fixtures.redis_server import RedisServer
from tests.learning.conftest import clear_learning

__all__ = ["cheap_password_hashing"]
SECRET = "insights-test-secret"
DAY = 86400.0
_ids = itertools.count(1)


class Seeder:
    """Writes conversations as event summaries and runs the consumer over them."""

    def __init__(self, redis: Redis, consumer: Consumer) -> None:
        self.redis = redis
        self.consumer = consumer

    async def conversation(
        self,
        texts: list[str],
        *,
        at: float | None = None,
        customer: str | None = None,
        intent: str = "nlu_fallback",
        findings: dict[str, Any] | None = None,
        escalation: str | None = None,
        channel: str = "web",
    ) -> str:
        cid = f"conv-{next(_ids)}-{uuid.uuid4().hex[:6]}"
        at = at if at is not None else time.time() - DAY
        summaries: list[dict[str, Any]] = [{"type": "session_started"}]
        if customer:
            summaries.append(
                {"type": "slot", "name": "identity", "value": {"customer": pseudonym(SECRET, customer), "refs": []}}
            )
        if findings:
            summaries.append({"type": "slot", "name": "findings", "value": findings})
        for text in texts:
            summaries.append(
                {
                    "type": "user",
                    "text": text,
                    "channel": channel,
                    "entities": [],
                    "intent": {"name": intent, "confidence": 0.5},
                    "ranking": [{"name": intent, "confidence": 0.5}, {"name": "order_status", "confidence": 0.3}],
                }
            )
            summaries.append({"type": "bot", "text": "Sorry, I didn't get that.", "handoff": False})
        if escalation:
            summaries.append(
                {"type": "slot", "name": "escalation", "value": {"reason": escalation, "queue": "general"}}
            )
        for i, summary in enumerate(summaries):
            summary.update(v=1, conversation_id=cid, at=at + i / 1000, eid=uuid.uuid4().hex, model_id="m-1")
            await self.redis.xadd(keys.EVENTS, {"v": "1", "e": json.dumps(summary)})
        while await self.consumer.process_once(block_ms=None):
            pass
        return cid


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client: Redis = Redis.from_url(redis_server.url)
    await clear_learning(client)
    await clear_auth(client)
    yield client
    await client.aclose()


@pytest.fixture
def settings() -> Settings:
    from pydantic import SecretStr

    return Settings(learning_pseudonym_secret=SecretStr(SECRET), learning_k_min_customers=3)


@pytest.fixture
async def state(settings: Settings, redis: Redis) -> InsightsState:
    return await start_insights(settings, redis, in_process=True)


@pytest.fixture
async def seeder(state: InsightsState) -> Seeder:
    consumer = Consumer(state.store, 0.6, 3600.0)
    await consumer.ensure_group()
    return Seeder(state.store.redis, consumer)


@pytest.fixture
async def app(settings: Settings, redis: Redis, state: InsightsState) -> FastAPI:
    application = FastAPI()
    install_error_handlers(application)
    application.include_router(auth_router)
    application.include_router(insights_router)
    application.state.auth = await start_auth(settings, redis)
    application.state.insights = state
    return application


async def _client(app: FastAPI, username: str | None) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as client:
        if username:
            response = await client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
            assert response.status_code == 200
        yield client


@pytest.fixture
async def po(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(app, "product_owner"):
        yield client


@pytest.fixture
async def agent(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(app, "agent"):
        yield client


@pytest.fixture
async def anonymous(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(app, None):
        yield client


def auth_state(app: FastAPI) -> AuthState:
    state: AuthState = app.state.auth
    return state
