"""Orders and activations (TMF622): where an order is, and why it stopped when it fell out."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from actions import glossary
from actions.diagnosis import Context
from actions.tickets import ticket_status
from core.oss import models as m
from core.oss.errors import OssNotFound

ENGINEER_VISIT = re.compile(r"\b(engin\w*|techn?ician|visit|appointment|repair|fix(ed)?|someone (to )?come)\b", re.I)
"""Words of a customer asking when someone will come: on a completed order that is a repair, not the order."""


def day(moment: datetime | None) -> str:
    return glossary.day(moment) if moment else "soon"


async def find_order(ctx: Context) -> m.ProductOrder | None:
    orders = await ctx.lookups.client.list_orders(ctx.customer_id, journal=ctx.lookups.journal)
    wanted = (ctx.tracker.get_slot("order_id") or "").upper().replace(" ", "")
    if wanted:
        wanted = wanted if wanted.startswith("ORD-") else wanted.replace("ORD", "ORD-")
        match = next((o for o in orders if o.id == wanted), None)
        if match is None:
            raise OssNotFound("productOrderingManagement", "find_order", f"{wanted} is not this customer's")
        return match
    orders.sort(key=lambda o: (not o.pending, -(o.ordered_at or datetime.min.replace(tzinfo=UTC)).timestamp()))
    return orders[0] if orders else None


async def order_status(ctx: Context) -> None:
    try:
        order = await find_order(ctx)
    except OssNotFound:
        ctx.say("utter_order_not_found", order=ctx.tracker.get_slot("order_id"))
        return
    if order is None:
        ctx.say("utter_no_orders")
        return
    ctx.note(order=order.id, order_state=order.state)
    what = order.description or glossary.UNNAMED_ORDER
    if order.state in {"held", "failed", "partial"}:
        await tell_fallout(ctx, order, what)
        return
    now = datetime.now(UTC)
    if order.overdue(now):
        ctx.note(diagnosis="activation_overdue")
        ctx.say("utter_order_late", order=order.id, what=what, state=glossary.order_state(order.state),
                due=day(order.expected_completion))  # fmt: skip
        ctx.escalate(
            "activation_stuck",
            f"Order {order.id} {order.state} past its expected completion {day(order.expected_completion)}.",
            priority_reasons=["order overdue"],
            next_action=f"Find where {order.id} is stuck in provisioning and complete it.",
        )
        return
    if order.pending:
        ctx.say("utter_order_on_track", order=order.id, what=what, state=glossary.order_state(order.state),
                due=day(order.expected_completion))  # fmt: skip
        return
    ctx.say("utter_order_state", order=order.id, what=what, state=glossary.order_state(order.state))
    if order.state == "completed" and await tell_open_repairs(ctx):
        return
    if ctx.problem == "activation_problem" and order.state == "completed":
        ctx.say("utter_order_done_test_if_not_working")


async def tell_fallout(ctx: Context, order: m.ProductOrder, what: str) -> None:
    """An order that fell out (held, failed, partly done): where it stopped and why, for the orders team."""
    step = glossary.ORDER_STEPS.get(order.fallout_step or "", glossary.UNKNOWN_STEP)
    ctx.note(order_fallout_step=order.fallout_step, diagnosis="order_fallout")
    failed = order.state == "failed"
    if order.fallout_since and order.fallout_reason:
        ctx.say("utter_order_failed" if failed else "utter_order_on_hold", order=order.id, what=what,
                since=day(order.fallout_since), step=step, reason=order.fallout_reason)  # fmt: skip
    else:
        ctx.say("utter_order_failed_unexplained" if failed else "utter_order_on_hold_unexplained",
                order=order.id, what=what, step=step)  # fmt: skip
    ctx.escalate(
        "order_fallout",
        f"Order {order.id} {order.state} at {order.fallout_step}"
        f" since {day(order.fallout_since)}: {order.fallout_reason or 'no reason recorded'}.",
        next_action=f"Clear the {order.fallout_step} fall-out on {order.id} and give a new date.",
    )


async def tell_open_repairs(ctx: Context) -> bool:
    """A customer asking when the engineer will come about a completed order means a repair visit: answer
    from their open fault ticket (or say there is none) instead of only that the order is complete."""
    said = str(ctx.tracker.latest_message.get("text") or "")
    if not ENGINEER_VISIT.search(said):
        return False
    tickets = await ctx.lookups.client.list_tickets(ctx.customer_id, journal=ctx.lookups.journal)
    if any(t.open for t in tickets):
        ctx.say("utter_order_done_visit_is_for_ticket")
        await ticket_status(ctx)
    else:
        ctx.say("utter_order_done_no_visit")
    return True
