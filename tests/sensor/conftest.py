"""Network sensor tests: diagnoses made the way the action server makes them, the session's throwaway Redis
(each test starts with no ``triage:`` key) and the real OSS/BSS simulator as the NOC."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from core.contracts.sensor import Diagnosis
from tests.fixtures.redis_server import RedisServer
from tests.fixtures.simulator import RunningSimulator

T0 = 1_750_000_000.0 - 1_750_000_000.0 % 86_400
"""A midnight (UTC)."""
_serial = itertools.count(1)


def diagnosis(at: float, node: str | None = "CAB-M1-01", area: str = "M1", **fields: Any) -> Diagnosis:
    """One broadband-down diagnosis whose line test failed at the network, from a new customer unless given."""
    n = next(_serial)
    values: dict[str, Any] = {
        "at": at,
        "conversation": f"conv-{n}",
        "customer": f"cust-{n}",
        "symptom": "broadband_down",
        "service_kind": "broadband",
        "area": area,
        "node": node,
        "finding": "network",
    }
    values.update(fields)
    return Diagnosis.model_validate(values)


async def sensor_alarms(simulator: RunningSimulator) -> list[dict[str, Any]]:
    """Every alarm the sensor raised in the simulator's TMF642, active or cleared."""
    async with httpx.AsyncClient(timeout=10) as http:
        url = f"{simulator.api_url('alarmManagement')}/alarm"
        response = await http.get(url, params={"probableCause": "customer-reported"})
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()
        return found


async def network_tickets(simulator: RunningSimulator) -> list[dict[str, Any]]:
    """Every network-incident ticket in the simulator's TMF621."""
    async with httpx.AsyncClient(timeout=10) as http:
        url = f"{simulator.api_url('troubleTicket')}/troubleTicket"
        response = await http.get(url, params={"ticketType": "networkIncident"})
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()
        return found


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client: Redis = Redis.from_url(redis_server.url)
    async for key in client.scan_iter(match="triage:*", count=1000):
        await client.delete(key)
    yield client
    await client.aclose()


@pytest.fixture
def noc_simulator(simulator: RunningSimulator) -> RunningSimulator:
    """The simulator with fresh seeded data: no alarm or ticket raised by an earlier test."""
    simulator.reset()
    return simulator
