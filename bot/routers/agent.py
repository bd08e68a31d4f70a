"""The agent console's API (``/api/agent/*``), its live channel (``/api/agent/ws``) and the supervisor's view.

Only logged-in agents, supervisors and admins (a session cookie or ``Authorization: Bearer``); a customer's
conversation token is no session, so it gets 401. An agent reads and works only cases of the queues they
serve; supervisors and admins see every queue. Bodies are small typed JSON: unknown fields, wrong types and
oversized texts are refused with the gateway's error shape, and any body over
``bot.dependencies.MAX_CONSOLE_BODY_BYTES`` with 413.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request

from bot.auth import Role, User
from bot.auth.state import AuthState
from bot.chat.store import ChatStore
from bot.dependencies import AfterSeq, AuthDep, CaseId, HandoffDep, StaffDep, SupervisorDep, limit_body
from bot.handoff import building, incidents, keys, signoff, tools
from bot.handoff.case import CaseStatus, HandoffCase, Note, Queue, TicketAction
from bot.handoff.state import HandoffState
from bot.insights.conversations import DispositionIn, record_disposition
from bot.insights.state import InsightsState, get_insights
from bot.routers import agent_canned, agent_incidents
from bot.routers.agent_bodies import (
    DiagnosticIn,
    EndIn,
    HandBackIn,
    MessageIn,
    NoteIn,
    PresenceIn,
    TicketIn,
    TransferIn,
    TypingIn,
)
from core.errors import DomainError, Forbidden, NotFound, Unprocessable
from core.incident_board import open_incidents

router = APIRouter(prefix="/api/agent", tags=["agent console"], dependencies=[Depends(limit_body)])
supervisor_router = APIRouter(prefix="/api/supervisor", tags=["agent console"])


async def visible_queues(user: User, auth: AuthState) -> set[str] | None:
    """The queues the user may see; ``None`` for all (supervisors and admins)."""
    if user.has_role(Role.supervisor):
        return None
    return set(await auth.accounts.queues(user.name))


async def readable_case(case_id: str, user: User, auth: AuthState, handoff: HandoffState) -> HandoffCase:
    case = await handoff.service.queues.get(case_id)
    if case is None:
        raise NotFound("case_not_found", "There is no such case.")
    queues = await visible_queues(user, auth)
    if queues is not None and case.queue.value not in queues and not await _holds(case_id, user, handoff):
        raise Forbidden("not_your_queue", f"This case is in the {case.queue.value} queue, which you don't serve.")
    return case


async def _holds(case_id: str, user: User, handoff: HandoffState) -> bool:
    """Whether ``user`` holds the chat now (a case's ``agent`` also names whoever held it last)."""
    state = await handoff.service.queues.state(case_id)
    return state.get("status") == CaseStatus.accepted.value and state.get("agent") == user.name


@router.get("/me")
async def me(user: StaffDep, auth: AuthDep, handoff: HandoffDep) -> dict[str, Any]:
    presence = await handoff.service.presence.get(user.name)
    queues = await visible_queues(user, auth)
    shown = await auth.accounts.display_name(user.name)
    return {"v": 1, "name": user.name, "display_name": shown, "role": user.role.value,
            "queues": sorted(queues) if queues is not None else [q.value for q in Queue],
            "capacity": handoff.service.settings.handoff_agent_capacity,
            "status": presence.status if presence else "online"}  # fmt: skip


@router.put("/presence")
async def set_presence(body: PresenceIn, user: StaffDep, handoff: HandoffDep) -> dict[str, Any]:
    await handoff.service.presence.set_status(user.name, body.status)
    await handoff.service.console({"type": "presence", "agent": user.name, "status": body.status})
    return {"v": 1, "status": body.status}


@router.get("/queue")
async def queue(user: StaffDep, auth: AuthDep, handoff: HandoffDep) -> dict[str, Any]:
    """Waiting cases of the user's queues, priority then age; the chats the user holds now; and the callbacks
    and tickets customers of those queues left (``parked``), oldest first, for someone to pick up. Each case
    names the open network incident it falls in (``incident``), if any."""
    queues = handoff.service.queues
    visible = await visible_queues(user, auth)
    waiting, parked = [], []
    now = time.time()
    for q in Queue:
        if visible is None or q.value in visible:
            waiting += [item.summary(now) for item in await queues.cards(q)]
            parked += await queues.parked(q, now)
    waiting.sort(key=lambda c: ({"urgent": 0, "high": 1, "normal": 2}[c["priority"]], c["created_at"]))
    parked.sort(key=lambda c: -c["waited_s"])
    mine = [await queues.get(case_id) for case_id in await queues.agent_case_ids(user.name)]
    held = [{**building.summary(c), "sensor": c.findings} for c in mine if c is not None]
    open_now = await open_incidents(handoff.service.redis)
    for summary in [*waiting, *held, *parked]:
        found = incidents.match(summary.pop("sensor", None) or {}, open_now)
        summary["incident"] = found.id if found else None
    return {"v": 1, "waiting": waiting, "mine": held, "parked": parked}


@router.get("/cases/{case_id}")
async def read_case(case_id: CaseId, user: StaffDep, auth: AuthDep, handoff: HandoffDep) -> dict[str, Any]:
    case = await readable_case(case_id, user, auth, handoff)
    place = await handoff.service.queues.place(case_id, case.queue)
    shown = await handoff.service.display_name(case.agent) if case.agent else None
    found = await incidents.for_case(handoff.service.redis, case.findings)
    return {"v": 1, "case": case.model_dump(), "position": place.position if place else None,
            "agent_name": shown, "schema_version": case.v,
            "incident": incidents.view(found) if found else None}  # fmt: skip


@router.get("/cases/{case_id}/history")
async def history(
    case_id: CaseId, user: StaffDep, auth: AuthDep, handoff: HandoffDep, after_seq: AfterSeq = 0
) -> dict[str, Any]:
    """The conversation's entries after ``after_seq`` (what a reconnecting console has not shown yet)."""
    case = await readable_case(case_id, user, auth, handoff)
    store: ChatStore = handoff.service.store
    return {"v": 1, "entries": await store.history(case.conversation_id, after_seq),
            "last_seq": await store.last_seq(case.conversation_id)}  # fmt: skip


@router.post("/cases/{case_id}/accept")
async def accept(case_id: CaseId, user: StaffDep, auth: AuthDep, handoff: HandoffDep) -> dict[str, Any]:
    await readable_case(case_id, user, auth, handoff)
    case = await handoff.service.accept(case_id, user.name)
    return {"v": 1, "case": case.model_dump()}


@router.post("/cases/{case_id}/pick-up")
async def pick_up(case_id: CaseId, user: StaffDep, auth: AuthDep, handoff: HandoffDep) -> dict[str, Any]:
    """Take a callback or ticket the customer left and chat with them as with an accepted case."""
    await readable_case(case_id, user, auth, handoff)
    case = await handoff.service.pick_up(case_id, user.name)
    return {"v": 1, "case": case.model_dump()}


@router.post("/cases/{case_id}/messages")
async def send_message(case_id: CaseId, body: MessageIn, user: StaffDep, handoff: HandoffDep) -> dict[str, Any]:
    seq, duplicate = await handoff.service.agent_message(case_id, user.name, body.client_id, body.text)
    return {"v": 1, "seq": seq, "client_id": body.client_id, "duplicate": duplicate}


@router.post("/cases/{case_id}/typing", status_code=204)
async def typing(case_id: CaseId, body: TypingIn, user: StaffDep, handoff: HandoffDep) -> None:
    await handoff.service.agent_typing(case_id, user.name, body.typing)


@router.post("/cases/{case_id}/notes", status_code=201)
async def add_note(case_id: CaseId, body: NoteIn, user: StaffDep, auth: AuthDep, handoff: HandoffDep) -> dict[str, Any]:
    await readable_case(case_id, user, auth, handoff)
    note = Note(at=datetime.now(UTC), by=user.name, by_name=await handoff.service.display_name(user.name),
                text=body.text)  # fmt: skip
    await handoff.service.queues.add(case_id, "notes", note.model_dump())
    return {"v": 1, "note": note.model_dump()}


@router.post("/cases/{case_id}/diagnostics", status_code=201)
async def rerun(
    case_id: CaseId, body: DiagnosticIn, user: StaffDep, auth: AuthDep, handoff: HandoffDep
) -> dict[str, Any]:
    case = await readable_case(case_id, user, auth, handoff)
    try:
        run = await tools.run_diagnostic(handoff.oss, case, body.kind, user.name)
    except tools.ToolError as exc:
        raise Unprocessable("diagnostic_failed", str(exc)) from None
    await handoff.service.queues.add(case_id, "diagnostics", run.model_dump())
    return {"v": 1, "run": run.model_dump()}


@router.post("/cases/{case_id}/tickets", status_code=201)
async def ticket(case_id: CaseId, body: TicketIn, user: StaffDep, auth: AuthDep, handoff: HandoffDep) -> dict[str, Any]:
    case = await readable_case(case_id, user, auth, handoff)
    try:
        if body.action == "create":
            made = await tools.create_ticket(handoff.oss, case, user.name, body.text, body.severity)
        elif body.ticket_id is None:
            raise Unprocessable("invalid_request", "Which ticket? Type its id (like TT-100024) to update it.")
        else:
            made = await tools.update_ticket(handoff.oss, case, body.ticket_id, user.name, body.text, body.status)
    except tools.ToolError as exc:
        raise Unprocessable("ticket_failed", str(exc)) from None
    by_name = await handoff.service.display_name(user.name)
    action = TicketAction(at=datetime.now(UTC), by=user.name, by_name=by_name, action=f"{body.action}d",
                          ticket_id=made.id, status=made.status, summary=body.text[:300])  # fmt: skip
    await handoff.service.queues.add(case_id, "tickets", action.model_dump())
    return {"v": 1, "ticket": tools.ticket_view(made), "action": action.model_dump()}


@router.post("/cases/{case_id}/transfer")
async def transfer(case_id: CaseId, body: TransferIn, user: StaffDep, handoff: HandoffDep) -> dict[str, Any]:
    """Move the chat to another queue; the optional note is kept in the case for whoever takes it next."""
    case = await handoff.service.transfer(case_id, user.name, body.queue)
    if body.note:
        note = Note(at=datetime.now(UTC), by=user.name, text=body.note,
                    by_name=await handoff.service.display_name(user.name),
                    transfer_from=(case.transfers or [""])[-1] or None, transfer_to=body.queue.value)  # fmt: skip
        await handoff.service.queues.add(case_id, "notes", note.model_dump())
    return {"v": 1, "case": building.summary(case)}


@router.post("/cases/{case_id}/hand-back")
async def hand_back(
    case_id: CaseId, body: HandBackIn, user: StaffDep, handoff: HandoffDep, request: Request
) -> dict[str, Any]:
    """Give the chat back to the bot with a disposition, recorded as ending records it."""
    case = await handoff.service.hand_back(case_id, user.name)
    at = datetime.now(UTC).isoformat()
    disposition = {**_disposition(body), "by": user.name, "at": at, "handed_back": True}
    await handoff.service.queues.set_fields(case_id, disposition=json.dumps(disposition))
    learning = await _learn(request, case.conversation_id, body, user)
    return {"v": 1, "case": building.summary(await handoff.service.queues.get(case_id) or case), "learning": learning}


@router.post("/cases/{case_id}/end")
async def end(case_id: CaseId, body: EndIn, user: StaffDep, handoff: HandoffDep, request: Request) -> dict[str, Any]:
    """End the chat with a disposition; it is also recorded in the learning store for product owners."""
    case = await handoff.service.end(case_id, user.name, _disposition(body))
    learning = await _learn(request, case.conversation_id, body, user)
    return {"v": 1, "case": building.summary(case), "learning": learning}


def _disposition(body: EndIn) -> dict[str, Any]:
    return {"resolution": body.resolution, "root_cause": body.root_cause.value,
            "bot_could_handle": body.bot_could_handle}  # fmt: skip


async def _learn(request: Request, conversation_id: str, body: EndIn, user: User) -> dict[str, Any]:
    """The disposition in the learning store, for product owners; its error when it could not be recorded."""
    insights: InsightsState = get_insights(request)
    learned = DispositionIn(conversation_id=conversation_id, bot_could_handle=body.bot_could_handle,
                            root_cause=body.root_cause, resolved=body.resolution == "resolved",
                            resolution=body.resolution)  # fmt: skip
    try:
        return await record_disposition(insights.store, learned, user.name)
    except DomainError as exc:
        return {"error": exc.code, "message": exc.message}


@router.post("/sign-off")
async def sign_off(user: StaffDep, handoff: HandoffDep) -> dict[str, Any]:
    """Before logging out: every chat the agent holds goes back to its queue now, each customer told."""
    released = await signoff.release_all(handoff.service, user.name)
    await handoff.service.presence.left(user.name)
    return {"v": 1, "released": released}


@supervisor_router.get("/overview")
async def overview(_: SupervisorDep, handoff: HandoffDep) -> dict[str, Any]:
    """Per queue: waiting cases, the longest wait, agents online; per agent: presence and chats held."""
    service = handoff.service
    agents = await service.presence.everyone()
    now = time.time()
    queues = []
    for q in Queue:
        waiting = [item.summary(now) for item in await service.queues.cards(q)]
        queues.append({
            "queue": q.value, "waiting": len(waiting),
            "longest_wait_s": max((c["waited_s"] for c in waiting), default=0),
            "overdue": sum(1 for c in waiting if c["reannounced"]), "agents_online": sum(
                1 for a in agents if a.available and q.value in a.queues),
        })  # fmt: skip
    people = [{"name": a.name, "role": a.role, "status": a.status, "connected": a.connected,
               "holding": a.holding, "capacity": service.settings.handoff_agent_capacity,
               "queues": list(a.queues), "last_seen_s": int(now - a.last_seen_ms / 1000)} for a in agents]  # fmt: skip
    callbacks = await service.redis.zcard(keys.CALLBACKS)
    tickets = [c for q in Queue for c in await service.queues.parked(q, now)
               if c["status"] == CaseStatus.ticket_requested.value]  # fmt: skip
    return {"v": 1, "queues": queues, "agents": people, "callbacks_requested": int(callbacks),
            "tickets_requested": len(tickets), "statuses": [s.value for s in CaseStatus]}  # fmt: skip


router.include_router(agent_canned.agent_routes)
router.include_router(agent_incidents.router)
supervisor_router.include_router(agent_canned.supervisor_routes, dependencies=[Depends(limit_body)])
