"""Broadband and mobile diagnosis with live lookups against the simulator."""

from __future__ import annotations

from actions.connectivity import ActionCheckOutage, ActionHomeFixResult
from simulator.scenarios import BY_KEY
from tests.actions.conversation_state import handoff, responses, run, slot_values, tracker, variables
from tests.actions.diagnose import diagnose, verified_slots
from tests.fixtures.simulator import RunningSimulator


async def test_area_outage_is_told_with_its_eta_and_a_notification_offer(oss: RunningSimulator) -> None:
    slots, dispatcher = await diagnose("outage_area", "report_internet_down")
    assert responses(dispatcher) == ["utter_known_outage"]
    outage = variables(dispatcher, "utter_known_outage")
    assert outage["affected"] == "broadband" and outage["fixed_by"] != "as soon as possible"
    assert slots["awaiting"] == "outage_notification"
    assert slots["findings"]["diagnosis"] == "outage" and slots["findings"]["alarm"]
    assert {"list_services", "list_alarms"} <= {e["operation"] for e in slots["evidence"]}
    assert oss.requests("serviceTestManagement") == {}  # no line test while an outage explains it


async def test_access_line_fault_opens_a_ticket_with_a_reference(oss: RunningSimulator) -> None:
    slots, dispatcher = await diagnose("access_line_fault", "report_internet_down")
    ticket = slots["findings"]["ticket"]
    assert ticket.startswith("TT-") and responses(dispatcher) == ["utter_testing_line", "utter_fault_ticket_opened"]
    opened = variables(dispatcher, "utter_fault_ticket_opened")
    assert opened["ticket"] == ticket and opened["place"] == "on the line between your home and the exchange"
    assert slots["findings"]["line_test"] == "accessLine"
    assert handoff(dispatcher) is None


async def test_router_fault_guides_a_fix_then_a_failed_fix_is_retested_and_escalated(oss: RunningSimulator) -> None:
    slots, dispatcher = await diagnose("router_fault", "report_internet_down")
    assert responses(dispatcher)[-1] == "utter_home_fix_router" and slots["awaiting"] == "home_fix"
    assert slots["findings"]["line_test"] == "customerPremisesEquipment"

    state_slots = verified_slots(BY_KEY["router_fault"], "report_internet_down", **slots)
    state = tracker(slots=state_slots, intents=["report_internet_down", "inform", "deny"])
    events, after = await run(ActionHomeFixResult(), state)
    case = handoff(after)
    assert case is not None and case["reason"] == "home_fix_failed"
    tests_run = [e for e in case["evidence"] if e["operation"] == "run_service_test"]
    assert len(tests_run) == 2  # the first test and the re-test, both for the agent
    assert case["tried"] and slot_values(events)["awaiting"] is None


async def test_fix_that_worked_closes_without_a_person(oss: RunningSimulator) -> None:
    state = tracker(slots=verified_slots(BY_KEY["router_fault"], "report_internet_down", awaiting="home_fix"),
                    intents=["report_internet_down", "affirm"])  # fmt: skip
    events, dispatcher = await run(ActionHomeFixResult(), state)
    assert handoff(dispatcher) is None and responses(dispatcher) == ["utter_glad_fixed", "utter_anything_else"]
    assert slot_values(events)["findings"]["home_fix"] == "worked"


async def test_slow_line_below_the_guaranteed_speed_opens_a_ticket(oss: RunningSimulator) -> None:
    slots, dispatcher = await diagnose("slow_line", "report_slow_internet")
    assert variables(dispatcher, "utter_line_below_guarantee")["guaranteed"] == "50"
    assert slots["findings"]["ticket"].startswith("TT-")


async def test_healthy_line_points_inside_the_home(oss: RunningSimulator) -> None:
    slots, dispatcher = await diagnose("healthy_line", "report_internet_down")
    assert responses(dispatcher) == ["utter_testing_line", "utter_home_fix_inside"]
    assert slots["findings"]["line_test"] == "pass"


async def test_mobile_outage_in_the_cell(oss: RunningSimulator) -> None:
    slots, dispatcher = await diagnose("mobile_outage", "report_mobile_no_service")
    assert variables(dispatcher, "utter_known_outage")["affected"] == "mobile service"
    assert slots["awaiting"] == "outage_notification"


async def test_unprovisioned_sim_goes_to_a_person(oss: RunningSimulator) -> None:
    _, dispatcher = await diagnose("sim_unprovisioned", "report_mobile_no_service")
    case = handoff(dispatcher)
    assert case is not None and case["reason"] == "sim_not_provisioned"
    assert responses(dispatcher)[0] == "utter_sim_not_set_up"


async def test_barred_line_explains_the_failed_payments(oss: RunningSimulator) -> None:
    _, dispatcher = await diagnose("mobile_barred", "report_mobile_no_service")
    assert responses(dispatcher)[0] == "utter_line_barred_payments_failed"
    assert variables(dispatcher, "utter_line_barred_payments_failed")["count"] == "2"
    case = handoff(dispatcher)
    assert case is not None and case["queue"] == "billing"


async def test_outage_check_by_postcode_needs_no_account(oss: RunningSimulator) -> None:
    state = tracker(slots={"postcode": BY_KEY["outage_area"].postcode}, intents=["check_outage", "inform"])
    _, dispatcher = await run(ActionCheckOutage(), state)
    assert responses(dispatcher) == ["utter_known_outage"]
    quiet = tracker(slots={"postcode": BY_KEY["healthy_line"].postcode}, intents=["check_outage", "inform"])
    _, dispatcher = await run(ActionCheckOutage(), quiet)
    assert responses(dispatcher) == ["utter_no_outage_in_area"]
    assert variables(dispatcher, "utter_no_outage_in_area") == {"area": "EH1"}


async def test_unreachable_inventory_is_told_and_escalated_with_what_is_known(oss: RunningSimulator) -> None:
    with oss.fault("serviceInventory", "error", status=500):
        _slots, dispatcher = await diagnose("router_fault", "report_internet_down")
    assert variables(dispatcher, "utter_system_unreachable") == {"system": "service records"}
    case = handoff(dispatcher)
    assert case is not None and case["reason"] == "oss_unavailable"
    assert any(e["outcome"] == "unavailable" for e in case["evidence"])


async def test_line_test_timeout_is_not_a_crash(oss: RunningSimulator) -> None:
    with oss.fault("serviceTestManagement", "timeout", hang_s=3):
        _, dispatcher = await diagnose("router_fault", "report_internet_down")
    case = handoff(dispatcher)
    assert case is not None and case["reason"] == "oss_unavailable"
    assert variables(dispatcher, "utter_system_unreachable") == {"system": "line test system"}
