"""Which real alarms cover a suspected incident, read from the simulator's seeded network picture."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.contracts.sensor import Incident, Scope
from core.oss.config import OssConfig
from sensor.noc import Noc
from tests.fixtures.simulator import RunningSimulator
from tests.sensor.conftest import T0, network_tickets


def suspected(scope: Scope, target: str, area: str) -> Incident:
    return Incident(
        id="INC-0000abcd",
        key=f"{scope}:{target}:broadband_down",
        scope=scope,
        target=target,
        area=area,
        symptom="broadband_down",
        evidence="4 customers reported broadband down",
        first_contact_at=T0,
        latest_contact_at=T0 + 300,
        detected_at=T0 + 300,
        contacts=4,
        customers=["a", "b", "c", "d"],
        confidence=0.9,
        baseline_per_hour=0.1,
    )


@pytest.fixture
async def noc(noc_simulator: RunningSimulator) -> AsyncIterator[Noc]:
    client = Noc(OssConfig(base_url=noc_simulator.root_url, timeout_s=3.0), "alarm")
    yield client
    await client.aclose()


@pytest.mark.parametrize(
    ("scope", "target", "area", "alarm"),
    [
        ("node", "CAB-LS1-02", "LS1", "4102"),  # the cabinet's own alarm (fibre feed cut)
        ("node", "CAB-LS1-01", "LS1", None),  # the other cabinet of the area is not covered by it
        ("node", "CAB-G1-01", "G1", "4101"),  # the exchange's area-wide power failure covers every node
        ("area", "G1", "G1", "4101"),
        ("area", "LS1", "LS1", None),  # one cabinet's alarm does not explain an area-wide surge
        ("node", "OLT-M1-01", "M1", None),  # a temperature warning that affects no service
        ("node", "CAB-CF10-01", "CF10", None),  # cleared yesterday
    ],
)
async def test_an_active_service_affecting_alarm_covers_its_node_or_its_whole_area(
    noc: Noc, scope: Scope, target: str, area: str, alarm: str | None
) -> None:
    incident = suspected(scope, target, area)
    covering = [cover.id for cover in await noc.real_alarms(incident.area, None) if cover.covers(incident)]
    assert covering == ([alarm] if alarm else [])


async def test_the_sensors_own_alarm_never_covers_its_incident(noc: Noc) -> None:
    incident = suspected("node", "CAB-N1-02", "N1")
    ref = await noc.raise_for(incident, T0 + 400)
    assert await noc.real_alarms("N1", None) == []
    assert await noc.standing(ref) == "open"
    again = await noc.raise_for(incident, T0 + 401)
    assert again.id == ref.id, "a raise retried after a lost answer finds the first alarm, no twin"


async def test_a_ticket_raise_retried_after_a_lost_answer_finds_the_first_ticket(
    noc_simulator: RunningSimulator,
) -> None:
    tickets = Noc(OssConfig(base_url=noc_simulator.root_url, timeout_s=3.0), "ticket")
    try:
        incident = suspected("node", "CAB-N1-02", "N1")
        first = await tickets.raise_for(incident, T0 + 400)  # then the sensor crashed before saving it
        again = await tickets.raise_for(incident, T0 + 401)
        assert (again.kind, again.id) == ("ticket", first.id)
        [ticket] = await network_tickets(noc_simulator)
        assert ticket["id"] == first.id and ticket["externalId"] == incident.id
        neighbour = suspected("node", "CAB-N1-01", "N1").model_copy(update={"id": "INC-0000beef"})
        other = await tickets.raise_for(neighbour, T0 + 402)
        assert other.id != first.id, "another incident gets its own ticket"
    finally:
        await tickets.aclose()
