"""Broadband down or slow, mobile without service, and outages in an area (TMF638, TMF642, TMF653, TMF621)."""

from __future__ import annotations

from datetime import datetime, timezone

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.diagnosis import Context, run_safely
from actions.lookups import Lookups
from actions.satisfaction import ask_how_we_did
from actions.wording import payment_failure
from core.oss import models as m
from core.oss.identifiers import outward_code

# Asked after every fix the customer tries at home; the answers reach the home_fix rules as affirm/deny.
DID_IT_WORK: list[dict[str, str]] = [
    {"title": "Yes, it works", "payload": "/affirm"},
    {"title": "No, still broken", "payload": "/deny"},
]

HOME_FIX_STEPS = {
    "customerPremisesEquipment": (
        "The test reaches your line but not your router, so let's restart it: switch the router off at the wall, "
        "wait 30 seconds, switch it back on and give it 3 minutes. Check the cable from the wall socket is "
        "firmly in the DSL/fibre port."
    ),
    "homeWiring": (
        "Your line is fine up to the main socket, so the fault is in the wiring inside your home. Plug the router "
        "straight into the main (master) socket, with the filter if you have one, not an extension."
    ),
    "none": (
        "Your line tests fine all the way to the router, so the problem is inside the home. Restart the router, "
        "move closer to it, and if your devices offer a 5 GHz network, try that one."
    ),
}
FAULT_WORDS = {"accessLine": "on the line between your home and the exchange", "network": "in our network"}


def when(moment: datetime | None) -> str:
    return moment.strftime("%A %-d %B at %H:%M") if moment else "as soon as possible"


def speed(test: m.ServiceTestResult) -> float | None:
    measure = test.measure("downstreamSyncMbps")
    return float(measure.value) if measure and isinstance(measure.value, int | float) else None


async def first_service(ctx: Context, kind: str) -> m.Service | None:
    services = await ctx.lookups.client.list_services(ctx.customer_id, journal=ctx.lookups.journal)
    candidates = [s for s in services if s.kind == kind]
    candidates.sort(key=lambda s: not s.active)
    return candidates[0] if candidates else None


async def tell_outage(ctx: Context, alarm: m.Alarm, what: str) -> None:
    ctx.note(alarm=alarm.id, alarm_severity=alarm.severity, diagnosis="outage")
    ctx.say(
        f"There's a known fault affecting {what} in your area ({alarm.problem or 'network outage'}, since "
        f"{when(alarm.raised_at)}). Our engineers expect it to be fixed by {when(alarm.estimated_restoration)}. "
        "Would you like a text when it's back?",
        buttons=[{"title": "Yes please", "payload": "/affirm"}, {"title": "No thanks", "payload": "/deny"}],
    )
    ctx.expect("outage_notification")


async def open_fault_ticket(ctx: Context, service: m.Service, test: m.ServiceTestResult, fault: str) -> None:
    tickets = await ctx.lookups.client.list_tickets(ctx.customer_id, journal=ctx.lookups.journal)
    existing = [t for t in tickets if t.open and (service.id in t.service_ids or not t.service_ids)]
    if existing:
        ticket = existing[0]
        ctx.note(ticket=ticket.id)
        ctx.say(
            f"The test found a fault {FAULT_WORDS.get(fault, 'on your line')}, and there's already an open "
            f"fault ticket for it ({ticket.id})."
        )
        ctx.escalate(
            "fault_with_open_ticket",
            f"Line test: {test.summary}. Ticket {ticket.id} is already open.",
            next_action=f"Chase {ticket.id} with field operations and give the customer a firm date.",
        )
        return
    draft = m.TicketDraft(
        customer_id=ctx.customer_id,
        service_id=service.id,
        severity="Major",
        description=f"Broadband fault found by line test: {test.summary}",
        note=f"Line test {test.id}: {test.result} at {test.fault_location}",
        name="Broadband fault",
    )
    ticket = await ctx.lookups.client.create_ticket(draft, journal=ctx.lookups.journal)
    ctx.note(ticket=ticket.id, diagnosis="fault_ticket_opened")
    ctx.say(
        f"The test found a fault {FAULT_WORDS.get(fault, 'on your line')}, which our engineers need to fix. "
        f"I've opened fault ticket {ticket.id}; we expect it fixed by {when(ticket.expected_resolution)}. "
        f"You don't need to do anything else. For an update, ask me about ticket {ticket.id} here any time."
    )


async def broadband(ctx: Context) -> None:
    service = await first_service(ctx, "broadband")
    if service is None:
        ctx.say("I can't see a broadband service on your account.")
        ctx.escalate("no_service_found", "No broadband service in the inventory for this customer.")
        return
    ctx.note(service=service.id)
    alarms = await ctx.lookups.client.alarms_affecting(service, journal=ctx.lookups.journal)
    if alarms:
        await tell_outage(ctx, alarms[0], "broadband")
        return
    ctx.say("There's no known outage in your area, so I'm running a test on your line now.")
    test = await ctx.lookups.client.run_service_test(service, journal=ctx.lookups.journal)
    ctx.note(line_test=test.fault_location if not test.passed else "pass", line_test_id=test.id)
    measured = speed(test)
    if test.result == "degraded" or (
        ctx.problem == "report_slow_internet" and measured is not None
        and service.min_guaranteed_mbps and measured < service.min_guaranteed_mbps
    ):  # fmt: skip
        ctx.note(measured_mbps=measured, guaranteed_mbps=service.min_guaranteed_mbps)
        ctx.say(
            f"Your line is running at {measured:g} Mbps, below the {service.min_guaranteed_mbps:g} Mbps "
            "we guarantee for your plan."
        )
        await open_fault_ticket(ctx, service, test, "accessLine")
        return
    if test.fault_location in FAULT_WORDS:
        await open_fault_ticket(ctx, service, test, str(test.fault_location))
        return
    if ctx.problem == "report_slow_internet" and measured is not None and test.passed:
        ctx.say(f"Your line is in sync at {measured:g} Mbps, which is what your plan should give.")
    steps = HOME_FIX_STEPS.get(test.fault_location or "none", HOME_FIX_STEPS["none"])
    ctx.say(
        steps + " Did that fix it?",
        buttons=DID_IT_WORK,
    )
    ctx.tried(f"home fix: {test.fault_location or 'none'}")
    ctx.expect("home_fix")


async def mobile(ctx: Context) -> None:
    service = await first_service(ctx, "mobile")
    if service is None:
        ctx.say("I can't see a mobile service on your account.")
        ctx.escalate("no_service_found", "No mobile service in the inventory for this customer.")
        return
    ctx.note(service=service.id)
    if service.barring and service.barring != "none":
        await tell_barring(ctx, service)
        return
    alarms = await ctx.lookups.client.alarms_affecting(service, journal=ctx.lookups.journal)
    if alarms:
        await tell_outage(ctx, alarms[0], "mobile service")
        return
    test = await ctx.lookups.client.run_service_test(service, journal=ctx.lookups.journal)
    ctx.note(registration_test=test.fault_location if not test.passed else "pass", registration_test_id=test.id)
    if test.fault_location in {"sim", "provisioning"}:
        ctx.say("Your SIM isn't set up on our network yet, which is something we have to fix on our side.")
        ctx.escalate(
            "sim_not_provisioned",
            f"Registration check: {test.summary}.",
            queue="orders",
            next_action="Re-provision the SIM and confirm the customer can register.",
        )
        return
    if test.fault_location == "account":
        await tell_barring(ctx, service)
        return
    ctx.say(
        "Your number is registered on our network and there's no fault in your area. Please restart your "
        "phone, check flight mode is off, and take the SIM out and put it back. Did that fix it?",
        buttons=DID_IT_WORK,
    )
    ctx.tried("device restart and SIM reseat")
    ctx.expect("home_fix")


async def tell_barring(ctx: Context, service: m.Service) -> None:
    ctx.note(diagnosis="barred_for_non_payment")
    text = "Your line is barred because of unpaid bills"
    if ctx.account_id:
        payments = await ctx.lookups.client.list_payments(ctx.account_id, journal=ctx.lookups.journal)
        failed = [p for p in payments if p.failed]
        if failed:
            text += (
                f": {len(failed)} payment{'s' if len(failed) > 1 else ''} failed, the last one because "
                f"{payment_failure(failed[0].reason)}"
            )
    ctx.say(text + ". Once the balance is paid the bar is lifted, usually within an hour.")
    ctx.escalate(
        "barred_for_non_payment",
        "Mobile line barred for non-payment.",
        queue="billing",
        next_action="Take the outstanding payment or agree a plan, then lift the bar.",
    )


class ActionCheckOutage(Action):
    """Outages by postcode: public information, so no identification is needed."""

    def name(self) -> str:
        return "action_check_outage"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ctx = Context(dispatcher, tracker, Lookups(tracker))
        return await run_safely(ctx, check_area)


async def check_area(ctx: Context) -> None:
    area = outward_code(ctx.tracker.get_slot("postcode") or "")
    if area is None:
        ctx.say("I couldn't read that postcode, so I can't check the area.")
        return
    alarms = await ctx.lookups.client.list_alarms(area=area, journal=ctx.lookups.journal)
    affecting = [a for a in alarms if a.active and a.service_affecting]
    if not affecting:
        ctx.note(area=area, diagnosis="no_outage")
        ctx.say(
            f"There are no known outages in {area} right now. If your own service isn't working, tell me "
            "what's happening and I'll test it."
        )
        return
    alarm = affecting[0]
    ctx.note(area=area)
    await tell_outage(ctx, alarm, "services")


class ActionHomeFixResult(Action):
    """After the home fix: thank and close, or re-test and hand over with both results."""

    def name(self) -> str:
        return "action_home_fix_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ctx = Context(dispatcher, tracker, Lookups(tracker))
        ctx.events.append(SlotSet("awaiting", None))
        if (tracker.latest_message.get("intent") or {}).get("name") in {"affirm", "thank"}:
            ctx.note(home_fix="worked", resolved_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
            dispatcher.utter_message(response="utter_glad_fixed")
            dispatcher.utter_message(response="utter_anything_else")
            ask_how_we_did(dispatcher, tracker)  # resolved by the bot
            return ctx.finish()
        return await run_safely(ctx, retest)


async def retest(ctx: Context) -> None:
    ctx.note(home_fix="did_not_work")
    kind = "mobile" if ctx.problem == "report_mobile_no_service" else "broadband"
    service = await first_service(ctx, kind)
    if service is not None:
        test = await ctx.lookups.client.run_service_test(service, journal=ctx.lookups.journal)
        ctx.note(retest=test.fault_location if not test.passed else "pass", retest_id=test.id)
        ctx.tried("re-test after the home fix")
    ctx.say("Thanks for trying that. This needs one of our technicians.")
    ctx.escalate(
        "home_fix_failed",
        "Home fix steps did not help; see both test results in the evidence.",
        next_action="Arrange an engineer visit or a replacement router, based on the re-test.",
    )
