"""TMF642's event hub and alarm merge patch: a cleared alarm is told to every registered listener."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fixtures.simulator import RunningSimulator
from tests.notify.conftest import Served
from tests.simulator.swagger import problems

MERGE = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture
def alarms(simulator: RunningSimulator) -> Iterator[str]:
    simulator.reset()
    yield simulator.api_url("alarmManagement")
    simulator.reset()


def wait_for(received: list[Any], count: int) -> None:
    deadline = time.monotonic() + 10
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_listener_hears_the_clear_and_stops_hearing_once_removed(
    alarms: str, listener: tuple[Served, list[tuple[str, dict[str, Any]]]]
) -> None:
    served, received = listener
    created = httpx.post(f"{alarms}/hub", json={"callback": f"{served.url}/cb"})
    assert created.status_code == 201 and not problems("alarmManagement", "EventSubscription", created.json())
    listener_id = created.json()["id"]
    assert httpx.get(f"{alarms}/hub/{listener_id}").json()["callback"] == f"{served.url}/cb"

    patched = httpx.patch(f"{alarms}/alarm/4101", json={"state": "cleared"}, headers=MERGE)
    assert patched.status_code == 200, patched.text
    alarm = patched.json()
    assert alarm["state"] == "cleared" and alarm["perceivedSeverity"] == "cleared" and alarm["alarmClearedTime"]
    assert not problems("alarmManagement", "Alarm", alarm)
    wait_for(received, 1)
    [(name, envelope)] = received
    assert name == "alarmStateChangeEvent" and envelope["eventType"] == "AlarmStateChangeEvent"
    assert str(envelope["event"]["alarm"]["id"]) == "4101" and envelope["event"]["alarm"]["state"] == "cleared"
    assert not problems("alarmManagement", "AlarmStateChangeEvent", envelope)

    assert httpx.patch(f"{alarms}/alarm/4101", json={"state": "cleared"}, headers=MERGE).status_code == 200
    time.sleep(0.5)
    assert len(received) == 1  # no change, no event

    assert httpx.delete(f"{alarms}/hub/{listener_id}").status_code == 204
    assert httpx.get(f"{alarms}/hub/{listener_id}").status_code == 404
    assert httpx.delete(f"{alarms}/hub/{listener_id}").status_code == 404
    httpx.patch(f"{alarms}/alarm/4102", json={"state": "cleared"}, headers=MERGE).raise_for_status()
    time.sleep(0.5)
    assert len(received) == 1


def test_listeners_survive_a_data_reset(simulator: RunningSimulator, alarms: str) -> None:
    listener_id = httpx.post(f"{alarms}/hub", json={"callback": "http://127.0.0.1:9/cb"}).json()["id"]
    simulator.reset()
    assert httpx.get(f"{alarms}/hub/{listener_id}").status_code == 200
    httpx.delete(f"{alarms}/hub/{listener_id}")


@pytest.mark.parametrize(
    "body",
    [{}, {"callback": "ftp://example.com/x"}, {"callback": "javascript:alert(1)"}, {"callback": 5},
     {"callback": "http://127.0.0.1:9/cb", "colour": "red"}, {"callback": "http://x/\u202e"}],
)  # fmt: skip
def test_bad_hub_registrations_are_400(alarms: str, body: dict[str, Any]) -> None:
    response = httpx.post(f"{alarms}/hub", json=body)
    assert response.status_code == 400 and response.json()["status"] == "400"


@pytest.mark.parametrize(
    ("alarm_id", "body", "headers", "status"),
    [
        ("4101", {"state": "exploded"}, MERGE, 400),
        ("4101", {"state": None}, MERGE, 400),
        ("4101", {}, MERGE, 400),
        ("4101", {"id": "1"}, MERGE, 400),
        ("4101", {"state": "cleared"}, {"Content-Type": "text/plain"}, 415),
        ("999999", {"state": "cleared"}, MERGE, 404),
        ("x", {"state": "cleared"}, MERGE, 400),
        ("4106", {"state": "raised"}, MERGE, 409),  # the seeded cleared alarm: raise a new one instead
    ],
)
def test_bad_alarm_patches_are_refused(
    alarms: str, alarm_id: str, body: dict[str, Any], headers: dict[str, str], status: int
) -> None:
    response = httpx.patch(f"{alarms}/alarm/{alarm_id}", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert httpx.get(f"{alarms}/alarm/4101").json()["state"] == "raised"
