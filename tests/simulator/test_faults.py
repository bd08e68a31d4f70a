"""Fault injection and the admin API, seen from a plain HTTP client."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from simulator.app import SimulatorConfig, create_app
from simulator.faults import MALFORMED_BODY, FaultSpec, parse_fault_option
from tests.fixtures.simulator import RunningSimulator

CUSTOMER = "/customerManagement/v4/customer/CUST-000001"
ALARMS = "/alarmManagement/v4/alarm"


@pytest.fixture
def http(simulator: RunningSimulator) -> Iterator[httpx.Client]:
    simulator.reset()
    with httpx.Client(base_url=simulator.root_url, timeout=10) as client:
        yield client


def test_latency_delays_only_that_api(simulator: RunningSimulator, http: httpx.Client) -> None:
    with simulator.fault("customerManagement", latency_ms=300):
        started = time.perf_counter()
        assert http.get(CUSTOMER).status_code == 200
        assert time.perf_counter() - started >= 0.3
        started = time.perf_counter()
        assert http.get(ALARMS).status_code == 200
        assert time.perf_counter() - started < 0.3


def test_error_mode_answers_the_status_with_a_tmf_body(simulator: RunningSimulator, http: httpx.Client) -> None:
    with simulator.fault("customerManagement", "error", status=502):
        response = http.get(CUSTOMER)
    assert response.status_code == 502
    assert response.json()["code"] == "INJECTED_FAULT"
    assert http.get(CUSTOMER).status_code == 200


def test_counted_fault_clears_itself(simulator: RunningSimulator, http: httpx.Client) -> None:
    simulator.set_fault("customerManagement", "error", count=2)
    statuses = [http.get(CUSTOMER).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert simulator.admin("GET", "/faults").json() == {}
    assert simulator.requests("customerManagement") == {"GET": 3}


def test_malformed_and_wrong_shape_bodies(simulator: RunningSimulator, http: httpx.Client) -> None:
    with simulator.fault("customerManagement", "malformed"):
        response = http.get(CUSTOMER)
    assert response.status_code == 200
    assert response.content == MALFORMED_BODY
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
        response.json()
    with simulator.fault("customerManagement", "wrong_shape"):
        assert "id" not in http.get(CUSTOMER).json()


def test_timeout_mode_hangs_until_the_caller_gives_up(simulator: RunningSimulator, http: httpx.Client) -> None:
    with simulator.fault("customerManagement", "timeout", hang_s=20):
        started = time.perf_counter()
        with pytest.raises(httpx.ReadTimeout):
            http.get(CUSTOMER, timeout=0.3)
        assert time.perf_counter() - started < 2
        assert http.get(ALARMS).status_code == 200


def test_timeout_mode_answers_504_after_hang_s(simulator: RunningSimulator, http: httpx.Client) -> None:
    with simulator.fault("customerManagement", "timeout", hang_s=0.2):
        assert http.get(CUSTOMER).status_code == 504


@pytest.mark.parametrize(
    ("api", "body", "status"),
    [
        ("customerManagement", {"mode": "explode"}, 400),
        ("customerManagement", {"mode": "error", "status": 404}, 400),
        ("customerManagement", {"latency_ms": -1}, 400),
        ("customerManagement", {"mode": "error", "colour": "red"}, 400),
        ("nonsenseManagement", {"mode": "error"}, 404),
    ],
)
def test_admin_refuses_bad_fault_specs(
    simulator: RunningSimulator, api: str, body: dict[str, object], status: int
) -> None:
    response = httpx.put(f"{simulator.url}/admin/faults/{api}", json=body, timeout=5)
    assert response.status_code == status
    assert response.json()["status"] == str(status)


def test_reset_restores_the_seeded_data(simulator: RunningSimulator, http: httpx.Client) -> None:
    body = {"description": "x", "severity": "Minor", "ticketType": "incident",
            "relatedParty": [{"id": "CUST-000004", "@referredType": "Customer"}]}  # fmt: skip
    created = http.post("/troubleTicket/v4/troubleTicket", json=body).json()
    assert http.get(f"/troubleTicket/v4/troubleTicket/{created['id']}").status_code == 200
    simulator.reset()
    assert http.get(f"/troubleTicket/v4/troubleTicket/{created['id']}").status_code == 404
    assert simulator.requests("troubleTicket") == {"GET": 1}


def test_healthz_and_scenarios(simulator: RunningSimulator) -> None:
    health = httpx.get(f"{simulator.url}/healthz", timeout=5).json()
    assert health["status"] == "ok"
    assert health["customers"] >= 200
    scenarios = httpx.get(f"{simulator.url}/admin/scenarios", timeout=5).json()
    assert scenarios[0]["customer_id"] == "CUST-000001"


async def test_bearer_token_is_required_when_configured() -> None:
    app = create_app(SimulatorConfig(token="s3cret", anchor=datetime(2025, 6, 1, tzinfo=UTC)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim/tmf-api") as client:
        refused = await client.get(CUSTOMER)
        wrong = await client.get(CUSTOMER, headers={"Authorization": "Bearer nope"})
        allowed = await client.get(CUSTOMER, headers={"Authorization": "Bearer s3cret"})
    assert refused.status_code == wrong.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert allowed.status_code == 200


async def test_the_admin_api_needs_its_own_token_not_the_tmf_one() -> None:
    anchor = datetime(2025, 6, 1, tzinfo=UTC)
    config = SimulatorConfig(token="tmf-s3cret", admin_token="admin-s3cret", anchor=anchor)
    transport = httpx.ASGITransport(app=create_app(config))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        for path in ("/admin/scenarios", "/admin/requests"):
            assert (await client.get(path)).status_code == 401
            assert (await client.get(path, headers={"Authorization": "Bearer tmf-s3cret"})).status_code == 401
        fault = await client.put("/admin/faults/customerManagement", json={"mode": "error", "status": 503},
                                 headers={"Authorization": "Bearer tmf-s3cret"})  # fmt: skip
        assert fault.status_code == 401
        tmf = await client.get("/tmf-api" + CUSTOMER, headers={"Authorization": "Bearer tmf-s3cret"})
        assert tmf.status_code == 200, "the refused fault was not set"
        allowed = await client.get("/admin/scenarios", headers={"Authorization": "Bearer admin-s3cret"})
        assert allowed.status_code == 200


@pytest.mark.parametrize(
    ("extra", "refusal"),
    [
        ({}, "or set TRIAGE_SIMULATOR_IN_PRODUCTION=true for a demonstration"),
        ({"TRIAGE_SIMULATOR_IN_PRODUCTION": "true"}, "own token in production: set TRIAGE_SIMULATOR_ADMIN_TOKEN"),
        (
            {"TRIAGE_SIMULATOR_IN_PRODUCTION": "true", "TRIAGE_SIMULATOR_ADMIN_TOKEN": "change-me-please-now"},
            "production needs real secrets: TRIAGE_SIMULATOR_ADMIN_TOKEN is a placeholder from an example file",
        ),
    ],
)
def test_production_runs_the_simulator_only_when_asked_and_never_with_an_open_admin_api(
    extra: dict[str, str], refusal: str
) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRIAGE_")}
    env.update(TRIAGE_ENV="production", **extra)
    run = subprocess.run(
        [sys.executable, "-m", "simulator", "--port", "1"], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert refusal in run.stderr


def test_fault_options_from_the_command_line() -> None:
    assert parse_fault_option("paymentManagement=error:502") == (
        "paymentManagement",
        FaultSpec(mode="error", status=502),
    )
    assert parse_fault_option("alarmManagement=latency:250")[1].latency_ms == 250
    assert parse_fault_option("troubleTicket=timeout")[1].mode == "timeout"
    for bad in ("nowhere=error", "troubleTicket=explode", "troubleTicket=timeout:5"):
        with pytest.raises(ValueError, match=r"unknown API|bad fault"):
            parse_fault_option(bad)
