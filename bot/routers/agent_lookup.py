"""An agent looks up an unverified customer from a case, and supervisors read who looked up whom.

``POST /api/agent/cases/{case_id}/lookup`` ``{"by": "account"|"phone", "ref": "AC10000003"}``: only the agent
holding the chat now, or a supervisor or admin; the result is journaled into the case (shown in its view, told
to the consoles) and every lookup that reached the customer records is in the audit log
(``bot.handoff.lookup_audit``). Answers: 201 found; 404 nobody has that number (nothing about anyone else);
422 not an account or phone number (nothing looked up, nothing counted); 409 not your chat; 429 over the
per-agent limit; 503 the customer records are down (nothing recorded in the case).

``GET /api/supervisor/lookups`` (supervisors and admins): the audit log, newest first, filtered by agent, case,
outcome or the reference searched (pseudonymised before it is compared), paged with ``before``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from bot.auth import Role, User
from bot.dependencies import CASE_ID, CaseId, HandoffDep, StaffDep, SupervisorDep, limit_body
from bot.handoff import building, lookup, lookup_rate
from bot.handoff.case import HandoffCase
from bot.handoff.lookup_audit import RETENTION_DAYS, AuditFilter, LookupAudit
from bot.handoff.state import HandoffState
from core.errors import Conflict, DomainError, NotFound, TooMany, Unprocessable
from core.oss.identifiers import normalize_account, normalize_phone
from core.unicode_text import AS_TYPED, scrub

router = APIRouter(tags=["agent console"])

STREAM_ID = r"^\d{1,20}-\d{1,20}$"
MAX_PAGE = 200


class LookupIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    by: Literal["account", "phone"]
    ref: Annotated[str, Field(min_length=1, max_length=lookup.MAX_REF_CHARS), AS_TYPED] = Field(
        ..., description="As the customer said it."
    )


def _audit(handoff: HandoffState) -> LookupAudit:
    settings = handoff.service.settings
    return LookupAudit(handoff.service.redis, settings.learning_pseudonym_secret.get_secret_value())


async def _case_to_look_up_for(case_id: str, user: User, handoff: HandoffState) -> HandoffCase:
    """The case, if ``user`` may look a customer up for it: its agent now, or any supervisor or admin."""
    if user.has_role(Role.supervisor):
        case = await handoff.service.queues.get(case_id)
        if case is None:
            raise NotFound("case_not_found", "There is no such case.")
        return case
    try:
        return await handoff.service.held_by(case_id, user.name)
    except Conflict as exc:
        if exc.code == "not_your_chat":
            raise Conflict("not_your_chat", "You can look up a customer only in a chat you hold now: "
                           "accept the case first.") from None  # fmt: skip
        raise


@router.post("/api/agent/cases/{case_id}/lookup", status_code=201, dependencies=[Depends(limit_body)])
async def look_up_customer(case_id: CaseId, body: LookupIn, user: StaffDep, handoff: HandoffDep) -> dict[str, Any]:
    case = await _case_to_look_up_for(case_id, user, handoff)
    ref = lookup.normalise(body.by, scrub(body.ref))
    audit = _audit(handoff)
    said = {"agent": user.name, "role": user.role.value, "case_id": case_id, "by": body.by, "ref": ref,
            "ref_masked": lookup.masked(body.by, ref)}  # fmt: skip
    allowance = await lookup_rate.take(handoff.service.redis, user.name)
    if not allowance.allowed:
        if allowance.first_refusal:  # one entry per window: a flood must not flood the log
            await audit.record(**said, outcome="rate_limited")
        raise TooMany("too_many_lookups", f"You have made {lookup_rate.LOOKUPS_PER_WINDOW} lookups in the last "
                      f"minute, the limit; try again in {allowance.retry_after_s} s.",
                      retry_after=allowance.retry_after_s)  # fmt: skip
    try:
        outcome = await lookup.look_up(handoff.oss, body.by, ref)
    except DomainError:  # the customer records did not answer
        await audit.record(**said, outcome="unavailable")
        raise
    customer_id = outcome.customer.customer_id if outcome.customer else None
    # The access is logged before the case shows it: a lookup is never seen without its audit entry.
    await audit.record(**said, outcome="found" if outcome.found else "not_found", customer_id=customer_id)
    run = lookup.journal_entry(case, outcome, user.name)
    await handoff.service.queues.add(case_id, "diagnostics", run.model_dump())
    await handoff.service.console({"type": "case", "event": "updated", "what": lookup.LOOKUP_KIND,
                                   "queue": case.queue.value, "agent": case.agent, "case_id": case_id,
                                   "case": building.summary(case)})  # fmt: skip
    if outcome.customer is None:
        raise NotFound("customer_not_found", outcome.summary)
    return {"v": 1, "summary": outcome.summary, "customer": outcome.customer.as_dict(), "run": run.model_dump()}


@router.get("/api/supervisor/lookups")
async def lookups(
    _: SupervisorDep,
    handoff: HandoffDep,
    agent: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")] = None,
    case_id: Annotated[str | None, Query(pattern=CASE_ID)] = None,
    ref: Annotated[
        str | None, Query(max_length=lookup.MAX_REF_CHARS, description="An account or phone number.")
    ] = None,
    outcome: Annotated[Literal["found", "not_found", "unavailable", "rate_limited"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    before: Annotated[str | None, Query(pattern=STREAM_ID)] = None,
) -> dict[str, Any]:
    """Who looked up whom, newest first; ``next_before`` pages on (``null`` at the end)."""
    audit = _audit(handoff)
    pseudonym = None
    if ref is not None:
        normal = normalize_account(scrub(ref)) or normalize_phone(scrub(ref))
        if normal is None:
            raise Unprocessable("invalid_request", "ref: not an account number (AC10000003) or a UK phone "
                                "number (07700 900003)")  # fmt: skip
        pseudonym = audit.pseudonym(normal)
    wanted = AuditFilter(agent=agent, case_id=case_id, ref_pseudonym=pseudonym, outcome=outcome)
    entries, next_before = await audit.read(wanted, limit, before)
    return {"v": 1, "entries": entries, "next_before": next_before, "retention_days": RETENTION_DAYS}
