"""Orders and activations (TMF622): where an order is, and why it stopped when it fell out."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from actions.diagnosis import Context
from actions.tickets import ticket_status
from actions.wording import order_state
from core.oss import models as m
from core.oss.errors import OssNotFound

STEP_WORDS = {
    "creditCheck": "the credit check",
    "numberPort": "moving your number from your old provider",
    "provisioning": "setting up the service on our network",
    "appointment": "booking the engineer appointment",
    "shipping": "sending out your equipment",
}


ENGINEER_VISIT = re.compile(r"\b(engin\w*|techn?ician|visit|appointment|repair|fix(ed)?|someone (to )?come)\b", re.I)
"""Words of a customer asking when someone will come: on a completed order that is a repair, not the order."""


def day(moment: datetime | None) -> str:
    return moment.strftime("%A %-d %B") if moment else "soon"


async def find_order(ctx: Context) -> m.ProductOrder | None:
    orders = await ctx.lookups.client.list_orders(ctx.customer_id, journal=ctx.lookups.journal)
    wanted = (ctx.tracker.get_slot("order_id") or "").upper().replace(" ", "")
    if wanted:
        wanted = wanted if wanted.startswith("ORD-") else wanted.replace("ORD", "ORD-")
        match = next((o for o in orders if o.id == wanted), None)
        if match is None:
            raise OssNotFound("productOrderingManagement", "find_order", f"{wanted} is not this customer's")
        return match
    orders.sort(key=lambda o: (not o.pending, -(o.ordered_at or datetime.min.replace(tzinfo=timezone.utc)).timestamp()))
    return orders[0] if orders else None


async def order_status(ctx: Context) -> None:
    try:
        order = await find_order(ctx)
    except OssNotFound:
        ctx.say(
            f"I can't find order {ctx.tracker.get_slot('order_id')} on your account. Could you check the "
            "reference? It looks like ORD-123456."
        )
        return
    if order is None:
        ctx.say("I can't see any orders on your account.")
        return
    ctx.note(order=order.id, order_state=order.state)
    what = order.description or "your order"
    if order.state in {"held", "failed", "partial"}:
        step = STEP_WORDS.get(order.fallout_step or "", "one of the order steps")
        ctx.note(order_fallout_step=order.fallout_step, diagnosis="order_fallout")
        if order.state == "failed":
            stopped = "failed" + (f" on {day(order.fallout_since)}" if order.fallout_since else "")
        else:
            stopped = "has been on hold" + (f" since {day(order.fallout_since)}" if order.fallout_since else "")
        why = f" ({order.fallout_reason})" if order.fallout_reason else ""
        ctx.say(
            f"Your order {order.id} ({what}) {stopped}. It stopped at {step}{why}. That's something our "
            "orders team has to resolve, not you."
        )
        ctx.escalate(
            "order_fallout",
            f"Order {order.id} {order.state} at {order.fallout_step}"
            f" since {day(order.fallout_since)}: {order.fallout_reason or 'no reason recorded'}.",
            next_action=f"Clear the {order.fallout_step} fall-out on {order.id} and give a new date.",
        )
        return
    now = datetime.now(timezone.utc)
    if order.overdue(now):
        ctx.note(diagnosis="activation_overdue")
        ctx.say(
            f"Your order {order.id} ({what}) is still {order_state(order.state)}, and "
            f"it should have been finished by {day(order.expected_completion)}. I'm sorry, that's late."
        )
        ctx.escalate(
            "activation_stuck",
            f"Order {order.id} {order.state} past its expected completion {day(order.expected_completion)}.",
            priority_reasons=["order overdue"],
            next_action=f"Find where {order.id} is stuck in provisioning and complete it.",
        )
        return
    if order.pending:
        ctx.say(
            f"Your order {order.id} ({what}) is {order_state(order.state)} and on "
            f"track to be completed by {day(order.expected_completion)}."
        )
        return
    ctx.say(f"Your order {order.id} ({what}) is {order_state(order.state)}.")
    if order.state == "completed" and await tell_open_repairs(ctx):
        return
    if ctx.problem == "activation_problem" and order.state == "completed":
        ctx.say(
            "If the service still isn't working, tell me what you see (for example \"no internet\") and I'll test it."
        )


async def tell_open_repairs(ctx: Context) -> bool:
    """A customer asking when the engineer will come about a completed order means a repair visit: answer
    from their open fault ticket (or say there is none) instead of only that the order is complete."""
    said = str(ctx.tracker.latest_message.get("text") or "")
    if not ENGINEER_VISIT.search(said):
        return False
    tickets = await ctx.lookups.client.list_tickets(ctx.customer_id, journal=ctx.lookups.journal)
    if any(t.open for t in tickets):
        ctx.say("That order is done, so the visit you're asking about is for your open fault ticket:")
        await ticket_status(ctx)
    else:
        ctx.say(
            "That order is done, and I can't see a repair visit booked for you. If something isn't working, tell "
            "me what's happening (for example \"no internet\") and I'll test it."
        )
    return True
