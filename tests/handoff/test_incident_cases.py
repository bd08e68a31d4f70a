"""Agents see the suspected network incident a case belongs to, whether the bot told the customer about it or
the case was queued before the sensor noticed the surge; the console's header and the supervisor's view list
the open incidents with their size. Over the real gateway (``create_app`` with its lifespan) and Redis."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.app import create_app
from core.contracts.sensor import NocReference
from core.settings import Settings
from tests.auth.conftest import clear_auth
from tests.fixtures.ports import free_port
from tests.fixtures.redis_server import RedisServer
from tests.handoff.sensor_board import XSS_EVIDENCE, clear_sensor, new_incident, queue_case, write_incident

PASSWORD = "triage-demo"
ON_CAB = {"symptom": "broadband_down", "node": "CAB-M1-01", "area": "M1", "finding": "network"}


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client: Redis = Redis.from_url(redis_server.url)
    await clear_sensor(client)
    await clear_auth(client)
    yield client
    await clear_sensor(client)
    await client.aclose()


@pytest.fixture
async def app(redis_server: RedisServer, redis: Redis) -> AsyncIterator[FastAPI]:
    settings = Settings(
        redis_url=redis_server.url,
        rasa_url=f"http://127.0.0.1:{free_port()}",  # nobody chats here: the cases are queued directly
        accounts_demo_password=SecretStr(PASSWORD),
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def staff(app: FastAPI, name: str | None) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test")
    if name:
        response = await client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
        assert response.status_code == 200, response.text
    return client


async def case_incident(client: httpx.AsyncClient, case_id: str) -> dict[str, Any] | None:
    response = await client.get(f"/api/agent/cases/{case_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] | None = response.json()["incident"]
    return found


async def listed_incident(client: httpx.AsyncClient, case_id: str) -> str | None:
    queue = (await client.get("/api/agent/queue")).json()
    item = next(c for c in [*queue["waiting"], *queue["parked"]] if c["case_id"] == case_id)
    assert "sensor" not in item  # the findings the lists are matched on stay on the server
    return item["incident"]  # type: ignore[no-any-return]


async def test_a_case_queued_before_detection_shows_the_incident_once_it_opens(app: FastAPI, redis: Redis) -> None:
    agent = await staff(app, "agent")
    early = await queue_case(redis, ON_CAB)
    elsewhere = await queue_case(redis, {**ON_CAB, "node": "CAB-M2-07", "area": "M2"}, name="Bob")
    explained = await queue_case(redis, {**ON_CAB, "alarm": "ALM-77"}, name="Cy")  # a known alarm explained it
    assert await case_incident(agent, early.case_id) is None
    assert (await agent.get("/api/agent/incidents")).json()["incidents"] == []

    incident = await write_incident(redis, new_incident(evidence=XSS_EVIDENCE), told=2)
    shown = await case_incident(agent, early.case_id)
    assert shown is not None
    assert shown["id"] == incident.id and shown["evidence"] == XSS_EVIDENCE and shown["state"] == "open"
    assert shown["customers"] == 3 and shown["contacts"] == 4 and shown["told"] == 2
    assert shown["noc"] == {"kind": "alarm", "id": "ALM-9001"}
    assert shown["symptom_text"] == "broadband down" and shown["target"] == "CAB-M1-01"
    assert await listed_incident(agent, early.case_id) == incident.id
    assert await case_incident(agent, elsewhere.case_id) is None
    assert await listed_incident(agent, elsewhere.case_id) is None
    assert await case_incident(agent, explained.case_id) is None
    await agent.aclose()


async def test_a_case_on_the_node_whose_bot_found_no_network_fault_is_not_counted_in(
    app: FastAPI, redis: Redis
) -> None:
    """Sharing the cabinet is not enough: the bot tested the line and found it fine or the fault in the home, or
    recorded no finding at all; telling the agent it is the network would send them the wrong way."""
    agent = await staff(app, "agent")
    incident = await write_incident(redis, new_incident())
    no_finding = {k: v for k, v in ON_CAB.items() if k != "finding"}
    passed = await queue_case(redis, {**ON_CAB, "finding": "pass"}, name="Gus")
    home = await queue_case(redis, {**ON_CAB, "finding": "homeWiring"}, name="Hal")
    unknown = await queue_case(redis, no_finding, name="Ida")
    network = await queue_case(redis, ON_CAB, name="Jo")
    told = await queue_case(redis, {**no_finding, "incident": incident.id}, name="Kim")
    for case in (passed, home, unknown):
        assert await case_incident(agent, case.case_id) is None, case.findings
        assert await listed_incident(agent, case.case_id) is None, case.findings
    for case in (network, told):  # a network finding, or the bot told the customer about this incident
        assert (await case_incident(agent, case.case_id) or {}).get("id") == incident.id, case.findings
        assert await listed_incident(agent, case.case_id) == incident.id, case.findings
    await agent.aclose()


async def test_an_area_incident_covers_every_cabinet_of_the_area_and_a_bill_line_its_accounts(
    app: FastAPI, redis: Redis
) -> None:
    agent = await staff(app, "agent")
    other_cabinet = await queue_case(redis, {**ON_CAB, "node": "CAB-M1-09"})
    area = await write_incident(redis, new_incident(key="area:M1:broadband_down", scope="area", target="M1"))
    assert (await case_incident(agent, other_cabinet.case_id) or {}).get("id") == area.id

    roaming = {"symptom": "bill_increase", "bill_line": "Roaming charge", "finding": "newCharge"}
    billed = await queue_case(redis, roaming, name="Dee")
    bill = await write_incident(
        redis,
        new_incident(key="bill_line:Roaming charge:bill_increase", scope="bill_line", target="Roaming charge",
                     area=None, symptom="bill_increase", services=[], noc=None),
    )  # fmt: skip
    shown = await case_incident(agent, billed.case_id)
    assert shown is not None and shown["id"] == bill.id and shown["noc"] is None
    assert shown["symptom_text"] == "bill increase"
    await agent.aclose()


async def test_a_case_the_bot_told_keeps_its_incident_after_it_clears(app: FastAPI, redis: Redis) -> None:
    agent = await staff(app, "agent")
    incident = await write_incident(redis, new_incident())
    told = await queue_case(redis, {**ON_CAB, "incident": incident.id}, name="Eve")
    assert (await case_incident(agent, told.case_id) or {}).get("state") == "open"

    now = time.time()
    cleared = incident.model_copy(update={"state": "cleared", "cleared_at": now, "cleared_reason": "quiet"})
    await write_incident(redis, cleared)
    shown = await case_incident(agent, told.case_id)
    assert shown is not None and shown["state"] == "cleared" and shown["cleared_reason"] == "quiet"
    assert (await agent.get("/api/agent/incidents")).json()["incidents"] == []  # no longer open
    assert await listed_incident(agent, told.case_id) is None
    # A case that only shares the node no longer belongs to anything.
    later = await queue_case(redis, ON_CAB, name="Fay")
    assert await case_incident(agent, later.case_id) is None
    await agent.aclose()


async def test_staff_list_open_incidents_largest_first_without_pseudonyms(app: FastAPI, redis: Redis) -> None:
    small = await write_incident(redis, new_incident(contacts=5))
    large = await write_incident(
        redis,
        new_incident(key="node:CELL-M1-02:mobile_no_service", target="CELL-M1-02", symptom="mobile_no_service",
                     services=["mobile"], contacts=12, customers=[f"c-{n}" for n in range(11)],
                     noc=NocReference(kind="ticket", id="TT-100200", raised_at=1.0, updated_at=2.0)),
    )  # fmt: skip
    await write_incident(
        redis,
        new_incident(key="node:CAB-M9-01:broadband_down", target="CAB-M9-01", state="cleared",
                     cleared_at=time.time(), cleared_reason="real_alarm"),
    )  # fmt: skip
    for name in ("agent", "supervisor"):
        client = await staff(app, name)
        body = (await client.get("/api/agent/incidents")).json()
        assert [i["id"] for i in body["incidents"]] == [large.id, small.id]
        first = body["incidents"][0]
        assert first["customers"] == 11 and first["noc"] == {"kind": "ticket", "id": "TT-100200"}
        assert first["symptom_text"] == "no mobile service"
        assert "c-1" not in str(body)  # sizes only: no customer's pseudonym reaches a staff page
        one = await client.get(f"/api/agent/incidents/{small.id}")
        assert one.status_code == 200 and one.json()["incident"]["contacts"] == 5
        await client.aclose()


async def test_unknown_or_malformed_incidents_and_other_roles_get_clear_errors(app: FastAPI, redis: Redis) -> None:
    agent = await staff(app, "agent")
    unknown = await agent.get("/api/agent/incidents/INC-00000000")
    assert unknown.status_code == 404 and unknown.json()["error"] == "incident_not_found"
    assert "INC-00000000" in unknown.json()["message"]
    assert (await agent.get("/api/agent/incidents/INC-nothex!")).status_code == 422
    await agent.aclose()
    product_owner = await staff(app, "product_owner")
    refused = await product_owner.get("/api/agent/incidents")
    assert refused.status_code == 403 and "agent or supervisor" in refused.json()["message"]
    await product_owner.aclose()
    nobody = await staff(app, None)
    assert (await nobody.get("/api/agent/incidents")).status_code == 401
    await nobody.aclose()
