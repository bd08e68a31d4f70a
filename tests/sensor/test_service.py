"""The sensor's loop over a real Redis and the simulator as the NOC: restarts lose nothing, bad entries and an
unreachable NOC stop nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from core.contracts.sensor import DIAGNOSES_STREAM, INCIDENT_HISTORY, OPEN_INCIDENTS, Diagnosis
from core.incident_board import incident, open_incidents
from core.oss.config import OssConfig
from notify.subscriptions import SubscriptionStore
from sensor.detector import DetectorConfig
from sensor.noc import Noc
from sensor.service import NOC_RETRY_S, SensorService
from sensor.store import CONSUMER_GROUP, DEAD_COUNT, DEAD_LETTERS
from tests.fixtures.ports import free_port
from tests.fixtures.simulator import RunningSimulator
from tests.sensor.conftest import T0, diagnosis, sensor_alarms

AT = T0 + 10 * 3600


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


Make = Callable[..., SensorService]


@pytest.fixture
async def make(redis: Redis) -> AsyncIterator[Make]:
    """``make(base_url, clock, name=...)``: a sensor as ``python -m sensor`` builds it; its clients closed after."""
    made: list[SensorService] = []

    def build(base_url: str, clock: Clock, name: str = "sensor-a") -> SensorService:
        noc = Noc(OssConfig(base_url=base_url, timeout_s=2.0), "alarm")
        sensor = SensorService(
            redis,
            DetectorConfig(quiet_s=1800),
            noc,
            SubscriptionStore(redis, 3600, 100),
            poll_s=30,
            noc_update_s=0,
            clock=clock,
            name=name,
        )
        made.append(sensor)
        return sensor

    yield build
    for sensor in made:
        await sensor.noc.aclose()


async def add(redis: Redis, *contacts: Diagnosis) -> None:
    for contact in contacts:
        await redis.xadd(DIAGNOSES_STREAM, {"d": contact.model_dump_json()})


async def pending(redis: Redis) -> int:
    info = await redis.xpending(DIAGNOSES_STREAM, CONSUMER_GROUP)  # type: ignore[no-untyped-call]
    return int(info["pending"])


async def test_a_surge_split_by_restarts_is_one_incident_with_every_contact(
    redis: Redis, noc_simulator: RunningSimulator, make: Make
) -> None:
    clock = Clock(AT + 60)
    first = make(noc_simulator.root_url, clock)
    await first.start()
    await add(redis, *[diagnosis(AT + i * 60) for i in range(3)])
    assert await first.step(block_ms=None) == 3
    assert await open_incidents(redis) == []

    clock.now = AT + 5 * 60
    second = make(noc_simulator.root_url, clock)
    await second.start()
    await add(redis, diagnosis(AT + 4 * 60))
    await second.step(block_ms=None)
    [opened] = await open_incidents(redis)
    assert opened.contacts == 4 and opened.key == "node:CAB-M1-01:broadband_down"
    assert opened.noc is not None and opened.noc.kind == "alarm", "raised at once in the NOC"
    assert await redis.hget(OPEN_INCIDENTS, opened.key) == opened.id.encode()
    assert await redis.zscore(INCIDENT_HISTORY, opened.id) == opened.detected_at

    third = make(noc_simulator.root_url, clock)
    await third.start()
    await add(redis, diagnosis(AT + 5 * 60))
    await third.step(block_ms=None)
    [grown] = await open_incidents(redis)
    assert (grown.id, grown.contacts, grown.noc) == (opened.id, 5, opened.noc)
    assert await pending(redis) == 0


async def test_entries_read_but_never_acknowledged_are_handled_after_a_crash(
    redis: Redis, noc_simulator: RunningSimulator, make: Make
) -> None:
    clock = Clock(AT + 10 * 60)
    crashed = make(noc_simulator.root_url, clock, name="sensor-crashed")
    await crashed.start()
    await add(redis, *[diagnosis(AT + i * 60) for i in range(4)])
    assert len(await crashed.reader.batch(None)) == 4  # read, then the process died before committing
    assert await pending(redis) == 4
    spare = make(noc_simulator.root_url, clock, name="sensor-spare")
    await spare.start()
    assert await spare.step(block_ms=None) == 4
    [opened] = await open_incidents(redis)
    assert opened.contacts == 4
    assert await pending(redis) == 0


async def test_unreadable_entries_are_dead_lettered_and_the_rest_still_count(
    redis: Redis, noc_simulator: RunningSimulator, make: Make
) -> None:
    clock = Clock(AT + 10 * 60)
    sensor = make(noc_simulator.root_url, clock)
    await sensor.start()
    await redis.xadd(DIAGNOSES_STREAM, {"d": "not json"})
    await redis.xadd(DIAGNOSES_STREAM, {"x": "no d"})
    await redis.xadd(DIAGNOSES_STREAM, {"d": '{"at": 1, "symptom": "haunted_router"}'})
    await add(redis, *[diagnosis(AT + i * 60) for i in range(4)])
    assert await sensor.step(block_ms=None) == 7
    assert int(await redis.get(DEAD_COUNT) or 0) == 3
    assert await redis.xlen(DEAD_LETTERS) == 3
    assert await pending(redis) == 0
    [opened] = await open_incidents(redis)
    assert opened.contacts == 4


async def test_an_unreachable_noc_keeps_the_incident_open_and_it_is_raised_once_the_noc_answers(
    redis: Redis, noc_simulator: RunningSimulator, make: Make
) -> None:
    clock = Clock(AT + 10 * 60)
    sensor = make(f"http://127.0.0.1:{free_port()}/tmf-api", clock)
    await sensor.start()
    await add(redis, *[diagnosis(AT + i * 60, "CAB-LS1-01", "LS1") for i in range(4)])
    await sensor.step(block_ms=None)
    [opened] = await open_incidents(redis)
    assert opened.noc is None, "nobody to tell yet; customers are told all the same"
    await sensor.noc.aclose()
    sensor.noc = Noc(OssConfig(base_url=noc_simulator.root_url, timeout_s=2.0), "alarm")
    clock.now += NOC_RETRY_S
    await sensor.step(block_ms=None)
    raised = await incident(redis, opened.id)
    assert raised is not None and raised.noc is not None
    [alarm] = await sensor_alarms(noc_simulator)
    assert str(alarm["id"]) == raised.noc.id and alarm["alarmedObject"]["id"] == "CAB-LS1-01"


async def test_a_backlog_read_after_a_restart_keeps_its_still_going_incident_open_with_one_alarm(
    redis: Redis, noc_simulator: RunningSimulator, make: Make
) -> None:
    """Two hours of a silent fault, a customer every 2 minutes, mostly written while no sensor ran: read in
    batches far behind the wall clock, it is one incident still open (not cleared as quiet between batches and
    opened again), with one alarm."""
    contacts = [diagnosis(AT + i * 120, "CAB-LS1-01", "LS1") for i in range(60)]
    clock = Clock(AT + 3 * 60)
    before = make(noc_simulator.root_url, clock, name="sensor-before")
    await before.start()
    await add(redis, *contacts[:2])
    await before.step(block_ms=None)  # then it stopped
    await add(redis, *contacts[2:])
    clock.now = contacts[-1].at + 60
    after = make(noc_simulator.root_url, clock, name="sensor-after")
    after.batch = 10
    await after.start()
    while await after.step(block_ms=None):
        pass
    [still] = await open_incidents(redis)
    assert (still.contacts, len(still.customers)) == (60, 60)
    assert still.first_contact_at == AT and still.latest_contact_at == contacts[-1].at
    assert await redis.zcard(INCIDENT_HISTORY) == 1, "no incident cleared and opened again"
    [alarm] = await sensor_alarms(noc_simulator)
    assert alarm["state"] != "cleared" and still.noc is not None and str(alarm["id"]) == still.noc.id
    assert await pending(redis) == 0
