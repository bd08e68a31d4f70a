"""An app with only the auth router and a few protected routes, over the session's throwaway Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import Depends, FastAPI
from redis.asyncio import Redis

from bot.auth import AuthState, Role, User, passwords, start_auth
from bot.dependencies import require_roles
from bot.errors import install_error_handlers
from bot.routers.auth import router
from core.settings import Environment, Settings
from tests.fixtures.redis_server import RedisServer

DEMO_PASSWORD = "triage-demo"


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Argon2 at its lowest cost: the tests check the logic, not the hardness (production keeps the defaults)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


async def clear_auth(redis: Redis) -> None:
    async for key in redis.scan_iter(match="triage:auth:*", count=1000):
        await redis.delete(key)


def build_app(auth: AuthState) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    app.state.auth = auth

    @app.get("/po-only")
    async def po_only(user: Annotated[User, Depends(require_roles(Role.product_owner))]) -> dict[str, str]:
        return {"name": user.name}

    return app


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client: Redis = Redis.from_url(redis_server.url)
    await clear_auth(client)
    yield client
    await client.aclose()


@pytest.fixture
def settings() -> Settings:
    return Settings(env=Environment.development)


@pytest.fixture
async def auth(settings: Settings, redis: Redis) -> AuthState:
    return await start_auth(settings, redis)


@pytest.fixture
async def client(auth: AuthState) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(auth))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
        yield http
