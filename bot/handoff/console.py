"""Live updates for agent consoles: every gateway subscribes to ``keys.CONSOLE`` once and forwards each message to
the consoles connected to it that may see it (an in-process list of websockets works in one process only, so
the fan-out goes through Redis).

Who sees what: case events of a queue go to the agents serving that queue and to supervisors; a chat line
or typing of a held case goes to its agent (and supervisors); presence changes go to supervisors.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import WebSocket
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.handoff import keys
from core.redis.connect import connect

log = logging.getLogger(__name__)


OUTBOX_MAX = 1000  # frames waiting for one slow console before it is dropped (it reconnects and catches up)
SESSION_ENDED = 1008  # policy violation: the console must log in again


@dataclass(eq=False)
class Viewer:
    """One open console. Frames wait in its own outbox and one writer sends them in order, so a slow console
    never holds up the fan-out to the others."""

    socket: WebSocket
    name: str
    supervisor: bool
    queues: frozenset[str]
    outbox: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(OUTBOX_MAX))
    writer: asyncio.Task[None] | None = None
    still_allowed: Callable[[], Awaitable[bool]] | None = None
    """Asked before every frame: the session still open, the account enabled, the role unchanged."""

    def sees_queue(self, queue: str | None) -> bool:
        return self.supervisor or (queue is not None and queue in self.queues)

    def sees(self, message: dict[str, Any]) -> bool:
        kind = message.get("type")
        if kind == "presence":
            return self.supervisor
        if kind in ("chat", "typing"):
            agent = message.get("agent")
            return agent == self.name or self.supervisor or (agent is None and self.sees_queue(message.get("queue")))
        if kind == "case":
            return message.get("agent") == self.name or self.sees_queue(message.get("queue"))
        return False


class ConsoleHub:
    def __init__(self, redis_url: str) -> None:
        # Its own connection without a read timeout: a subscription is silent for as long as nothing happens.
        self._redis: Redis = connect(redis_url)
        self._viewers: set[Viewer] = set()

    async def aclose(self) -> None:
        await self._redis.aclose()

    def add(self, viewer: Viewer) -> None:
        viewer.writer = asyncio.create_task(self._write(viewer))
        self._viewers.add(viewer)

    def remove(self, viewer: Viewer) -> None:
        self._viewers.discard(viewer)
        if viewer.writer:
            viewer.writer.cancel()

    async def _write(self, viewer: Viewer) -> None:
        try:
            while True:
                text = await viewer.outbox.get()
                if viewer.still_allowed is not None and not await viewer.still_allowed():
                    # Logged out, disabled or another role since it connected: not one more customer's words.
                    self._viewers.discard(viewer)
                    await viewer.socket.close(code=SESSION_ENDED)
                    return
                await viewer.socket.send_text(text)
        except asyncio.CancelledError:
            raise
        except Exception:  # the socket closed: its own handler removes the viewer
            self._viewers.discard(viewer)

    @property
    def viewers(self) -> int:
        return len(self._viewers)

    async def send(self, viewer: Viewer, message: dict[str, Any] | str) -> None:
        """Queue a frame for one console (never waits for the socket)."""
        text = message if isinstance(message, str) else json.dumps(message, default=str)
        try:
            viewer.outbox.put_nowait(text)
        except asyncio.QueueFull:
            log.warning("console of %s too slow; closing it so it reconnects and catches up", viewer.name)
            self.remove(viewer)
            await viewer.socket.close(code=1013)

    async def run(self) -> None:
        """Forward every console message to the consoles here that may see it, for as long as the gateway runs."""
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(keys.CONSOLE)
                async for raw in pubsub.listen():
                    if raw.get("type") != "message":
                        continue
                    text = raw["data"].decode() if isinstance(raw["data"], bytes) else str(raw["data"])
                    message = json.loads(text)
                    for viewer in [v for v in list(self._viewers) if v.sees(message)]:
                        await self.send(viewer, text)  # the published text itself: serialised once
            except (RedisError, OSError, ValueError):
                log.warning("console fan-out lost Redis; subscribing again in 1 s", exc_info=True)
                await asyncio.sleep(1)
            finally:
                await pubsub.aclose()
