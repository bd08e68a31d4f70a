"""Bills and payments: why a bill went up, what is owed and when, and why a payment failed (TMF666/676/678)."""

from __future__ import annotations

from decimal import Decimal

from actions.diagnosis import Context
from actions.wording import payment_failure, sentences, spelled_out
from core.oss import models as m
from core.oss.billdiff import BillChange

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
# What a change that made the bill go DOWN is called, where it differs.
DROP_WORDS = {
    "usage": "less usage than last month",
    "roaming": "less roaming than last month",
    "priceChange": "a price reduction",
    "oneOffCharge": "a one-off credit",
}


def money(amount: Decimal) -> str:
    return f"£{abs(amount):.2f}"


def describe(change: BillChange) -> str:
    """One line of "why the bill changed": what, in words, and by how much, up or down."""
    words = CHANGE_WORDS if change.amount >= 0 else {**CHANGE_WORDS, **DROP_WORDS}
    what = words.get(change.kind) or spelled_out(change.kind)
    direction = "more" if change.amount >= 0 else "less"
    return f"{what[0].upper()}{what[1:]}: {money(change.amount)} {direction} ({change.description})"


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
        ctx.say(
            "Does that all look right? If something there isn't right, say so and I'll pass it to our billing "
            "team, with what I've found.",
            buttons=[{"title": "Yes, that's right", "payload": "/affirm"},
                     {"title": "No, something's wrong", "payload": "/deny"}],
        )  # fmt: skip
        ctx.expect("billing_dispute")
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


async def ask_bill(ctx: Context) -> None:
    account = await require_account(ctx)
    if account is None:
        return
    details = await ctx.lookups.client.get_billing_account(account, journal=ctx.lookups.journal)
    bills = await ctx.lookups.client.list_bills(account, limit=1, journal=ctx.lookups.journal)
    payments = await ctx.lookups.client.list_payments(account, journal=ctx.lookups.journal)
    parts = []
    if bills:
        bill = bills[0]
        due = f", due {bill.due_date:%-d %B}" if bill.due_date else ""
        parts.append(f"Your latest bill is {bill.amount_due}{due}")
        ctx.note(bill=bill.id)
    if details.balance is not None:
        parts.append(f"your balance is {details.balance}")
    done = [p for p in payments if not p.failed]
    if done and done[0].date and done[0].amount:
        parts.append(f"your last payment was {done[0].amount} on {done[0].date:%-d %B}")
    ctx.say(sentences(parts) or "I couldn't find any bills on your account yet.")
    if any(p.failed for p in payments[:1]):
        ctx.say("Your most recent payment didn't go through; say \"payment problem\" and I'll explain why.")


async def payment_problem(ctx: Context) -> None:
    account = await require_account(ctx)
    if account is None:
        return
    payments = await ctx.lookups.client.list_payments(account, journal=ctx.lookups.journal)
    failed = [p for p in payments if p.failed]
    if not failed:
        ctx.note(diagnosis="no_failed_payment")
        last = payments[0] if payments else None
        seen = f" Your last payment of {last.amount} on {last.date:%-d %B} went through." if last and last.date else ""
        ctx.say("I can't see a failed payment on your account." + seen)
        return
    payment = failed[0]
    reason = payment_failure(payment.reason)
    ctx.note(failed_payment=payment.id, failed_reason=payment.reason, diagnosis="failed_payment")
    when = f" on {payment.date:%-d %B}" if payment.date else ""
    ctx.say(
        f"Your payment of {payment.amount}{when} failed because {reason}. Once that's sorted with your bank, "
        "you can pay the balance by card in the app, or ask me for a person and our billing team will take "
        "the payment or change how you pay."
    )
