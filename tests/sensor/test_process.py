"""`python -m sensor` as `make run` starts it, against the session's Redis and the simulator as the NOC: a surge
of diagnoses raises exactly one alarm (or ticket), updated as it grows and cleared when the contacts stop."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from redis.asyncio import Redis

from core.contracts.sensor import DIAGNOSES_STREAM
from core.incident_board import incident, open_incidents
from core.settings import PROJECT_ROOT
from sensor.store import LEASE
from tests.fixtures.redis_server import RedisServer
from tests.fixtures.simulator import RunningSimulator
from tests.sensor.conftest import diagnosis, network_tickets, sensor_alarms

QUIET_S = 4
MOBILE = {"symptom": "mobile_no_service", "service_kind": "mobile"}


@contextmanager
def sensor_process(redis_server: RedisServer, simulator: RunningSimulator, noc: str) -> Iterator[None]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_") and k != "REDIS_URL"}
    env.update(
        TRIAGE_ENV="test",
        TRIAGE_REDIS_URL=redis_server.url,
        TRIAGE_OSS_BASE_URL=simulator.root_url,
        TRIAGE_SENSOR_NOC=noc,
        TRIAGE_SENSOR_QUIET_S=str(QUIET_S),
        TRIAGE_SENSOR_POLL_S="1",
        TRIAGE_SENSOR_NOC_UPDATE_S="0",
    )
    process = subprocess.Popen([sys.executable, "-m", "sensor"], cwd=PROJECT_ROOT, env=env)
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0, "the sensor stops cleanly on Ctrl-C"


async def eventually[T](probe: Callable[[], Awaitable[T | None]], timeout_s: float = 20.0) -> T:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = await probe()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {timeout_s} s")


async def surge(redis: Redis, count: int, node: str, area: str, **fields: Any) -> None:
    """``count`` new customers behind ``node`` within the last second, appended as the action server does, at
    once (the sensor reads them in one batch: the NOC's first word counts them all)."""
    now = time.time()
    async with redis.pipeline(transaction=True) as pipe:
        for i in range(count):
            found = diagnosis(now - (count - i) * 0.2, node, area, **fields)
            pipe.xadd(DIAGNOSES_STREAM, {"d": found.model_dump_json()})
        await pipe.execute()


@pytest.fixture
async def running(
    redis: Redis, redis_server: RedisServer, noc_simulator: RunningSimulator, request: pytest.FixtureRequest
) -> AsyncIterator[Redis]:
    with sensor_process(redis_server, noc_simulator, request.param):
        await eventually(lambda: redis.exists(LEASE))
        yield redis


@pytest.mark.parametrize("running", ["alarm"], indirect=True)
async def test_a_surge_raises_one_alarm_updated_as_it_grows_and_cleared_when_it_stops(
    running: Redis, noc_simulator: RunningSimulator
) -> None:
    await surge(running, 4, "CAB-M1-01", "M1")

    async def raised() -> list[dict[str, Any]]:
        return await sensor_alarms(noc_simulator)

    [alarm] = await eventually(raised)
    [opened] = await open_incidents(running)
    assert opened.noc is not None and opened.noc.id == str(alarm["id"])
    assert alarm["alarmedObject"]["id"] == "CAB-M1-01" and alarm["sourceSystemId"] == "triage-sensor"
    assert (alarm["state"], alarm["perceivedSeverity"], alarm["alarmType"]) == (
        "raised",
        "minor",
        "qualityOfServiceAlarm",
    )
    assert alarm["alarmDetails"].startswith("4 customers behind cabinet CAB-M1-01 reported broadband down")

    await surge(running, 2, "CAB-M1-01", "M1")

    async def updated() -> dict[str, Any] | None:
        [current] = await sensor_alarms(noc_simulator)
        return current if current["alarmDetails"].startswith("6 customers") else None

    grown = await eventually(updated)
    assert grown["state"] == "updated" and grown["id"] == alarm["id"]

    async def cleared() -> dict[str, Any] | None:
        [current] = await sensor_alarms(noc_simulator)
        return current if current["state"] == "cleared" else None

    ended = await eventually(cleared, QUIET_S + 20)
    assert ended["perceivedSeverity"] == "cleared" and ended["id"] == alarm["id"]
    record = await incident(running, opened.id)
    assert record is not None and (record.state, record.cleared_reason, record.contacts) == ("cleared", "quiet", 6)
    assert await open_incidents(running) == []


@pytest.mark.parametrize("running", ["ticket"], indirect=True)
async def test_in_ticket_mode_a_surge_opens_one_network_ticket_resolved_when_it_stops(
    running: Redis, noc_simulator: RunningSimulator
) -> None:
    await surge(running, 5, "CELL-B1-02", "B1", **MOBILE)

    async def opened_ticket() -> list[dict[str, Any]]:
        return await network_tickets(noc_simulator)

    [ticket] = await eventually(opened_ticket)
    assert ticket["status"] == "acknowledged" and ticket["severity"] == "Minor"
    assert ticket["relatedEntity"][0]["id"] == "CELL-B1-02"
    assert ticket["description"].startswith("5 customers behind cell CELL-B1-02 reported no mobile service")
    assert await sensor_alarms(noc_simulator) == [], "tickets instead of alarms"

    await surge(running, 1, "CELL-B1-02", "B1", **MOBILE)

    async def resolved() -> dict[str, Any] | None:
        [current] = await network_tickets(noc_simulator)
        return current if current["status"] == "resolved" else None

    done = await eventually(resolved, QUIET_S + 20)
    assert done["id"] == ticket["id"] and done["description"].startswith("6 customers")
