"""Customers as the network's first sensor (issue 21), as the action server plays it: every diagnosis reaches the
sensor's stream without identifiers, and while a suspected incident is open the next customer in it hears that the
network team is investigating and is offered a text, instead of a ticket of their own and a queue."""

from __future__ import annotations

import time
from typing import Any

import httpx
from redis.asyncio import Redis

import actions.lookups
import actions.sensor
from actions.connectivity import ActionCheckOutage
from actions.escalation import ActionEscalate
from actions.notifications import TEXT_ME, ActionNotifyWhenRestored
from core.pseudonyms import pseudonym
from core.settings import Settings
from notify.subscriptions import SubscriptionStore
from simulator.scenarios import BY_KEY
from tests.actions.conversation_state import handoff, responses, run, slot_values, texts, tracker, variables
from tests.actions.diagnose import diagnose, verified_slots
from tests.actions.incidents import INCIDENT_ID, open_incident, stream, told
from tests.fixtures.ports import free_port
from tests.fixtures.redis_server import RedisServer
from tests.fixtures.simulator import RunningSimulator

CONVERSATION = "test-conversation"  # the sender id conversation_state.tracker gives


async def node_of(key: str, kind: str = "broadband") -> str:
    services = await actions.lookups.oss_client().list_services(BY_KEY[key].customer_id)
    node = next(s.node for s in services if s.kind == kind)
    assert node
    return node


async def test_every_diagnosis_reaches_the_sensor_with_pseudonyms_and_no_identifiers(
    oss: RunningSimulator, redis_server: RedisServer, action_redis: Settings
) -> None:
    scenario = BY_KEY["access_line_fault"]
    slots, _ = await diagnose("access_line_fault", "report_internet_down")
    [(raw, seen)] = stream(redis_server)
    secret = action_redis.learning_pseudonym_secret.get_secret_value()
    node = await node_of("access_line_fault")
    assert (seen.symptom, seen.service_kind, seen.area, seen.node) == ("broadband_down", "broadband", "M1", node)
    assert (seen.finding, seen.explained, seen.alarm) == ("accessLine", False, None)
    assert seen.customer == pseudonym(secret, scenario.customer_id)
    assert seen.conversation == pseudonym(secret, CONVERSATION)
    assert abs(seen.at - time.time()) < 30
    for identifier in (scenario.customer_id, scenario.account_id, scenario.name, scenario.postcode, CONVERSATION,
                       scenario.mobile.replace(" ", "")[1:]):  # fmt: skip
        assert identifier not in raw
    findings = slots["findings"]
    assert (findings["node"], findings["area"], findings["symptom"]) == (node, "M1", "broadband_down")
    assert findings["finding"] == "accessLine"  # the staff pages group the case by it, as the sensor does
    assert findings["ticket"].startswith("TT-") and "incident" not in findings  # no incident: the usual ticket


async def test_an_outage_the_network_reported_is_sent_as_explained(
    oss: RunningSimulator, redis_server: RedisServer
) -> None:
    slots, _ = await diagnose("outage_area", "report_internet_down")
    [(_, seen)] = stream(redis_server)
    assert seen.explained and seen.alarm == slots["findings"]["alarm"] and seen.finding == "alarm"
    _, dispatcher = await diagnose("mobile_barred", "report_mobile_no_service")
    barred = stream(redis_server)[-1][1]
    assert barred.explained and barred.symptom == "mobile_no_service" and barred.finding == "account"
    assert responses(dispatcher)[0] == "utter_line_barred_payments_failed"


async def test_in_an_open_incident_the_next_customer_hears_investigating_and_no_ticket_is_opened(
    oss: RunningSimulator, redis_server: RedisServer, action_redis: Settings
) -> None:
    node = await node_of("access_line_fault")
    incident = open_incident(redis_server, "node", node, "broadband_down", minutes_ago=12)
    oss.reset_requests()
    slots, dispatcher = await diagnose("access_line_fault", "report_internet_down")
    assert responses(dispatcher) == ["utter_testing_line", "utter_incident_investigating"]
    assert variables(dispatcher, "utter_incident_investigating") == {"period": "12 minutes"}
    said = texts(dispatcher)
    assert "Other customers near you have reported the same problem in the last 12 minutes" in said
    assert "Our network team is investigating" in said and "talk to someone, just say so" in said
    assert dispatcher.messages[-1]["buttons"] == TEXT_ME
    assert slots["awaiting"] == "outage_notification"
    findings = slots["findings"]
    assert (findings["incident"], findings["alarm"]) == (incident.id, incident.notify_key)
    assert findings["diagnosis"] == "suspected_incident" and "ticket" not in findings
    assert "POST" not in oss.requests("troubleTicket") and handoff(dispatcher) is None
    assert told(redis_server) == 1
    assert stream(redis_server)[-1][1].node == node  # the contact still counts towards the incident

    # "Yes please": a text under the incident's key, in words that promise the end of the investigation.
    scenario = BY_KEY["access_line_fault"]
    answer = tracker(slots=verified_slots(scenario, "report_internet_down", **slots), intents=["affirm"])
    _, after = await run(ActionNotifyWhenRestored(), answer)
    assert responses(after) == ["utter_will_notify_sms_incident"]
    assert "when our team has finished looking into it" in texts(after)
    client: Redis = Redis.from_url(redis_server.url)
    try:
        [sub] = await SubscriptionStore(client, ttl_s=3600, max_per_alarm=10).for_alarm(incident.notify_key)
    finally:
        await client.aclose()
    assert sub.conversation_id == CONVERSATION and sub.channels == ("chat", "sms")

    # "Speak to someone" still reaches a person, and the agent's case names the incident.
    ask = tracker(slots=verified_slots(scenario, "report_internet_down", **slots), intents=["request_human"])
    _, escalated = await run(ActionEscalate(), ask)
    case = handoff(escalated)
    assert case is not None and case["reason"] == "customer_request"
    assert (case["findings"]["incident"], case["findings"]["node"]) == (incident.id, node)


async def test_a_fault_inside_the_home_is_not_blamed_on_the_incident(
    oss: RunningSimulator, redis_server: RedisServer
) -> None:
    node = await node_of("router_fault")
    open_incident(redis_server, "node", node, "broadband_down")
    slots, dispatcher = await diagnose("router_fault", "report_internet_down")
    assert responses(dispatcher)[-1] == "utter_home_fix_router" and slots["awaiting"] == "home_fix"
    assert "incident" not in slots["findings"]  # the contract counts a home-side finding towards nothing
    assert slots["findings"]["finding"] == "customerPremisesEquipment"  # so the agent's case is not counted in
    assert told(redis_server) == 0


async def test_the_outage_check_by_postcode_tells_an_investigation_as_one(
    oss: RunningSimulator, redis_server: RedisServer
) -> None:
    open_incident(redis_server, "area", "EH1", "broadband_down", minutes_ago=30)
    state = tracker(slots={"postcode": BY_KEY["healthy_line"].postcode}, intents=["check_outage", "inform"])
    events, dispatcher = await run(ActionCheckOutage(), state)
    assert responses(dispatcher) == ["utter_incident_in_area"]
    said = texts(dispatcher)
    assert "no confirmed outages in EH1" in said and "reported problems in the last 30 minutes" in said
    assert slot_values(events)["findings"]["incident"] == INCIDENT_ID
    elsewhere = tracker(slots={"postcode": BY_KEY["router_fault"].postcode}, intents=["check_outage", "inform"])
    _, dispatcher = await run(ActionCheckOutage(), elsewhere)
    assert responses(dispatcher) == ["utter_no_outage_in_area"]


async def test_with_the_sensors_redis_down_the_diagnosis_goes_on_as_usual(
    oss: RunningSimulator, monkeypatch: Any
) -> None:
    nowhere = Settings(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(actions.sensor, "get_settings", lambda: nowhere)
    started = time.monotonic()
    slots, dispatcher = await diagnose("access_line_fault", "report_internet_down")
    assert time.monotonic() - started < actions.sensor.SENSOR_BUDGET_S + 3
    assert responses(dispatcher) == ["utter_testing_line", "utter_fault_ticket_opened"]
    assert slots["findings"]["ticket"].startswith("TT-") and slots["findings"]["area"] == "M1"


def raise_sensor_alarm(oss: RunningSimulator, node: str) -> str:
    """What the sensor raises in the NOC for a suspected incident (TMF642, probable cause customer-reported)."""
    body = {"alarmType": "qualityOfServiceAlarm", "perceivedSeverity": "major", "probableCause": "customer-reported",
            "specificProblem": f"Customers behind {node} report broadband down", "state": "raised",
            "alarmedObject": {"id": node, "@referredType": "NetworkNode"}, "sourceSystemId": "triage-sensor",
            "serviceAffecting": True}  # fmt: skip
    response = httpx.post(f"{oss.api_url('alarmManagement')}/alarm", json=body, timeout=10)
    response.raise_for_status()
    return str(response.json()["id"])


async def test_the_sensors_own_alarm_is_not_a_known_outage(oss: RunningSimulator, redis_server: RedisServer) -> None:
    """A silent fault the sensor suspected: the line is tested as usual, and the customer hears the investigation,
    never "a known fault ... expected to be fixed by" an alarm that only repeats customers' reports."""
    node = await node_of("healthy_line")
    oss.admin("PUT", f"/silent-faults/{node}", {"kind": "line", "fault_location": "network"})
    raise_sensor_alarm(oss, node)
    slots, dispatcher = await diagnose("healthy_line", "report_internet_down")
    assert responses(dispatcher) == ["utter_testing_line", "utter_fault_ticket_opened"]
    assert "alarm" not in slots["findings"] and slots["findings"]["line_test"] == "network"
    assert not stream(redis_server)[-1][1].explained

    postcode = tracker(slots={"postcode": BY_KEY["healthy_line"].postcode}, intents=["check_outage", "inform"])
    _, dispatcher = await run(ActionCheckOutage(), postcode)
    assert responses(dispatcher) == ["utter_no_outage_in_area"]  # no incident yet: nothing to say

    open_incident(redis_server, "node", node, "broadband_down", area="EH1")
    _, dispatcher = await diagnose("healthy_line", "report_internet_down")
    assert responses(dispatcher) == ["utter_testing_line", "utter_incident_investigating"]
    _, dispatcher = await run(ActionCheckOutage(), postcode)
    assert responses(dispatcher) == ["utter_incident_in_area"]  # an investigation, not a confirmed outage


async def test_a_silent_cell_fault_in_an_incident_is_told_to_the_next_mobile_customer(
    oss: RunningSimulator, redis_server: RedisServer
) -> None:
    cell = await node_of("multi_service", "mobile")
    oss.admin("PUT", f"/silent-faults/{cell}", {"kind": "registration"})
    slots, dispatcher = await diagnose("multi_service", "report_mobile_no_service")
    assert responses(dispatcher) == ["utter_home_fix_phone"]  # one customer alone: the usual steps
    assert (slots["findings"]["registration_test"], slots["findings"]["node"]) == ("network", cell)

    open_incident(redis_server, "node", cell, "mobile_no_service", minutes_ago=5)
    slots, dispatcher = await diagnose("multi_service", "report_mobile_no_service")
    assert responses(dispatcher) == ["utter_incident_investigating_mobile"]
    assert "rather than with your phone" in texts(dispatcher) and slots["awaiting"] == "outage_notification"
    assert handoff(dispatcher) is None and told(redis_server) == 1
