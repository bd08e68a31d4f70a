"""What the agent console's routers share, opened once in the gateway's lifespan (``app.state.handoff``)."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from dataclasses import dataclass, field
from typing import cast

from fastapi import Request, WebSocket

from bot.handoff.console import ConsoleHub
from bot.handoff.dispatcher import Dispatcher, consumer_name
from bot.handoff.service import HandoffService
from core.oss.client import OssClient
from core.oss.config import OssConfig


@dataclass
class HandoffState:
    service: HandoffService
    hub: ConsoleHub
    oss: OssClient
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with suppress(asyncio.CancelledError):
                await task
        await self.oss.aclose()
        await self.hub.aclose()
        await self.service.recorder.aclose()


def start_handoff(service: HandoffService) -> HandoffState:
    """Start this gateway's dispatcher (queues' streams, sweeps) and its console fan-out."""
    hub = ConsoleHub(service.settings.effective_redis_url)
    state = HandoffState(service, hub, OssClient(OssConfig.from_settings(service.settings)))
    dispatcher = Dispatcher(service, consumer_name(service.settings.gateway_port))
    state.tasks = [asyncio.create_task(dispatcher.run()), asyncio.create_task(state.hub.run())]
    return state


def get_handoff(request: Request) -> HandoffState:
    return cast(HandoffState, request.app.state.handoff)


def get_handoff_ws(websocket: WebSocket) -> HandoffState:
    return cast(HandoffState, websocket.app.state.handoff)
