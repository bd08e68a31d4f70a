"""The agent console's live channel: ``/api/agent/ws`` (JSON text frames, ``{"v": 1, "type": ...}``).

The console sends ``beat`` every 5 s (presence), ``presence {status}`` and ``typing {case_id, typing}``. The
gateway sends ``hello`` (who you are, the queues you see) and then whatever ``bot.handoff.console`` routes
to this console: ``case`` (a case queued, re-announced, accepted, moved, ended), ``chat`` (history entries of
a chat, with their sequence numbers: a console shows each once), ``typing`` and, to supervisors, ``presence``.
A console that reconnects fetches the queue and each chat's history after the last sequence number it showed,
so nothing is lost or doubled across reconnects and gateway restarts.
"""

from __future__ import annotations

import json
import logging
from contextlib import suppress
from functools import partial

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from bot.auth import Role
from bot.auth.accounts import User
from bot.auth.same_site import from_this_site
from bot.auth.state import AuthState
from bot.dependencies import presented_token
from bot.handoff.case import Queue
from bot.handoff.console import SESSION_ENDED, Viewer
from bot.handoff.state import HandoffState
from core.errors import DomainError

log = logging.getLogger(__name__)

router = APIRouter()
MAX_FRAME_CHARS = 4096
POLICY_VIOLATION = 1008


async def _still_allowed(auth: AuthState, token: str | None, user: User) -> bool:
    current = await auth.accounts.session_user(token) if token else None
    return current is not None and current == user


@router.websocket("/api/agent/ws")
async def console_socket(websocket: WebSocket) -> None:
    auth: AuthState = websocket.app.state.auth
    handoff: HandoffState = websocket.app.state.handoff
    token = presented_token(websocket)
    user = await auth.accounts.session_user(token) if token else None
    if not from_this_site(websocket.headers) or user is None or not user.has_role(Role.agent, Role.supervisor):
        await websocket.close(code=POLICY_VIOLATION)
        return
    await websocket.accept()
    supervisor = user.has_role(Role.supervisor)
    queues = [q.value for q in Queue] if supervisor else await auth.accounts.queues(user.name)
    viewer = Viewer(websocket, user.name, supervisor, frozenset(queues))
    viewer.still_allowed = partial(_still_allowed, auth, token, user)
    service = handoff.service
    await service.presence.beat(user.name, user.role.value, queues)
    handoff.hub.add(viewer)
    await handoff.hub.send(viewer, {"v": 1, "type": "hello", "name": user.name, "role": user.role.value,
                                    "queues": queues})  # fmt: skip
    await service.console({"type": "presence", "agent": user.name, "status": "connected"})
    try:
        while True:
            raw = await websocket.receive_text()
            if len(raw) > MAX_FRAME_CHARS:
                continue
            try:
                frame = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(frame, dict):
                continue
            kind = frame.get("type")
            if not await _still_allowed(auth, token, user):
                await websocket.close(code=SESSION_ENDED)
                break
            if kind == "beat":
                await service.presence.beat(user.name, user.role.value, queues)
            elif kind == "presence" and frame.get("status") in ("online", "away"):
                await service.presence.beat(user.name, user.role.value, queues, frame["status"])
                await service.console({"type": "presence", "agent": user.name, "status": frame["status"]})
            elif kind == "typing" and isinstance(frame.get("case_id"), str) and isinstance(frame.get("typing"), bool):
                with suppress(DomainError):  # typing on a chat no longer held: nothing to show
                    await service.agent_typing(frame["case_id"], user.name, frame["typing"])
    except WebSocketDisconnect:
        pass
    finally:
        handoff.hub.remove(viewer)
        await service.presence.left(user.name)
        await service.console({"type": "presence", "agent": user.name, "status": "disconnected"})
