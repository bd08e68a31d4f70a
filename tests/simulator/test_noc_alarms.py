"""What the NOC receives from issue 21's sensor: TMF642 alarms it raises and TMF621 network tickets it opens.

Raised alarms are found by the same queries as the network's own; ``probableCause=customer-reported`` and
``ticketType=networkIncident`` are the NOC's view of what the sensor told it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from core.oss import OssClient, OssConfig
from tests.fixtures.simulator import RunningSimulator
from tests.notify.conftest import Served
from tests.simulator.swagger import problems

ALARMS = "/alarmManagement/v4/alarm"
TICKETS = "/troubleTicket/v4/troubleTicket"
TESTS = "/serviceTestManagement/v4/serviceTest"
MERGE = {"Content-Type": "application/merge-patch+json"}
NODE = "CAB-M1-01"
SENSOR_ALARM: dict[str, Any] = {
    "alarmType": "qualityOfServiceAlarm",
    "perceivedSeverity": "major",
    "probableCause": "customer-reported",
    "specificProblem": "5 customers behind CAB-M1-01 report broadband down since 14:02; no alarm covers it",
    "alarmDetails": "Suspected incident INC-1a2b3c4d: line tests fail in the network",
    "state": "raised",
    "alarmedObject": {"id": NODE, "@referredType": "StreetCabinet"},
    "sourceSystemId": "triage-sensor",
    "externalAlarmId": "INC-1a2b3c4d",
    "serviceAffecting": True,
}
NETWORK_TICKET: dict[str, Any] = {
    "name": "Suspected incident INC-1a2b3c4d",
    "description": "5 customers behind CAB-M1-01 report broadband down since 14:02; no alarm covers it",
    "severity": "Major",
    "ticketType": "networkIncident",
    "externalId": "INC-1a2b3c4d",
    "relatedEntity": [{"id": NODE, "role": "suspectedNode", "@referredType": "NetworkNode"}],
    "note": [{"text": "Raised from customers' contacts", "author": "triage-sensor"}],
}


@pytest.fixture
def http(simulator: RunningSimulator) -> Iterator[httpx.Client]:
    simulator.reset()
    with httpx.Client(base_url=simulator.root_url, timeout=10) as client:
        yield client
    simulator.reset()


@pytest.fixture(scope="module")
def fresh(simulator: RunningSimulator) -> Iterator[httpx.Client]:
    """For requests the simulator refuses: they change nothing, so one reset does for all of them."""
    simulator.reset()
    with httpx.Client(base_url=simulator.root_url, timeout=10) as client:
        yield client


def wait_for(received: list[Any], count: int) -> None:
    deadline = time.monotonic() + 10
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [alarm["id"] for alarm in response.json()]


def raise_alarm(http: httpx.Client, **changes: Any) -> dict[str, Any]:
    response = http.post(ALARMS, json={**SENSOR_ALARM, **changes})
    assert response.status_code == 201, response.text
    alarm: dict[str, Any] = response.json()
    assert response.headers["Location"] == alarm["href"]
    assert not problems("alarmManagement", "Alarm", alarm)
    return alarm


def test_a_sensor_alarm_is_found_like_the_network_s_own_and_listed_as_customer_reported(http: httpx.Client) -> None:
    seeded = ids(http.get(ALARMS))
    alarm = raise_alarm(http)
    ident = alarm["id"]
    assert isinstance(ident, int) and ident not in seeded
    assert alarm["state"] == "raised" and alarm["alarmRaisedTime"] and alarm["ackState"] == "unacknowledged"
    assert alarm["alarmedObject"] == {"id": NODE, "@type": "StreetCabinet"}
    assert [(p["id"], p["role"]) for p in alarm["place"]] == [("M1", "affectedArea"), (NODE, "affectedNode")]
    on_node = [s["id"] for s in alarm["affectedService"]]
    assert on_node, "every service on the cabinet is affected"

    queries = [{"place.id": "M1"}, {"place.id": NODE}, {"alarmedObject.id": NODE}, {"state": "raised,updated"},
               {"affectedService.id": on_node[0]}]  # fmt: skip
    for query in queries:
        assert ident in ids(http.get(ALARMS, params=query)), query
    assert ids(http.get(ALARMS, params={"probableCause": "customer-reported"})) == [ident]
    assert ident not in ids(http.get(ALARMS, params={"probableCause": "powerProblem"}))
    mine = {"externalAlarmId": "INC-1a2b3c4d", "sourceSystemId": "triage-sensor"}
    assert ids(http.get(ALARMS, params=mine)) == [ident]
    assert http.get(f"{ALARMS}/{ident}").json() == alarm


async def test_the_product_client_reads_a_sensor_alarm_as_a_node_alarm(simulator: RunningSimulator) -> None:
    simulator.reset()
    async with (
        httpx.AsyncClient(base_url=simulator.root_url) as http,
        OssClient(OssConfig(base_url=simulator.root_url)) as client,
    ):
        created = await http.post(ALARMS, json=SENSOR_ALARM)
        assert created.status_code == 201, created.text
        found = [a for a in await client.list_alarms(area="M1") if a.id == str(created.json()["id"])]
    simulator.reset()
    assert [(a.nodes, a.areas, a.severity, a.state) for a in found] == [((NODE,), ("M1",), "major", "raised")]


def test_a_sensor_alarm_leaves_the_silent_fault_silent_to_line_tests(
    simulator: RunningSimulator, http: httpx.Client
) -> None:
    simulator.admin("PUT", f"/silent-faults/{NODE}", {"kind": "line"})
    service = raise_alarm(http)["affectedService"][0]["id"]
    body = {"name": "after the alarm", "relatedService": {"id": service}, "testSpecification": {"id": "TS-BB-LINE"}}
    chars = {c["name"]: c["value"] for c in http.post(TESTS, json=body).json()["characteristic"]}
    assert (chars["testResult"], chars["faultLocation"]) == ("fail", "network")
    assert chars["summary"] == f"No sync: no response from {NODE}"


def test_the_hub_hears_the_raise_every_update_and_the_clear(
    http: httpx.Client, listener: tuple[Served, list[tuple[str, dict[str, Any]]]]
) -> None:
    served, received = listener
    assert http.post(f"{ALARMS.rsplit('/', 1)[0]}/hub", json={"callback": f"{served.url}/cb"}).status_code == 201
    ident = raise_alarm(http)["id"]
    wait_for(received, 1)
    assert [(name, event["eventType"], event["event"]["alarm"]["id"]) for name, event in received] == [
        ("alarmCreateEvent", "AlarmCreateEvent", ident)
    ]

    grown = {"alarmDetails": "Suspected incident INC-1a2b3c4d: 9 customers now", "perceivedSeverity": "critical",
             "comment": [{"comment": "4 more customers in 10 minutes"}]}  # fmt: skip
    patched = http.patch(f"{ALARMS}/{ident}", json=grown, headers=MERGE)
    assert patched.status_code == 200, patched.text
    alarm = patched.json()
    assert alarm["perceivedSeverity"] == "critical" and alarm["alarmDetails"].endswith("9 customers now")
    assert alarm["comment"][0]["comment"] == "4 more customers in 10 minutes" and alarm["comment"][0]["time"]
    assert not problems("alarmManagement", "Alarm", alarm)
    cleared = http.patch(f"{ALARMS}/{ident}", json={"state": "cleared", "clearSystemId": "triage-sensor"},
                         headers=MERGE).json()  # fmt: skip
    assert cleared["state"] == "cleared" and cleared["alarmClearedTime"] and cleared["clearSystemId"] == "triage-sensor"
    wait_for(received, 3)
    assert [event["eventType"] for _, event in received] == [
        "AlarmCreateEvent", "AlarmAttributeValueChangeEvent", "AlarmStateChangeEvent"
    ]  # fmt: skip
    assert ident not in ids(http.get(ALARMS, params={"state": "raised,updated"}))


def test_raising_twice_for_one_incident_is_409_until_it_is_cleared(http: httpx.Client) -> None:
    ident = raise_alarm(http)["id"]
    twin = http.post(ALARMS, json=SENSOR_ALARM)
    assert twin.status_code == 409 and twin.json()["code"] == "ALARM_EXISTS" and str(ident) in twin.json()["message"]
    other_system = raise_alarm(http, sourceSystemId="noc-probe")
    http.patch(f"{ALARMS}/{ident}", json={"state": "cleared"}, headers=MERGE)
    again = raise_alarm(http)
    assert len({ident, other_system["id"], again["id"]}) == 3


def test_an_area_alarm_covers_the_area_and_any_other_object_is_taken_as_given(http: httpx.Client) -> None:
    area = raise_alarm(http, alarmedObject={"id": "M1"}, externalAlarmId="INC-00000001")
    assert [p["id"] for p in area["place"]] == ["M1"] and area["alarmedObjectType"] == "GeographicArea"
    assert len(area["affectedService"]) > 3
    billing_run = {"alarmedObject": {"id": "BILLING-RUN"}, "alarmType": "processingErrorAlarm"}
    bills = raise_alarm(http, externalAlarmId="INC-00000002", **billing_run)
    assert (bills["place"], bills["affectedService"]) == ([], [])
    place = [{"id": "M1", "role": "affectedArea", "@referredType": "GeographicArea"}]
    given = raise_alarm(http, externalAlarmId="INC-00000003", affectedService=[{"id": "SVC-000002-1"}], place=place)
    assert [s["id"] for s in given["affectedService"]] == ["SVC-000002-1"] and len(given["place"]) == 1
    listed = ids(http.get(ALARMS, params={"probableCause": "customer-reported"}))
    assert sorted(listed) == sorted([given["id"], bills["id"], area["id"]])


def without(field: str) -> dict[str, Any]:
    return {k: v for k, v in SENSOR_ALARM.items() if k != field}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        *[
            (without(f), "INVALID_BODY")
            for f in ("alarmType", "perceivedSeverity", "probableCause", "alarmedObject", "sourceSystemId", "state")
        ],
        ({**SENSOR_ALARM, "state": "cleared"}, "INVALID_BODY"),
        ({**SENSOR_ALARM, "perceivedSeverity": "cleared"}, "INVALID_BODY"),
        ({**SENSOR_ALARM, "alarmType": "customerAlarm"}, "INVALID_BODY"),
        ({**SENSOR_ALARM, "serviceAffecting": "yes"}, "INVALID_BODY"),
        ({**SENSOR_ALARM, "id": 4101}, "INVALID_BODY"),
        ({**SENSOR_ALARM, "probableCause": ""}, "INVALID_BODY"),
        ({**SENSOR_ALARM, "alarmedObject": {"@type": "StreetCabinet"}}, "INVALID_BODY"),
        ({**SENSOR_ALARM, "alarmRaisedTime": "yesterday"}, "INVALID_BODY"),
        ({**SENSOR_ALARM, "alarmedObject": {"id": "CAB-ZZ9-01"}}, "UNKNOWN_ALARMED_OBJECT"),
        ({**SENSOR_ALARM, "alarmedObject": {"id": "ZZ9"}}, "UNKNOWN_ALARMED_OBJECT"),
        ({**SENSOR_ALARM, "affectedService": [{"id": "SVC-999999-1"}]}, "UNKNOWN_SERVICE"),
        ({**SENSOR_ALARM, "place": [{"id": "CAB-ZZ9-01", "role": "affectedNode"}]}, "UNKNOWN_PLACE"),
    ],
)
def test_bad_alarms_are_400_and_raise_nothing(fresh: httpx.Client, body: dict[str, Any], code: str) -> None:
    response = fresh.post(ALARMS, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code and not problems("alarmManagement", "Error", response.json())
    assert ids(fresh.get(ALARMS, params={"probableCause": "customer-reported"})) == []


@pytest.mark.parametrize(
    ("query", "status"),
    [({"probableCause": "customer reported!"}, 400), ({"alarmType": "customerAlarm"}, 400),
     ({"externalAlarmId": "x" * 80}, 400), ({"probableCause": "customer-reported,powerProblem"}, 200)],
)  # fmt: skip
def test_the_new_alarm_filters_check_their_values(fresh: httpx.Client, query: dict[str, str], status: int) -> None:
    assert fresh.get(ALARMS, params=query).status_code == status


def test_a_network_ticket_names_the_node_and_no_customer_and_is_worked_by_patch(http: httpx.Client) -> None:
    created = http.post(TICKETS, json=NETWORK_TICKET)
    assert created.status_code == 201, created.text
    ticket = created.json()
    assert not problems("troubleTicket", "TroubleTicket", ticket)
    assert ticket["relatedParty"] == [] and "channel" not in ticket and ticket["status"] == "acknowledged"
    assert [e["id"] for e in ticket["relatedEntity"]] == [NODE]

    listed = http.get(TICKETS, params={"ticketType": "networkIncident"})
    assert listed.status_code == 200 and [t["id"] for t in listed.json()] == [ticket["id"]]
    assert not problems("troubleTicket", "TroubleTicket", listed.json(), array=True)
    customer_tickets = http.get(TICKETS, params={"relatedParty.id": "CUST-000023"}).json()
    assert customer_tickets and all(t["ticketType"] != "networkIncident" for t in customer_tickets)

    notes = [*ticket["note"], {"text": "9 customers now", "author": "triage-sensor"}]
    grown = http.patch(f"{TICKETS}/{ticket['id']}", json={"note": notes, "status": "inProgress"}, headers=MERGE)
    assert grown.status_code == 200, grown.text
    assert [n["text"] for n in grown.json()["note"]] == ["Raised from customers' contacts", "9 customers now"]
    resolved = http.patch(f"{TICKETS}/{ticket['id']}", json={"status": "resolved", "statusChangeReason":
                          "Contacts stopped"}, headers=MERGE)  # fmt: skip
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolutionDate"]
    assert not problems("troubleTicket", "TroubleTicket", resolved.json())
    assert (
        http.get(TICKETS, params={"ticketType": "networkIncident", "status": "resolved"}).json()[0]["id"]
        == (ticket["id"])
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**NETWORK_TICKET, "relatedParty": [{"id": "CUST-000002", "@referredType": "Customer"}]},
         "CUSTOMER_NOT_ALLOWED"),
        ({k: v for k, v in NETWORK_TICKET.items() if k != "relatedEntity"}, "ENTITY_REQUIRED"),
        ({**NETWORK_TICKET, "relatedEntity": []}, "ENTITY_REQUIRED"),
        ({**NETWORK_TICKET, "relatedEntity": [{"id": "CAB-ZZ9-01", "role": "suspectedNode",
                                               "@referredType": "NetworkNode"}]}, "UNKNOWN_ENTITY"),
        ({**NETWORK_TICKET, "relatedEntity": [{"id": "ZZ9", "role": "area", "@referredType": "GeographicArea"}]},
         "UNKNOWN_ENTITY"),
        ({**NETWORK_TICKET, "relatedEntity": [{"id": "SVC-999999-1", "role": "affectedService",
                                               "@referredType": "Service"}]}, "UNKNOWN_ENTITY"),
        ({**NETWORK_TICKET, "ticketType": "incident"}, "CUSTOMER_REQUIRED"),
        ({**NETWORK_TICKET, "ticketType": "outage"}, "INVALID_BODY"),
    ],
)  # fmt: skip
def test_bad_network_tickets_are_400(fresh: httpx.Client, body: dict[str, Any], code: str) -> None:
    response = fresh.post(TICKETS, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert fresh.get(TICKETS, params={"ticketType": "networkIncident"}).json() == []


def test_a_network_ticket_cannot_gain_a_customer_or_lose_its_entities(http: httpx.Client) -> None:
    ticket = http.post(TICKETS, json=NETWORK_TICKET).json()
    url = f"{TICKETS}/{ticket['id']}"
    customer = [{"id": "CUST-000002", "@referredType": "Customer"}]
    assert http.patch(url, json={"relatedParty": customer}, headers=MERGE).json()["code"] == "CUSTOMER_NOT_ALLOWED"
    assert http.patch(url, json={"relatedEntity": []}, headers=MERGE).json()["code"] == "ENTITY_REQUIRED"
    assert http.patch(url, json={"ticketType": "incident"}, headers=MERGE).json()["code"] == "CUSTOMER_REQUIRED"
    assert http.get(url).json() == ticket


def test_a_network_ticket_is_found_by_its_external_id_so_a_retried_raise_makes_no_twin(http: httpx.Client) -> None:
    ticket = http.post(TICKETS, json=NETWORK_TICKET).json()
    other = http.post(TICKETS, json={**NETWORK_TICKET, "externalId": "INC-99999999"}).json()
    query = {"ticketType": "networkIncident", "externalId": "INC-1a2b3c4d"}
    assert [t["id"] for t in http.get(TICKETS, params=query).json()] == [ticket["id"]]
    assert [t["id"] for t in http.get(TICKETS, params={**query, "externalId": "INC-99999999"}).json()] == [other["id"]]
    assert http.get(TICKETS, params={**query, "externalId": "INC-00000000"}).json() == []
    bad = http.get(TICKETS, params={**query, "externalId": "INC 1a2b3c4d!"})
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_QUERY"


@pytest.mark.parametrize(
    "query",
    [
        {"ticketType": "incident"},
        {"ticketType": "networkIncident,incident"},
        {"status": "acknowledged"},
        {"externalId": "INC-1a2b3c4d"},
    ],
)
def test_customer_tickets_still_cannot_be_listed_without_a_customer(fresh: httpx.Client, query: dict[str, str]) -> None:
    response = fresh.get(TICKETS, params=query)
    assert response.status_code == 400 and response.json()["code"] in {"INVALID_QUERY", "IDENTIFIER_REQUIRED"}
