"""The gateway: the only door for people. ``create_app(settings)`` builds it; nothing is opened at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from redis.asyncio import Redis

from bot.conversations import ConversationStore
from bot.errors import install_error_handlers
from bot.rasa_client import RasaClient
from bot.routers import health, messages
from bot.settings import Settings, get_settings
from bot.state import GatewayState


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = Redis.from_url(settings.effective_redis_url, socket_timeout=5, health_check_interval=30)
        token = settings.rasa_token.get_secret_value() if settings.rasa_token else None
        rasa = RasaClient(settings.effective_rasa_url, settings.rasa_timeout_s, token)
        app.state.gateway = GatewayState(settings, redis, rasa, ConversationStore(redis))
        try:
            yield
        finally:
            await rasa.aclose()
            await redis.close()

    app = FastAPI(
        title="Telecom triage bot gateway",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/api/docs" if settings.development else None,
        openapi_url="/api/openapi.json",
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(messages.router)
    return app
