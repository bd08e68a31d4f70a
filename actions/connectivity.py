"""Broadband down or slow, mobile without service, and outages in an area (TMF638, TMF642, TMF653, TMF621)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import glossary, sensor
from actions.diagnosis import Context, run_safely
from actions.lookups import Lookups
from actions.notifications import TEXT_ME
from actions.satisfaction import ask_how_we_did
from core.contracts.sensor import Incident
from core.oss import models as m
from core.oss.identifiers import outward_code

# Asked after every fix the customer tries at home; the answers reach the home_fix rules as affirm/deny.
DID_IT_WORK: list[dict[str, str]] = [
    {"title": "Yes, it works", "payload": "/affirm"},
    {"title": "No, still broken", "payload": "/deny"},
]
# What the line test says is wrong inside the home -> the steps to try (domain.yml), ending "Did that fix it?".
HOME_FIX_STEPS = {"customerPremisesEquipment": "utter_home_fix_router", "homeWiring": "utter_home_fix_wiring",
                  "none": "utter_home_fix_inside"}  # fmt: skip


def when(moment: datetime | None) -> str:
    return glossary.moment(moment) if moment else "as soon as possible"


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
        "utter_known_outage",
        buttons=TEXT_ME,
        affected=what,
        fault=alarm.problem or glossary.UNNAMED_FAULT,
        since=when(alarm.raised_at),
        fixed_by=when(alarm.estimated_restoration),
    )
    ctx.expect("outage_notification")


async def open_fault_ticket(ctx: Context, service: m.Service, test: m.ServiceTestResult, fault: str) -> None:
    tickets = await ctx.lookups.client.list_tickets(ctx.customer_id, journal=ctx.lookups.journal)
    existing = [t for t in tickets if t.open and (service.id in t.service_ids or not t.service_ids)]
    if existing:
        ticket = existing[0]
        ctx.note(ticket=ticket.id)
        ctx.say("utter_fault_already_ticketed", place=glossary.fault_place(fault), ticket=ticket.id)
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
        "utter_fault_ticket_opened",
        place=glossary.fault_place(fault),
        ticket=ticket.id,
        fixed_by=when(ticket.expected_resolution),
    )


async def fault_found(
    ctx: Context, service: m.Service, test: m.ServiceTestResult, fault: str, incident: Incident | None
) -> None:
    """A fault outside the home: the open incident it falls in if there is one, else a ticket of its own."""
    if incident is not None:
        await sensor.tell_investigating(ctx, incident, "broadband")
        return
    await open_fault_ticket(ctx, service, test, fault)


def finding_of(test: m.ServiceTestResult) -> str:
    return "pass" if test.passed else (test.fault_location or test.result or "unknown")


async def broadband(ctx: Context) -> None:
    service = await first_service(ctx, "broadband")
    if service is None:
        ctx.say("utter_no_service_of_kind", kind="broadband")
        ctx.escalate("no_service_found", "No broadband service in the inventory for this customer.")
        return
    ctx.note(service=service.id)
    alarms = await ctx.lookups.client.alarms_affecting(service, journal=ctx.lookups.journal)
    if alarms:
        await sensor.sense(ctx, "alarm", service=service, alarm=alarms[0].id, explained=True)
        await tell_outage(ctx, alarms[0], "broadband")
        return
    ctx.say("utter_testing_line")
    test = await ctx.lookups.client.run_service_test(service, journal=ctx.lookups.journal)
    ctx.note(line_test=test.fault_location if not test.passed else "pass", line_test_id=test.id)
    incident = await sensor.sense(ctx, finding_of(test), service=service)
    measured = speed(test)
    if test.result == "degraded" or (
        ctx.problem == "report_slow_internet" and measured is not None
        and service.min_guaranteed_mbps and measured < service.min_guaranteed_mbps
    ):  # fmt: skip
        ctx.note(measured_mbps=measured, guaranteed_mbps=service.min_guaranteed_mbps)
        if measured is not None and service.min_guaranteed_mbps:
            ctx.say(
                "utter_line_below_guarantee", measured=f"{measured:g}", guaranteed=f"{service.min_guaranteed_mbps:g}"
            )
        await fault_found(ctx, service, test, "accessLine", incident)
        return
    if test.fault_location in glossary.FAULT_PLACES:
        await fault_found(ctx, service, test, str(test.fault_location), incident)
        return
    if ctx.problem == "report_slow_internet" and measured is not None and test.passed:
        ctx.say("utter_line_in_sync", measured=f"{measured:g}")
    ctx.say(HOME_FIX_STEPS.get(test.fault_location or "none", HOME_FIX_STEPS["none"]), buttons=DID_IT_WORK)
    ctx.tried(f"home fix: {test.fault_location or 'none'}")
    ctx.expect("home_fix")


async def mobile(ctx: Context) -> None:
    service = await first_service(ctx, "mobile")
    if service is None:
        ctx.say("utter_no_service_of_kind", kind="mobile")
        ctx.escalate("no_service_found", "No mobile service in the inventory for this customer.")
        return
    ctx.note(service=service.id)
    if service.barring and service.barring != "none":
        await sensor.sense(ctx, "account", service=service, explained=True)
        await tell_barring(ctx, service)
        return
    alarms = await ctx.lookups.client.alarms_affecting(service, journal=ctx.lookups.journal)
    if alarms:
        await sensor.sense(ctx, "alarm", service=service, alarm=alarms[0].id, explained=True)
        await tell_outage(ctx, alarms[0], "mobile service")
        return
    test = await ctx.lookups.client.run_service_test(service, journal=ctx.lookups.journal)
    ctx.note(registration_test=test.fault_location if not test.passed else "pass", registration_test_id=test.id)
    barred = test.fault_location == "account"
    incident = await sensor.sense(ctx, finding_of(test), service=service, explained=barred)
    if test.fault_location in {"sim", "provisioning"}:
        ctx.say("utter_sim_not_set_up")
        ctx.escalate(
            "sim_not_provisioned",
            f"Registration check: {test.summary}.",
            queue="orders",
            next_action="Re-provision the SIM and confirm the customer can register.",
        )
        return
    if barred:
        await tell_barring(ctx, service)
        return
    if test.fault_location == "network" and incident is not None:
        await sensor.tell_investigating(ctx, incident, "mobile")
        return
    ctx.say("utter_home_fix_phone", buttons=DID_IT_WORK)
    ctx.tried("device restart and SIM reseat")
    ctx.expect("home_fix")


async def tell_barring(ctx: Context, service: m.Service) -> None:
    ctx.note(diagnosis="barred_for_non_payment")
    failed = []
    if ctx.account_id:
        payments = await ctx.lookups.client.list_payments(ctx.account_id, journal=ctx.lookups.journal)
        failed = [p for p in payments if p.failed]
    if not failed:
        ctx.say("utter_line_barred")
    else:
        reason = glossary.payment_failure(failed[0].reason)
        if len(failed) == 1:
            ctx.say("utter_line_barred_payment_failed", reason=reason)
        else:
            ctx.say("utter_line_barred_payments_failed", count=len(failed), reason=reason)
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
        ctx.say("utter_postcode_unreadable")
        return
    alarms = await ctx.lookups.client.list_alarms(area=area, journal=ctx.lookups.journal)
    affecting = [a for a in alarms if a.active and a.service_affecting and not a.customer_reported]
    if not affecting:
        incidents = await sensor.open_in_area(area)
        if incidents:
            # Not an outage the network confirmed: said as what it is, a pattern of reports being investigated.
            ctx.note(area=area, diagnosis="suspected_incident", incident=incidents[0].id)
            ctx.say("utter_incident_in_area", area=area, period=sensor.period(incidents[0], time.time()))
            return
        ctx.note(area=area, diagnosis="no_outage")
        ctx.say("utter_no_outage_in_area", area=area)
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
            ctx.note(home_fix="worked", resolved_at=datetime.now(UTC).isoformat(timespec="seconds"))
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
    ctx.say("utter_needs_a_technician")
    ctx.escalate(
        "home_fix_failed",
        "Home fix steps did not help; see both test results in the evidence.",
        next_action="Arrange an engineer visit or a replacement router, based on the re-test.",
    )
