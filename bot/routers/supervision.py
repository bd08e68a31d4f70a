"""The supervisor's view: the page at ``/supervisor`` and its API under ``/api/supervisor/`` (live chats, a chat
read-only, reassign, take over, figures). Supervisors and admins only; anyone else gets 403, nobody 401.

The router has its own lifespan (FastAPI runs it inside the gateway's): it starts this gateway's case journal
listener (``bot.handoff.journal``), which the figures are counted from.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.dependencies import AfterSeq, CaseId, SupervisionDep, SupervisorDep, limit_body
from bot.handoff import incidents
from bot.handoff import journal as case_journal
from bot.handoff.case import Queue
from bot.handoff.metrics import period_figures
from bot.handoff.state import HandoffState
from bot.handoff.supervision import MAX_NOTE_CHARS, Supervision
from bot.routers.console_page import HEADERS
from bot.routers.web import STATIC_DIR
from core.errors import Unprocessable
from core.unicode_text import AS_TYPED
from learning.satisfaction import SatisfactionStore

MAX_PERIOD_S = 400 * 86400  # a little over a year: enough for any comparison, bounded work
LOGIN = r"^[a-z0-9._-]{2,64}$"
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    handoff = cast(HandoffState, app.state.handoff)
    journal = case_journal.CaseJournal(handoff.service.redis)
    app.state.supervision = Supervision(handoff.service, journal)
    listener = asyncio.create_task(case_journal.listen(handoff.service.settings.effective_redis_url, journal))
    try:
        yield
    finally:
        listener.cancel()
        with suppress(asyncio.CancelledError):
            await listener


router = APIRouter(lifespan=lifespan, dependencies=[Depends(limit_body)])


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    expected_agent: str = Field(..., pattern=LOGIN, description="Who holds the chat as the supervisor saw it.")
    note: Annotated[str, Field(max_length=MAX_NOTE_CHARS), AS_TYPED] = ""

    @field_validator("note")
    @classmethod
    def _safe(cls, note: str) -> str:
        if _UNSAFE.search(note):
            raise ValueError("control, bidirectional or broken characters are not allowed")
        return note


class ReassignIn(MoveIn):
    to_agent: str | None = Field(None, pattern=LOGIN)
    to_queue: Queue | None = None

    @model_validator(mode="after")
    def _one_target(self) -> ReassignIn:
        if (self.to_agent is None) == (self.to_queue is None):
            raise ValueError("give exactly one of to_agent and to_queue")
        return self


@router.get("/supervisor", response_class=HTMLResponse, include_in_schema=False)
async def page() -> HTMLResponse:
    return HTMLResponse((STATIC_DIR / "supervisor.html").read_text(encoding="utf-8"), headers=HEADERS)


@router.get("/api/supervisor/live", tags=["supervisor"])
async def live(_: SupervisorDep, supervision: SupervisionDep) -> dict[str, Any]:
    """Chats held now (``wait_s``: in the queue before the accept; ``handle_s``: since it), queues, agents."""
    return await supervision.live()


@router.get("/api/supervisor/chats/{case_id}", tags=["supervisor"])
async def read_chat(case_id: CaseId, _: SupervisorDep, supervision: SupervisionDep) -> dict[str, Any]:
    case = await supervision.chat(case_id)
    holder = await supervision.accounts.display_name(case.agent) if case.agent else None
    found = await incidents.for_case(supervision.service.redis, case.findings)
    return {"v": 1, "case": case.model_dump(), "holder_display_name": holder,
            "incident": incidents.view(found) if found else None}  # fmt: skip


@router.get("/api/supervisor/chats/{case_id}/history", tags=["supervisor"])
async def chat_history(
    case_id: CaseId, _: SupervisorDep, supervision: SupervisionDep, after_seq: AfterSeq = 0
) -> dict[str, Any]:
    case = await supervision.chat(case_id)
    store = supervision.service.store
    return {"v": 1, "entries": await store.history(case.conversation_id, after_seq),
            "last_seq": await store.last_seq(case.conversation_id)}  # fmt: skip


@router.post("/api/supervisor/chats/{case_id}/reassign", tags=["supervisor"])
async def reassign(
    case_id: CaseId, body: ReassignIn, user: SupervisorDep, supervision: SupervisionDep
) -> dict[str, Any]:
    """To another agent (online, serving the queue, with room) or another queue; 409 when the chat moved on."""
    if body.to_agent is not None:
        case = await supervision.to_agent(case_id, body.expected_agent, body.to_agent, user.name, body.note)
    else:
        assert body.to_queue is not None
        case = await supervision.to_queue(case_id, body.expected_agent, body.to_queue, user.name, body.note)
    return {"v": 1, "case": case.model_dump()}


@router.post("/api/supervisor/chats/{case_id}/take-over", tags=["supervisor"])
async def take_over(case_id: CaseId, body: MoveIn, user: SupervisorDep, supervision: SupervisionDep) -> dict[str, Any]:
    """The supervisor holds the chat from now on (and replies from the agent console)."""
    case = await supervision.take_over(case_id, body.expected_agent, user.name, body.note)
    return {"v": 1, "case": case.model_dump()}


@router.get("/api/supervisor/figures", tags=["supervisor"])
async def figures(
    _: SupervisorDep,
    supervision: SupervisionDep,
    from_s: Annotated[float, Query(alias="from", ge=0, description="Start of the period, epoch seconds.")],
    to_s: Annotated[float | None, Query(alias="to", ge=0, description="End (default: now), epoch seconds.")] = None,
) -> dict[str, Any]:
    """Offered, answered, abandoned, wait, first reply, handle (p50/p90) and satisfaction per queue and agent."""
    end = min(to_s if to_s is not None else time.time(), time.time())
    if from_s >= end:
        raise Unprocessable("invalid_period", "The period must start before it ends (and before now).")
    if end - from_s > MAX_PERIOD_S:
        raise Unprocessable("invalid_period", "A period is at most 400 days long.")
    service = supervision.service
    answers = SatisfactionStore(service.redis, service.settings.learning_retention_days)
    result = await period_figures(supervision.journal, service.store, answers, from_s, end)
    names = {row["agent"] for row in result["agents"]}
    shown = {name: await supervision.accounts.display_name(name) for name in names}
    for row in result["agents"]:
        row["display_name"] = shown[row["agent"]]
    return result
