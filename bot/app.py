"""The gateway: the only door for people. ``create_app(settings)`` builds it; nothing is opened at import."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from functools import partial
from typing import cast

import socketio
from fastapi import FastAPI

from bot.auth import Role, User, start_auth
from bot.auth.same_site import CookieWriteGuard
from bot.body_limit import BodyLimit
from bot.chat.delivery import Delivery
from bot.chat.publisher import ChatPublisher, server_emit
from bot.chat.server import ChatChannel, create_server
from bot.chat.store import ChatStore
from bot.conversations import ConversationStore
from bot.errors import install_error_handlers
from bot.handoff.service import HandoffService
from bot.handoff.signoff import release_all
from bot.handoff.state import HandoffState, start_handoff
from bot.handoff.tracker import TrackerRecorder
from bot.insights import start_insights, stop_insights
from bot.origins import ApiCORS
from bot.rasa_client import RasaClient
from bot.routers import agent, agent_lookup, agent_ws, console_page, health, messages, satisfaction, supervision, web
from bot.routers.auth import router as auth_router
from bot.routers.insights import router as insights_router
from bot.state import ChatState, GatewayState
from core.redis.connect import connect
from core.settings import Settings, get_settings


async def release_staff_chats(handoff: HandoffService, user: User) -> None:
    """Logging out anywhere (the console, /insights, the API) gives the chats the person holds back to their
    queues at once, each customer told, rather than after the reconnect grace."""
    if user.has_role(Role.agent, Role.supervisor):
        await release_all(handoff, user.name)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    sio = create_server(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = connect(settings.effective_redis_url, socket_timeout=5)
        token = settings.rasa_token.get_secret_value() if settings.rasa_token else None
        rasa = RasaClient(settings.effective_rasa_url, settings.rasa_timeout_s, token, settings.rasa_concurrency)
        conversations = ConversationStore(redis)
        store = ChatStore(redis)
        publisher = ChatPublisher(store, conversations, server_emit(sio))
        recorder = TrackerRecorder(redis, settings.effective_rasa_url, token, settings.rasa_timeout_s)
        handoff = HandoffService(settings, redis, store, conversations, publisher, recorder)
        delivery = Delivery(
            store,
            conversations,
            publisher,
            rasa,
            handoff,  # the chat's HandoffPort: escalate, after_bot_turn, customer_message
            rasa_timeout_s=settings.rasa_timeout_s,
            retry_interval_s=settings.chat_retry_interval_s,
        )
        app.state.gateway = GatewayState(settings, redis, rasa, conversations, ChatState(store, publisher, delivery))
        app.state.auth = await start_auth(settings, redis)  # refuses demo passwords and default secrets in production
        app.state.insights = await start_insights(settings, redis)
        app.state.handoff = start_handoff(handoff)
        app.state.auth.on_logout.append(partial(release_staff_chats, handoff))
        retry = asyncio.create_task(delivery.retry_forever())
        try:
            yield
        finally:
            retry.cancel()
            with suppress(asyncio.CancelledError):
                await retry
            await app.state.handoff.stop()
            await stop_insights(app.state.insights)
            await delivery.aclose()
            await sio.shutdown()
            await rasa.aclose()
            await redis.aclose()

    app = FastAPI(
        title="Telecom triage bot gateway",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/api/docs" if settings.development else None,
        openapi_url="/api/openapi.json" if settings.development else None,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(messages.router)
    app.include_router(auth_router)
    app.include_router(insights_router)
    app.include_router(agent.router)
    app.include_router(agent.supervisor_router)
    app.include_router(agent_ws.router)
    app.include_router(agent_lookup.router)
    app.include_router(supervision.router)
    app.include_router(satisfaction.router)
    web.install(app, settings)
    console_page.install(app)
    ChatChannel(
        sio, lambda: cast(GatewayState, app.state.gateway), lambda: cast(HandoffState, app.state.handoff).service
    )
    app.mount(settings.socketio_path, socketio.ASGIApp(sio, socketio_path=settings.socketio_path))
    app.add_middleware(CookieWriteGuard)  # type: ignore[arg-type,call-arg]  # (the mypy 1.4 note below)
    app.add_middleware(
        BodyLimit,  # type: ignore[arg-type]
        max_bytes=settings.max_request_bytes,  # type: ignore[call-arg]
        exempt_prefix=settings.socketio_path,
    )
    if settings.allowed_origins:
        # mypy 1.4 cannot match Starlette's ParamSpec middleware factory (it refuses CORSMiddleware too).
        app.add_middleware(
            ApiCORS,  # type: ignore[arg-type]
            allowed=settings.allowed_origins,  # type: ignore[call-arg]
            socketio_path=settings.socketio_path,
        )
    return app
