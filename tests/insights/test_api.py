"""Who may read the insights, input validation, paging, dispositions, deletion and the backlog watch."""

from __future__ import annotations

import time

import httpx
import pytest

from bot.handoff import keys as handoff_keys
from tests.insights.conftest import DAY, Seeder
from tests.insights.test_themes import ROAMING, seed_world, theme_with


@pytest.mark.parametrize(
    "path",
    [
        "/api/insights/themes",
        "/api/insights/volume",
        "/api/insights/records",
        "/api/insights/backlog",
        "/api/insights/export/records.csv",
    ],
)
async def test_only_product_owners_read_insights(
    path: str, anonymous: httpx.AsyncClient, agent: httpx.AsyncClient, po: httpx.AsyncClient
) -> None:
    assert (await anonymous.get(path)).status_code == 401
    forbidden = await agent.get(path)
    assert forbidden.status_code == 403 and forbidden.json()["error"] == "forbidden"
    assert (await po.get(path)).status_code == 200


@pytest.mark.parametrize(
    ("params", "status", "error"),
    [
        ({"from": "2025-02-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"}, 400, "invalid_window"),
        ({"from": "2020-01-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"}, 400, "invalid_window"),
        ({"to": "1612-04-09T12:17:06Z"}, 400, "invalid_window"),  # before 1970: was a 500
        ({"from": "yesterday"}, 422, "invalid_request"),
        ({"trigger": "shouting"}, 422, "invalid_request"),
        ({"page_size": "0"}, 422, "invalid_request"),
        ({"page_size": "501"}, 422, "invalid_request"),
        ({"finding": "favourite_colour"}, 400, "invalid_finding"),
        ({"finding": "alarm;drop"}, 422, "invalid_request"),
        ({"flow": "x" * 65}, 422, "invalid_request"),
        ({"after": "not-an-id"}, 422, "invalid_request"),
    ],
)
async def test_bad_input_gets_a_clear_4xx(
    po: httpx.AsyncClient, params: dict[str, str], status: int, error: str
) -> None:
    response = await po.get("/api/insights/records", params=params)
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["message"]


async def test_records_page_with_a_cursor(po: httpx.AsyncClient, seeder: Seeder) -> None:
    for i in range(5):
        await seeder.conversation([f"strange request number {i}"], at=time.time() - DAY + i)
    first = (await po.get("/api/insights/records", params={"page_size": 3})).json()
    assert len(first["records"]) == 3 and first["next"]
    second = (await po.get("/api/insights/records", params={"page_size": 3, "after": first["next"]})).json()
    assert [r["utterance"] for r in first["records"] + second["records"]] == [
        f"strange request number {i}" for i in range(5)
    ]
    assert second["next"] is None


async def hold_case(seeder: Seeder, conversation_id: str, agent: str) -> None:
    """As the handoff leaves it: the conversation's latest case, held (or last held) by ``agent``."""
    await seeder.redis.set(handoff_keys.conversation(conversation_id), "CASE-0000000000AB")
    await seeder.redis.hset(handoff_keys.state("CASE-0000000000AB"), mapping={"status": "ended", "agent": agent})


async def test_agents_record_dispositions_attached_to_the_conversation(
    agent: httpx.AsyncClient, po: httpx.AsyncClient, seeder: Seeder
) -> None:
    cid = await seeder.conversation(["my router is on fire"], escalation="bot_cannot_finish")
    body = {"conversation_id": cid, "bot_could_handle": True, "root_cause": "bot_flow_missing", "resolved": True}
    assert (await po.post("/api/learning/dispositions", json=body)).status_code == 403, "agents' business"
    not_held = await agent.post("/api/learning/dispositions", json=body)
    assert not_held.status_code == 403 and not_held.json()["error"] == "not_your_case", "no case of theirs"
    await hold_case(seeder, cid, "someone-else")
    assert (await agent.post("/api/learning/dispositions", json=body)).status_code == 403, "another agent's chat"
    await hold_case(seeder, cid, "agent")
    response = await agent.post("/api/learning/dispositions", json=body)
    assert response.status_code == 201
    detail = (await po.get(f"/api/insights/conversations/{cid}")).json()
    assert detail["disposition"]["root_cause"] == "bot_flow_missing" and detail["disposition"]["by"] == "agent"
    assert [r["trigger"] for r in detail["records"]] == ["nlu_fallback", "escalation", "agent_disposition"]
    assert detail["records"][-1]["disposition"] == {
        "bot_could_handle": True,
        "root_cause": "bot_flow_missing",
        "resolved": True,
        "resolution": "resolved",
    }
    await hold_case(seeder, "no-such-thing", "agent")
    unknown = await agent.post("/api/learning/dispositions", json={**body, "conversation_id": "no-such-thing"})
    assert unknown.status_code == 404
    assert (await agent.post("/api/learning/dispositions", json={**body, "root_cause": "moon"})).status_code == 422


async def test_deletion_on_request_by_conversation_and_by_customer(po: httpx.AsyncClient, seeder: Seeder) -> None:
    one = await seeder.conversation(["esim not working"], customer="CUST-000042")
    await seeder.conversation(["esim still not working"], customer="CUST-000042")
    other = await seeder.conversation(["roaming charges"], customer="CUST-000043")
    response = await po.delete(f"/api/insights/conversations/{one}")
    assert response.json()["deleted"] == {"conversations": 1, "records": 1, "answers": 0}
    assert (await po.get(f"/api/insights/conversations/{one}")).status_code == 404
    lone_surrogate = b'{"customer_ref": "cust-\\ud800042"}'
    json_type = {"content-type": "application/json"}
    broken = await po.post("/api/insights/deletions", content=lone_surrogate, headers=json_type)
    assert broken.status_code == 422 and "broken character" in broken.json()["message"]
    by_customer = await po.post("/api/insights/deletions", json={"customer_ref": "cust-000042"})
    assert by_customer.json()["deleted"] == {"conversations": 1, "records": 1, "answers": 0}
    remaining = (await po.get("/api/insights/records")).json()["records"]
    assert [r["conversation_id"] for r in remaining] == [other]


async def test_a_fixed_backlog_item_is_reopened_when_its_theme_keeps_arriving(
    po: httpx.AsyncClient, seeder: Seeder
) -> None:
    await seed_world(seeder)
    roaming = theme_with((await po.get("/api/insights/themes")).json()["themes"], "roaming")
    created = await po.post("/api/insights/backlog", json={"theme_id": roaming["id"], "owner": "bss"})
    assert created.status_code == 201
    item = created.json()
    assert item["impact"] == {
        "contacts": 3,
        "customers": 3,
        "escalations": 2,
        "repeat_contacts": 0,
        "records": 7,
        "trend": "falling",
    }
    fixed = await po.patch(f"/api/insights/backlog/{item['id']}", json={"status": "fixed", "note": "tariff fixed"})
    assert fixed.json()["status"] == "fixed"
    assert (await po.post("/api/insights/backlog/watch")).json()["reopened"] == []

    for customer in ("CUST-20", "CUST-21", "CUST-22"):
        await seeder.conversation([ROAMING[0], "roaming charged again abroad"], customer=customer, at=time.time())
    assert (await po.post("/api/insights/backlog/watch")).json()["reopened"] == [item["id"]]
    reopened = (await po.get(f"/api/insights/backlog/{item['id']}")).json()
    assert reopened["status"] == "reopened"
    assert reopened["history"][-1]["note"] == "6 contacts from 3 customers since the fix"
    bad = await po.patch(f"/api/insights/backlog/{item['id']}", json={"status": "done"})
    assert bad.status_code == 422
    assert (await po.patch("/api/insights/backlog/BL-999", json={"status": "fixed"})).status_code == 404
