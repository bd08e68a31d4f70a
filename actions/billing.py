"""Bills and payments: why a bill went up, what is owed and when, and why a payment failed (TMF666/676/678)."""

from __future__ import annotations

from actions import sensor
from actions.diagnosis import Context
from actions.glossary import bill_change_lines, date, money, payment_failure
from core.oss import models as m
from core.oss.billdiff import BillChange

CHANGES_SHOWN = 5  # the biggest changes of a bill; more is a wall of text, and the agent sees them all
RIGHT_OR_WRONG = [{"title": "Yes, that's right", "payload": "/affirm"},
                  {"title": "No, something's wrong", "payload": "/deny"}]  # fmt: skip


async def require_account(ctx: Context) -> str | None:
    if ctx.account_id is None:
        ctx.say("utter_no_billing_account")
        ctx.escalate("no_account_found", "No billing account on the customer record.")
    return ctx.account_id


async def bill_too_high(ctx: Context) -> None:
    """Why the bill went up, change by change. A duplicate charge is our mistake: a dispute is opened so the
    refund is tracked, even when many accounts have the same one (a suspected incident); the customer is then
    told others reported it and offered a text instead of a place in the billing queue. Any other change can
    still be disputed: the customer says it is wrong and the billing team gets it (``actions.offers``)."""
    account = await require_account(ctx)
    if account is None:
        return
    comparison = await ctx.lookups.client.compare_latest_bills(account, journal=ctx.lookups.journal)
    current, previous = comparison.current, comparison.previous
    ctx.note(bill_difference=str(comparison.difference), bill=current.id, previous_bill=previous.id,
             bill_reasons=[c.kind for c in comparison.changes])  # fmt: skip
    if comparison.difference <= 0:
        ctx.say("utter_bill_not_higher", amount=current.amount_due, previous=previous.amount_due)
        return
    main = comparison.main_reason
    line = sensor.bill_line_key(main.description) if main else None
    incident = await sensor.sense(ctx, main.kind if main else "unexplained", bill_line=line)
    ctx.say(
        "utter_bill_higher",
        amount=current.amount_due,
        difference=money(comparison.difference),
        previous=previous.amount_due,
        changes=bill_change_lines(comparison.changes[:CHANGES_SHOWN]),
    )
    duplicate = next((c for c in comparison.changes if c.kind == "duplicateCharge"), None)
    if duplicate is not None:
        ticket = await open_dispute(ctx, current.id, duplicate)
        if incident is not None:
            # The same charge on many accounts: one investigation, not a queue place per customer; the
            # dispute above still carries this customer's refund.
            await sensor.tell_investigating(ctx, incident, "bill")
            return
        ctx.escalate(
            "duplicate_charge",
            f"Duplicate charge of {money(duplicate.amount)} on bill {current.id}; dispute {ticket} opened.",
            next_action=f"Refund {money(duplicate.amount)} and close {ticket}.",
        )
        return
    if incident is not None:
        await sensor.tell_investigating(ctx, incident, "bill_disputable")
        return
    ctx.say("utter_bill_offer_dispute", buttons=RIGHT_OR_WRONG)
    ctx.expect("billing_dispute")


async def open_dispute(ctx: Context, bill: str, duplicate: BillChange) -> str:
    """Open the billing dispute of a duplicate charge, tell the customer its reference, and return it."""
    draft = m.TicketDraft(
        customer_id=ctx.customer_id,
        severity="Minor",
        ticket_type="complaint",
        name="Billing dispute: duplicate charge",
        description=f"Duplicate charge on bill {bill}: {duplicate.description} ({money(duplicate.amount)})",
    )
    ticket = await ctx.lookups.client.create_ticket(draft, journal=ctx.lookups.journal)
    ctx.note(ticket=ticket.id, diagnosis="duplicate_charge")
    ctx.say("utter_duplicate_charge_disputed", ticket=ticket.id, amount=money(duplicate.amount))
    return ticket.id


async def ask_bill(ctx: Context) -> None:
    """What is owed and when, one sentence a fact: the latest bill, the balance, the last payment that went
    through; and a pointer to the failed payment if the latest one failed."""
    account = await require_account(ctx)
    if account is None:
        return
    details = await ctx.lookups.client.get_billing_account(account, journal=ctx.lookups.journal)
    bills = await ctx.lookups.client.list_bills(account, limit=1, journal=ctx.lookups.journal)
    payments = await ctx.lookups.client.list_payments(account, journal=ctx.lookups.journal)
    done = [p for p in payments if not p.failed]
    paid = done[0] if done and done[0].date and done[0].amount else None
    if not bills and details.balance is None and paid is None:
        ctx.say("utter_no_bills_yet")
    if bills:
        bill = bills[0]
        ctx.note(bill=bill.id)
        if bill.due_date:
            ctx.say("utter_latest_bill_due", amount=bill.amount_due, due=date(bill.due_date))
        else:
            ctx.say("utter_latest_bill", amount=bill.amount_due)
    if details.balance is not None:
        ctx.say("utter_balance", balance=details.balance)
    if paid is not None and paid.date:
        ctx.say("utter_last_payment", amount=paid.amount, paid_on=date(paid.date))
    if any(p.failed for p in payments[:1]):
        ctx.say("utter_latest_payment_failed")


async def payment_problem(ctx: Context) -> None:
    account = await require_account(ctx)
    if account is None:
        return
    payments = await ctx.lookups.client.list_payments(account, journal=ctx.lookups.journal)
    failed = [p for p in payments if p.failed]
    if not failed:
        ctx.note(diagnosis="no_failed_payment")
        last = payments[0] if payments else None
        if last and last.date and last.amount:
            ctx.say("utter_no_failed_payment_last_went_through", amount=last.amount, paid_on=date(last.date))
        else:
            ctx.say("utter_no_failed_payment")
        return
    payment = failed[0]
    ctx.note(failed_payment=payment.id, failed_reason=payment.reason, diagnosis="failed_payment")
    reason = payment_failure(payment.reason)
    if payment.date:
        ctx.say("utter_payment_failed_on", amount=payment.amount, paid_on=date(payment.date), reason=reason)
    else:
        ctx.say("utter_payment_failed", amount=payment.amount, reason=reason)
