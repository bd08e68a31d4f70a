"""Fault tickets (TMF621): where a reported fault stands, escalated with priority when past its SLA."""

from __future__ import annotations

from datetime import UTC, datetime

from actions import glossary
from actions.diagnosis import Context
from core.oss import models as m
from core.oss.errors import OssNotFound


def normal_ticket_id(typed: str) -> str:
    digits = "".join(ch for ch in typed if ch.isdigit())
    return f"TT-{digits}"


async def find_ticket(ctx: Context) -> m.TroubleTicket | None:
    typed = ctx.tracker.get_slot("ticket_id")
    if typed:
        ticket = await ctx.lookups.client.get_ticket(normal_ticket_id(typed), journal=ctx.lookups.journal)
        if ticket.customer_id not in (None, ctx.customer_id):
            raise OssNotFound("troubleTicket", "find_ticket", "ticket of another customer")
        return ticket
    tickets = await ctx.lookups.client.list_tickets(ctx.customer_id, journal=ctx.lookups.journal)
    open_tickets = [t for t in tickets if t.open]
    return open_tickets[0] if open_tickets else None


async def ticket_status(ctx: Context) -> None:
    try:
        ticket = await find_ticket(ctx)
    except OssNotFound:
        ctx.say("utter_ticket_not_found")
        return
    if ticket is None:
        ctx.say("utter_no_open_tickets")
        return
    ctx.note(ticket=ticket.id, ticket_status=ticket.status)
    status = glossary.ticket_state(ticket.status)
    expected = ticket.expected_resolution
    if expected is not None and ticket.past_sla(datetime.now(UTC)):
        ctx.note(diagnosis="ticket_past_sla")
        ctx.say("utter_ticket_past_due", ticket=ticket.id, status=status, due=glossary.day(expected))
        ctx.escalate(
            "ticket_past_sla",
            f"Ticket {ticket.id} past its expected resolution {expected:%Y-%m-%d}.",
            priority_reasons=["SLA breach"],
            queue="technical",
            next_action=f"Escalate {ticket.id} with field operations and give the customer a new date.",
        )
        return
    if ticket.open:
        what = ticket.description or glossary.UNNAMED_TICKET
        if expected:
            ctx.say("utter_ticket_open_due", ticket=ticket.id, what=what, status=status, due=glossary.day(expected))
        else:
            ctx.say("utter_ticket_open", ticket=ticket.id, what=what, status=status)
        return
    ctx.say("utter_ticket_closed", ticket=ticket.id, status=status)
