"""The client under the simulator's injected faults: retries, timeouts, malformed bodies, the breaker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from core.oss import CallRecord, OssClient, OssConfig, OssUnavailable
from core.oss.models import TicketDraft
from simulator.app import SimulatorConfig, create_app
from tests.fixtures.simulator import RunningSimulator

CUSTOMERS = "customerManagement"
TICKETS = "troubleTicket"


@pytest.fixture(autouse=True)
def fresh_simulator(simulator: RunningSimulator) -> None:
    simulator.clear_faults()
    simulator.reset_requests()


async def test_latency_beyond_timeout_is_unavailable_after_retries(
    client: OssClient, simulator: RunningSimulator
) -> None:
    journal: list[CallRecord] = []
    with simulator.fault(CUSTOMERS, latency_ms=2000):
        started = time.perf_counter()
        with pytest.raises(OssUnavailable) as failed:
            await client.get_customer("CUST-000001", journal=journal)
        elapsed = time.perf_counter() - started
    assert failed.value.cause == "timeout"
    assert simulator.requests(CUSTOMERS) == {"GET": 3}
    assert 1.5 <= elapsed < 2.5
    assert (journal[0].outcome, journal[0].attempts, journal[0].status) == ("unavailable", 3, None)


async def test_hanging_api_times_out(client: OssClient, simulator: RunningSimulator) -> None:
    with simulator.fault(CUSTOMERS, "timeout"), pytest.raises(OssUnavailable, match="timeout"):
        await client.get_customer("CUST-000001")


async def test_5xx_on_a_read_is_retried_then_unavailable(client: OssClient, simulator: RunningSimulator) -> None:
    journal: list[CallRecord] = []
    with simulator.fault(CUSTOMERS, "error", status=503), pytest.raises(OssUnavailable) as failed:
        await client.get_customer("CUST-000001", journal=journal)
    assert failed.value.cause == "server_error"
    assert failed.value.status == 503
    assert simulator.requests(CUSTOMERS) == {"GET": 3}
    assert journal[0].status == 503


async def test_a_transient_5xx_is_absorbed_by_a_retry(client: OssClient, simulator: RunningSimulator) -> None:
    journal: list[CallRecord] = []
    simulator.set_fault(CUSTOMERS, "error", status=502, count=1)
    customer = await client.get_customer("CUST-000001", journal=journal)
    assert customer.id == "CUST-000001"
    assert (journal[0].outcome, journal[0].attempts) == ("ok", 2)
    assert simulator.requests(CUSTOMERS) == {"GET": 2}


async def test_post_is_never_retried(client: OssClient, simulator: RunningSimulator) -> None:
    draft = TicketDraft(customer_id="CUST-000004", description="Wi-Fi drops", severity="Minor")
    with simulator.fault(TICKETS, "error", status=503), pytest.raises(OssUnavailable):
        await client.create_ticket(draft)
    assert simulator.requests(TICKETS) == {"POST": 1}
    simulator.reset_requests()
    with simulator.fault("serviceTestManagement", "timeout"), pytest.raises(OssUnavailable, match="timeout"):
        await client.run_service_test("SVC-000002-1")
    assert simulator.requests("serviceTestManagement") == {"POST": 1}


@pytest.mark.parametrize("mode", ["malformed", "wrong_shape"])
async def test_malformed_bodies_are_a_domain_error(client: OssClient, simulator: RunningSimulator, mode: str) -> None:
    journal: list[CallRecord] = []
    with simulator.fault(CUSTOMERS, mode), simulator.fault("serviceInventory", mode):
        with pytest.raises(OssUnavailable) as one:
            await client.get_customer("CUST-000001", journal=journal)
        with pytest.raises(OssUnavailable) as many:
            await client.list_services("CUST-000001", journal=journal)
    assert one.value.cause == many.value.cause == "malformed"
    assert [(r.outcome, r.status, r.attempts) for r in journal] == [("unavailable", 200, 3)] * 2


async def test_breaker_opens_after_n_failures_then_recovers(
    make_client: Callable[..., OssClient], simulator: RunningSimulator
) -> None:
    client = make_client(retries=0, breaker_failures=3, breaker_reset_s=0.4)
    with simulator.fault(CUSTOMERS, "error"):
        for _ in range(3):
            with pytest.raises(OssUnavailable, match="server_error"):
                await client.get_customer("CUST-000001")
        assert client.breaker_state(CUSTOMERS) == "open"
        journal: list[CallRecord] = []
        with pytest.raises(OssUnavailable) as fast:
            await client.get_customer("CUST-000001", journal=journal)
        assert fast.value.cause == "circuit_open"
        assert journal[0].latency_ms < 50 and journal[0].attempts == 0
        assert simulator.requests(CUSTOMERS) == {"GET": 3}
        assert await client.list_services("CUST-000001"), "other APIs keep working"
        await asyncio.sleep(0.45)
        assert client.breaker_state(CUSTOMERS) == "half_open"
        with pytest.raises(OssUnavailable, match="server_error"):
            await client.get_customer("CUST-000001")
        assert client.breaker_state(CUSTOMERS) == "open", "a failed trial opens it again"
    await asyncio.sleep(0.45)
    assert (await client.get_customer("CUST-000001")).id == "CUST-000001"
    assert client.breaker_state(CUSTOMERS) == "closed"
    assert simulator.requests(CUSTOMERS) == {"GET": 5}, "three failures, one failed trial, one good trial"


async def test_an_unexpected_status_is_a_domain_error(client: OssClient, simulator: RunningSimulator) -> None:
    """The simulator redirects ``/customer/`` (no id) with a 307; the client does not follow or crash."""
    journal: list[CallRecord] = []
    with pytest.raises(OssUnavailable) as failed:
        await client.get_customer("", journal=journal)
    assert (failed.value.cause, failed.value.status) == ("unexpected_status", 307)
    assert simulator.requests(CUSTOMERS) == {"GET": 1}, "not retried"


async def test_refused_credentials_are_unavailable_and_not_retried() -> None:
    """The real simulator app with a token, in process: the wrong token is a configuration problem."""
    app = create_app(SimulatorConfig(token="right", anchor=datetime(2025, 6, 1, tzinfo=UTC)))
    base = "http://simulator/tmf-api"
    wrong = OssClient(OssConfig(base_url=base, token="wrong"), transport=httpx.ASGITransport(app=app))
    right = OssClient(OssConfig(base_url=base, token="right"), transport=httpx.ASGITransport(app=app))
    journal: list[CallRecord] = []
    try:
        with pytest.raises(OssUnavailable) as failed:
            await wrong.get_customer("CUST-000001", journal=journal)
        assert (failed.value.cause, failed.value.status, journal[0].attempts) == ("unauthorized", 401, 1)
        assert (await right.get_customer("CUST-000001")).name == "Aisha Khan"
    finally:
        await wrong.aclose()
        await right.aclose()
