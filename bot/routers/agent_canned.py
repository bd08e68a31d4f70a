"""Canned replies: supervisors keep them per queue (``/api/supervisor/canned/{queue}``), agents read those of the
queues they serve (``/api/agent/canned/{queue}``) and insert them into the reply box."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, StrictStr

from bot.auth import Role
from bot.dependencies import AuthDep, StaffDep, SupervisorDep
from bot.handoff.canned import REPLY_ID, CannedReplies, as_json
from bot.handoff.case import Queue
from core.errors import Forbidden
from core.unicode_text import AS_TYPED

agent_routes = APIRouter()
supervisor_routes = APIRouter()

ReplyId = Annotated[str, Path(pattern=REPLY_ID)]


class CannedIn(BaseModel):
    """Lengths and characters are checked by ``bot.handoff.canned`` (one sentence per rule broken)."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[StrictStr, AS_TYPED]
    text: Annotated[StrictStr, AS_TYPED]


def _replies(request: Request) -> CannedReplies:
    return CannedReplies(request.app.state.handoff.service.redis)


@agent_routes.get("/canned/{queue}")
async def for_agents(queue: Queue, user: StaffDep, auth: AuthDep, request: Request) -> dict[str, Any]:
    if not user.has_role(Role.supervisor) and queue.value not in await auth.accounts.queues(user.name):
        raise Forbidden("not_your_queue", f"You don't serve the {queue.value} queue.")
    return {"v": 1, "queue": queue.value, "replies": [as_json(r) for r in await _replies(request).list(queue)]}


@supervisor_routes.get("/canned/{queue}")
async def listed(queue: Queue, _: SupervisorDep, request: Request) -> dict[str, Any]:
    return {"v": 1, "queue": queue.value, "replies": [as_json(r) for r in await _replies(request).list(queue)]}


@supervisor_routes.post("/canned/{queue}", status_code=201)
async def add(queue: Queue, body: CannedIn, user: SupervisorDep, request: Request) -> dict[str, Any]:
    reply = await _replies(request).add(queue, body.title, body.text, user.name)
    return {"v": 1, "reply": as_json(reply)}


@supervisor_routes.put("/canned/{queue}/{reply_id}")
async def edit(
    queue: Queue, reply_id: ReplyId, body: CannedIn, user: SupervisorDep, request: Request
) -> dict[str, Any]:
    reply = await _replies(request).update(queue, reply_id, body.title, body.text, user.name)
    return {"v": 1, "reply": as_json(reply)}


@supervisor_routes.delete("/canned/{queue}/{reply_id}", status_code=204)
async def delete(queue: Queue, reply_id: ReplyId, _: SupervisorDep, request: Request) -> None:
    await _replies(request).delete(queue, reply_id)
