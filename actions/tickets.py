"""Fault tickets (TMF621): where a reported fault stands, escalated with priority when past its SLA."""

from __future__ import annotations

from datetime import datetime, timezone

from actions.diagnosis import Context
from actions.wording import spelled_out
from core.oss import models as m
from core.oss.errors import OssNotFound

STATUS_WORDS = {"acknowledged": "logged", "inProgress": "being worked on", "pending": "waiting on an update",
                "held": "on hold", "resolved": "resolved", "closed": "closed"}  # fmt: skip


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
        ctx.say("I can't find that ticket on your account. Could you check the reference? It looks like TT-123456.")
        return
    if ticket is None:
        ctx.say(
            "You don't have any open fault tickets with us. If something isn't working, tell me what's "
            "happening and I'll check it."
        )
        return
    ctx.note(ticket=ticket.id, ticket_status=ticket.status)
    status = STATUS_WORDS.get(ticket.status or "") or (spelled_out(ticket.status) if ticket.status else "open")
    expected = ticket.expected_resolution
    if ticket.past_sla(datetime.now(timezone.utc)):
        ctx.note(diagnosis="ticket_past_sla")
        ctx.say(
            f"Your ticket {ticket.id} is {status}, but it should have been fixed by "
            f"{expected:%A %-d %B}. I'm sorry, we've missed that."
        )
        ctx.escalate(
            "ticket_past_sla",
            f"Ticket {ticket.id} past its expected resolution {expected:%Y-%m-%d}.",
            priority_reasons=["SLA breach"],
            queue="technical",
            next_action=f"Escalate {ticket.id} with field operations and give the customer a new date.",
        )
        return
    if ticket.open:
        when = f" We expect it to be fixed by {expected:%A %-d %B}." if expected else ""
        ctx.say(f"Your ticket {ticket.id} ({ticket.description or 'fault'}) is {status}.{when}")
        return
    ctx.say(
        f"Your ticket {ticket.id} is {status}. If the problem is back, tell me what's happening and I'll "
        "check it again."
    )
