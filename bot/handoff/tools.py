"""What an agent runs from the console against the OSS/BSS, through the same TMF client the bot's actions use.

A re-run diagnostic (line test, outage check, order state) is compared with what the bot found (the case's
``findings``), so the agent sees what changed since; a trouble ticket is created or updated in TMF621 with
the case id in it, so whoever picks the ticket up finds the whole case.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, Literal

from bot.handoff.case import DiagnosticRun, Evidence, HandoffCase
from core.oss import models as m
from core.oss import summaries as s
from core.oss.client import OssClient
from core.oss.errors import OssError
from core.oss.journal import CallRecord

DiagnosticKind = Literal["line_test", "outage", "order"]


class ToolError(Exception):
    """The check cannot run for this case (no customer, no service, no order); the message says why."""


def _customer(case: HandoffCase) -> str:
    if case.identity is None:
        raise ToolError("The customer was not identified, so there is no service to check.")
    return case.identity.customer_id


async def _service(client: OssClient, case: HandoffCase, journal: list[CallRecord]) -> m.Service:
    services = await client.list_services(_customer(case), journal=journal)
    wanted = case.findings.get("service")
    for service in services:
        if service.id == wanted:
            return service
    for service in services:
        if service.kind == "broadband":
            return service
    if services:
        return services[0]
    raise ToolError("The customer has no service in the inventory.")


async def run_diagnostic(client: OssClient, case: HandoffCase, kind: DiagnosticKind, agent: str) -> DiagnosticRun:
    journal: list[CallRecord] = []
    findings = case.findings
    try:
        if kind == "line_test":
            service = await _service(client, case, journal)
            test = await client.run_service_test(service, journal=journal)
            verdict = "pass" if test.result == "pass" else (test.fault_location or test.result or "unknown")
            result: dict[str, Any] = {"verdict": verdict, "result": test.result, "summary": test.summary}
            before_value = findings.get("retest") or findings.get("line_test") or findings.get("registration_test")
            before = {"verdict": before_value} if before_value else None
            target = service.id
        elif kind == "outage":
            service = await _service(client, case, journal)
            alarms = await client.alarms_affecting(service, journal=journal)
            result = {"alarm": alarms[0].id if alarms else None, "alarms": [x.id for x in alarms],
                      "summary": s.alarms(alarms)}  # fmt: skip
            before = {"alarm": findings.get("alarm")} if ("alarm" in findings or "diagnosis" in findings) else None
            target = service.area or service.id
        else:
            order_id = findings.get("order")
            if order_id:
                order = await client.get_order(str(order_id), journal=journal)
            else:
                orders = [o for o in await client.list_orders(_customer(case), journal=journal) if o.pending]
                if not orders:
                    raise ToolError("The customer has no open order.")
                order = orders[0]
            result = {"order_state": order.state, "order_fallout_step": order.fallout_step,
                      "fallout_reason": order.fallout_reason, "summary": s.order(order)}  # fmt: skip
            before = {k: findings[k] for k in ("order_state", "order_fallout_step") if k in findings} or None
            target = order.id
    except OssError as exc:
        raise ToolError(f"{exc.api} did not answer as expected: {exc.message}") from exc
    return DiagnosticRun(
        at=datetime.now(UTC), by=agent, kind=kind, target=target, result=result, before=before,
        changes=changes(before, result), evidence=[Evidence.model_validate(r.as_dict()) for r in journal],
    )  # fmt: skip


def changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Readable differences between the bot's finding and the agent's re-run."""
    if before is None:
        return ["The bot did not run this check; this is the first result."]
    found = []
    for key, old in before.items():
        new = after.get(key)
        if str(old) != str(new):
            found.append(f"{key.replace('_', ' ')}: {old if old is not None else 'none'} → {new or 'none'}")
    return found or ["No change since the bot's run."]


async def create_ticket(client: OssClient, case: HandoffCase, agent: str, text: str, severity: str) -> m.TroubleTicket:
    draft = m.TicketDraft(
        customer_id=_customer(case),
        description=f"[{case.case_id}] {case.summary}"[:1000],
        severity=severity,
        service_id=str(case.findings["service"]) if case.findings.get("service") else None,
        note=f"{text} (agent {agent}, case {case.case_id}, conversation {case.conversation_id})"[:2000],
        name=f"Chat case {case.case_id}",
    )
    try:
        return await client.create_ticket(draft)
    except OssError as exc:
        raise ToolError(f"The ticket could not be created: {exc.message}") from exc


async def update_ticket(
    client: OssClient, case: HandoffCase, ticket_id: str, agent: str, text: str, status: str | None
) -> m.TroubleTicket:
    """Add a note (and optionally a status) with a TMF621 merge patch; arrays are replaced whole, so keep the old."""
    try:
        ticket = await client.get_ticket(ticket_id)
        notes: list[dict[str, Any]] = [
            {"text": n.text, **({"author": n.author} if n.author else {}),
             **({"date": n.date.isoformat()} if n.date else {})} for n in ticket.notes
        ]  # fmt: skip
        notes.append({"text": f"{text} (case {case.case_id})"[:2000], "author": agent,
                      "date": datetime.now(UTC).isoformat(timespec="seconds")})  # fmt: skip
        body: dict[str, Any] = {"note": notes}
        if status:
            body["status"] = status
        return await client.update_ticket(ticket_id, body)
    except OssError as exc:
        raise ToolError(f"The ticket could not be updated: {exc.message}") from exc


def ticket_view(ticket: m.TroubleTicket) -> dict[str, Any]:
    data = asdict(ticket)
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items() if k != "notes"}
