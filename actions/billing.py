"""Bills and payments: why a bill went up, what is owed and when, and why a payment failed (TMF666/676/678)."""

from __future__ import annotations

from decimal import Decimal

from actions.diagnosis import Context
from actions.oss import models as m
from actions.oss.billdiff import BillChange

CHANGE_WORDS = {
    "roaming": "roaming charges",
    "oneOffCharge": "a one-off charge",
    "duplicateCharge": "a charge that appears twice",
    "planChange": "a plan change part-way through the month (charged pro rata)",
    "priceChange": "a price change",
    "usage": "more usage than last month",
    "newService": "a new service",
    "removedService": "a service that ended",
}
FAILURE_WORDS = {
    "insufficientFunds": "there weren't enough funds in the account",
    "mandateCancelled": "the direct debit was cancelled at the bank",
    "accountClosed": "the bank account is closed",
    "cardExpired": "the card had expired",
    "referToPayer": "the bank refused it",
}


def money(amount: Decimal) -> str:
    return f"£{abs(amount):.2f}"


def describe(change: BillChange) -> str:
    sign = "+" if change.amount >= 0 else "-"
    return f"{sign}{money(change.amount)}: {CHANGE_WORDS.get(change.kind, change.kind)} ({change.description})"


async def require_account(ctx: Context) -> str | None:
    if ctx.account_id is None:
        ctx.say("I can't find a billing account linked to you.")
        ctx.escalate("no_account_found", "No billing account on the customer record.")
    return ctx.account_id


async def bill_too_high(ctx: Context) -> None:
    account = await require_account(ctx)
    if account is None:
        return
    comparison = await ctx.lookups.client.compare_latest_bills(account, journal=ctx.lookups.journal)
    current, previous = comparison.current, comparison.previous
    ctx.note(bill_difference=str(comparison.difference), bill=current.id, previous_bill=previous.id,
             bill_reasons=[c.kind for c in comparison.changes])  # fmt: skip
    if comparison.difference <= 0:
        ctx.say(
            f"Your latest bill is {current.amount_due}, which isn't higher than the one before ({previous.amount_due})."
        )
        return
    lines = "\n".join(f"• {describe(c)}" for c in comparison.changes[:5])
    ctx.say(
        f"Your latest bill is {current.amount_due}, {money(comparison.difference)} more than the one before "
        f"({previous.amount_due}). Here's why:\n{lines}"
    )
    duplicates = [c for c in comparison.changes if c.kind == "duplicateCharge"]
    if not duplicates:
        ctx.say("If something there isn't right, say so and I'll pass it to our billing team.")
        return
    duplicate = duplicates[0]
    draft = m.TicketDraft(
        customer_id=ctx.customer_id,
        severity="Minor",
        ticket_type="complaint",
        name="Billing dispute: duplicate charge",
        description=f"Duplicate charge on bill {current.id}: {duplicate.description} ({money(duplicate.amount)})",
    )
    ticket = await ctx.lookups.client.create_ticket(draft, journal=ctx.lookups.journal)
    ctx.note(ticket=ticket.id, diagnosis="duplicate_charge")
    ctx.say(
        f"That duplicate charge is our mistake. I've opened billing dispute {ticket.id} for {money(duplicate.amount)}."
    )
    ctx.escalate(
        "duplicate_charge",
        f"Duplicate charge of {money(duplicate.amount)} on bill {current.id}; dispute {ticket.id} opened.",
        next_action=f"Refund {money(duplicate.amount)} and close {ticket.id}.",
    )
