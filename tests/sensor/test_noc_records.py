"""The sensor's alarm or ticket when an answer is lost: a raise whose answer never came makes no twin, and a NOC
that lost the record (its system restarted) gets it raised again rather than having the incident taken as closed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Literal

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from redis.asyncio import Redis

from core.contracts.sensor import DIAGNOSES_STREAM
from core.incident_board import incident, open_incidents
from core.oss.config import OssConfig
from notify.subscriptions import SubscriptionStore
from sensor.detector import DetectorConfig
from sensor.noc import Noc
from sensor.service import NOC_RETRY_S, SensorService
from tests.fixtures.simulator import RunningSimulator
from tests.notify.conftest import Served, serve
from tests.sensor.conftest import T0, diagnosis, network_tickets, sensor_alarms
from tests.sensor.test_service import Clock

AT = T0 + 14 * 3600
POLL_S = 30.0
Build = Callable[[str, Literal["alarm", "ticket"], Clock], SensorService]


@pytest.fixture
async def build(redis: Redis) -> AsyncIterator[Build]:
    made: list[Noc] = []

    def sensor(base_url: str, kind: Literal["alarm", "ticket"], clock: Clock) -> SensorService:
        noc = Noc(OssConfig(base_url=base_url, timeout_s=0.5), kind)
        made.append(noc)
        config = DetectorConfig(quiet_s=1800)
        subscriptions = SubscriptionStore(redis, 3600, 100)
        return SensorService(redis, config, noc, subscriptions, poll_s=POLL_S, noc_update_s=0, clock=clock)

    yield sensor
    for noc in made:
        await noc.aclose()


@pytest.fixture
def answer_lost(noc_simulator: RunningSimulator) -> Iterator[tuple[Served, list[str]]]:
    """A proxy before the simulator that passes the first ticket POST on and answers it only after the sensor
    has given up waiting (its timeout is 0.5 s); everything else passes straight through."""
    seen: list[str] = []
    lost: list[str] = []
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "PATCH"])
    async def forward(path: str, request: Request) -> Response:
        seen.append(f"{request.method} {path}")
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.request(
                request.method,
                f"{noc_simulator.url}/{path}",
                params=request.query_params,
                content=await request.body(),
                headers={"Content-Type": request.headers.get("content-type", "application/json")},
            )
        if request.method == "POST" and path.endswith("/troubleTicket") and not lost:
            lost.append(path)
            await asyncio.sleep(1.5)
        return Response(answer.content, answer.status_code, media_type=answer.headers.get("content-type"))

    served = serve(app)
    yield served, seen
    served.stop()


async def surge(redis: Redis, node: str, area: str, count: int = 4, start: float = AT) -> None:
    for i in range(count):
        await redis.xadd(DIAGNOSES_STREAM, {"d": diagnosis(start + i * 60, node, area).model_dump_json()})


async def test_a_ticket_whose_answer_was_lost_is_found_again_not_raised_twice(
    redis: Redis, noc_simulator: RunningSimulator, build: Build, answer_lost: tuple[Served, list[str]]
) -> None:
    proxy, seen = answer_lost
    clock = Clock(AT + 4 * 60)
    sensor = build(f"{proxy.url}/tmf-api", "ticket", clock)
    await sensor.start()
    await surge(redis, "CAB-LS1-01", "LS1")
    await sensor.step(block_ms=None)
    [opened] = await open_incidents(redis)
    assert opened.noc is None, "the sensor never heard the ticket's id"
    [ticket] = await network_tickets(noc_simulator)
    assert ticket["externalId"] == opened.id, "but the NOC has it"

    clock.now += NOC_RETRY_S
    await sensor.step(block_ms=None)
    found = await incident(redis, opened.id)
    assert found is not None and found.noc is not None and found.noc.id == ticket["id"]
    assert [t["id"] for t in await network_tickets(noc_simulator)] == [ticket["id"]], "one ticket, no twin"
    assert sum(1 for s in seen if s.startswith("POST")) == 1


@pytest.mark.parametrize("kind", ["alarm", "ticket"])
async def test_a_noc_that_lost_our_record_gets_it_raised_again_and_the_incident_stays_open(
    redis: Redis, noc_simulator: RunningSimulator, build: Build, kind: Literal["alarm", "ticket"]
) -> None:
    """The NOC's system restarted without our alarm or ticket: a 404 is nobody closing it. Found by the next
    poll (alarm) or by the next update as the incident grows (ticket, before any poll)."""
    clock = Clock(AT + 4 * 60)
    sensor = build(noc_simulator.root_url, kind, clock)
    await sensor.start()
    await surge(redis, "CAB-M1-01", "M1")
    await sensor.step(block_ms=None)
    [opened] = await open_incidents(redis)
    assert opened.noc is not None and opened.noc.kind == kind
    noc_simulator.reset()  # the NOC's data lost
    if kind == "alarm":
        clock.now += POLL_S
    else:
        clock.now += POLL_S / 3
        await surge(redis, "CAB-M1-01", "M1", count=1, start=AT + 5 * 60)
    await sensor.step(block_ms=None)
    [still] = await open_incidents(redis)
    assert still.id == opened.id and still.state == "open"
    assert still.noc is not None and still.noc.raised_at == clock.now, "raised again, its reference replaced"
    if kind == "alarm":
        [alarm] = await sensor_alarms(noc_simulator)
        assert alarm["state"] == "raised" and alarm["externalAlarmId"] == opened.id
        assert str(alarm["id"]) == still.noc.id
    else:
        [ticket] = await network_tickets(noc_simulator)
        assert ticket["externalId"] == opened.id and ticket["id"] == still.noc.id
        assert ticket["description"].startswith("5 customers")
