"""Canned replies: supervisors keep them per queue (``/api/supervisor/canned/{queue}``), agents read those of the
queues they serve (``/api/agent/canned/{queue}``) and insert them into the reply box."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, StrictStr

from bot.auth import Role, User, require_roles
from bot.auth.state import AuthState, get_auth
from bot.errors import GatewayError
from bot.handoff.canned import REPLY_ID, CannedError, CannedReplies, as_json
from bot.handoff.case import Queue

agent_routes = APIRouter()
supervisor_routes = APIRouter()

Staff = Annotated[User, Depends(require_roles(Role.agent, Role.supervisor))]
Supervisor = Annotated[User, Depends(require_roles(Role.supervisor))]
Auth = Annotated[AuthState, Depends(get_auth)]
ReplyId = Annotated[str, Path(regex=REPLY_ID)]


class CannedIn(BaseModel):
    """Lengths and characters are checked by ``bot.handoff.canned`` (one sentence per rule broken)."""

    title: StrictStr
    text: StrictStr

    class Config:
        extra = "forbid"


def _replies(request: Request) -> CannedReplies:
    return CannedReplies(request.app.state.handoff.service.redis)


def _fail(exc: CannedError) -> GatewayError:
    return GatewayError(exc.status, exc.code, exc.message)


@agent_routes.get("/canned/{queue}")
async def for_agents(queue: Queue, user: Staff, auth: Auth, request: Request) -> dict[str, Any]:
    if not user.has_role(Role.supervisor) and queue.value not in await auth.accounts.queues(user.name):
        raise GatewayError(403, "not_your_queue", f"You don't serve the {queue.value} queue.")
    return {"v": 1, "queue": queue.value, "replies": [as_json(r) for r in await _replies(request).list(queue)]}


@supervisor_routes.get("/canned/{queue}")
async def listed(queue: Queue, _: Supervisor, request: Request) -> dict[str, Any]:
    return {"v": 1, "queue": queue.value, "replies": [as_json(r) for r in await _replies(request).list(queue)]}


@supervisor_routes.post("/canned/{queue}", status_code=201)
async def add(queue: Queue, body: CannedIn, user: Supervisor, request: Request) -> dict[str, Any]:
    try:
        reply = await _replies(request).add(queue, body.title, body.text, user.name)
    except CannedError as exc:
        raise _fail(exc) from None
    return {"v": 1, "reply": as_json(reply)}


@supervisor_routes.put("/canned/{queue}/{reply_id}")
async def edit(queue: Queue, reply_id: ReplyId, body: CannedIn, user: Supervisor, request: Request) -> dict[str, Any]:
    try:
        reply = await _replies(request).update(queue, reply_id, body.title, body.text, user.name)
    except CannedError as exc:
        raise _fail(exc) from None
    return {"v": 1, "reply": as_json(reply)}


@supervisor_routes.delete("/canned/{queue}/{reply_id}", status_code=204)
async def delete(queue: Queue, reply_id: ReplyId, _: Supervisor, request: Request) -> None:
    try:
        await _replies(request).delete(queue, reply_id)
    except CannedError as exc:
        raise _fail(exc) from None
