"""The supervisor's API against the running product: who may use it, reassigning a live chat to another agent or
queue and taking it over (the customer and both consoles see it), exactly one winner when people act at once,
and clear errors for bad requests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.auth.roles import Role
from tests.fixtures.product import Product
from tests.handoff.staff import Staff, escalated_customer, make_staff

pytestmark = pytest.mark.e2e
NO_CASE = "CASE-000000000000"


def supervisor_paths(case_id: str) -> list[tuple[str, str, dict[str, object] | None]]:
    chat = f"/api/supervisor/chats/{case_id}"
    return [("GET", "/api/supervisor/live", None), ("GET", f"/api/supervisor/figures?from={time.time() - 3600}", None),
            ("GET", chat, None), ("GET", f"{chat}/history", None),
            ("POST", f"/api/supervisor/chats/{case_id}/reassign", {"expected_agent": "x1", "to_queue": "billing"}),
            ("POST", f"/api/supervisor/chats/{case_id}/take-over", {"expected_agent": "x1"})]  # fmt: skip


@pytest.fixture
async def team(product: Product) -> AsyncIterator[dict[str, Staff]]:
    """Two agents of the general queue on the live channel, the demo supervisor and an admin."""
    await make_staff(product.redis_url, "ria", Role.agent, ["general"])
    await make_staff(product.redis_url, "tom", Role.agent, ["general", "billing"])
    await make_staff(product.redis_url, "ada", Role.admin, [])
    people = {
        "ria": await (await Staff(product.gateway_url, "ria").login()).connect(),
        "tom": await (await Staff(product.gateway_url, "tom").login()).connect(),
        "sam": await Staff(product.gateway_url, "supervisor", "triage-demo").login(),
        "ada": await Staff(product.gateway_url, "ada").login(),
    }
    yield people
    for person in people.values():
        await person.close()


async def held_by(staff: Staff, product: Product, agent: Staff) -> tuple[str, object]:
    """A customer who asked for a person, accepted by ``agent``: (case id, the customer's open chat)."""
    chat, conversation_id = await escalated_customer(product.gateway_url)
    case = await agent.case_of(conversation_id)
    accepted = await agent.post(f"/api/agent/cases/{case['case_id']}/accept")
    assert accepted.status_code == 200, accepted.text
    return str(case["case_id"]), chat


async def test_only_supervisors_and_admins_reach_the_supervisor_api(product: Product, team: dict[str, Staff]) -> None:
    agent = await Staff(product.gateway_url, "agent", "triage-demo").login()
    owner = await Staff(product.gateway_url, "product_owner", "triage-demo").login()
    try:
        for method, path, body in supervisor_paths(NO_CASE):
            for refused in (agent, owner):
                response = await refused.http.request(method, path, json=body)
                assert response.status_code == 403, (refused.name, path, response.text)
                assert "needs the role supervisor" in response.json()["message"]
            async with httpx.AsyncClient(base_url=product.gateway_url) as anonymous:
                assert (await anonymous.request(method, path, json=body)).status_code == 401
            for allowed in (team["sam"], team["ada"]):
                response = await allowed.http.request(method, path, json=body)
                assert response.status_code in (200, 404), (allowed.name, path, response.text)
        assert (await team["ada"].get("/api/supervisor/live")).json()["v"] == 1
    finally:
        await agent.http.aclose()
        await owner.http.aclose()


async def test_a_supervisor_sees_a_held_chat_reads_it_and_reassigns_it(
    product: Product, team: dict[str, Staff]
) -> None:
    ria, tom, sam = team["ria"], team["tom"], team["sam"]
    case_id, chat = await held_by(sam, product, ria)
    try:
        live = (await sam.get("/api/supervisor/live")).json()
        held = next(c for c in live["chats"] if c["case_id"] == case_id)
        assert held["agent"] == "ria" and held["wait_s"] >= 0 and held["handle_s"] >= 0
        assert any(a["name"] == "tom" and a["available"] for a in live["agents"])
        read = (await sam.get(f"/api/supervisor/chats/{case_id}")).json()
        assert read["case"]["agent"] == "ria" and read["holder_display_name"] == "Ria"
        history = (await sam.get(f"/api/supervisor/chats/{case_id}/history")).json()
        assert any(e.get("text") == "I want to talk to a person" for e in history["entries"])

        to_tom = {"expected_agent": "ria", "to_agent": "tom", "note": "Tom knows this customer"}
        moved = await sam.post(f"/api/supervisor/chats/{case_id}/reassign", to_tom)
        assert moved.status_code == 200, moved.text
        assert moved.json()["case"]["agent"] == "tom"
        await chat.wait_for("handoff", type="agent_joined", agent_name="Tom")  # type: ignore[attr-defined]
        await tom.wait_frame(lambda f: f.get("event") == "accepted" and f.get("agent") == "tom", "the chat arriving")
        left = await ria.wait_frame(lambda f: f.get("reassigned_from") == "ria", "the chat leaving")
        # Display names beside the logins, so a console says "Sam reassigned this chat to Tom".
        assert (left["by"], left["by_name"], left["agent_name"]) == ("supervisor", "Sam", "Tom")
        assert (await ria.get("/api/agent/queue")).json()["mine"] == []
        now_held = next(c for c in (await sam.get("/api/supervisor/live")).json()["chats"] if c["case_id"] == case_id)
        assert now_held["agent"] == "tom" and now_held["wait_s"] == held["wait_s"]  # a reassignment is no wait
        assert [c["case_id"] for c in (await tom.get("/api/agent/queue")).json()["mine"]] == [case_id]
        notes = (await tom.get(f"/api/agent/cases/{case_id}")).json()["case"]["notes"]
        assert notes[-1]["by"] == "supervisor" and notes[-1]["by_name"] == "Sam"
        assert "reassigned the chat to Tom (tom) from Ria (ria). Note: Tom knows this customer" in notes[-1]["text"]
        assert (await tom.say(case_id, "Hi, Tom here"))["duplicate"] is False  # the new holder chats on

        # Ria's old view is stale: moving "her" chat again is refused, saying where it is now.
        stale = await sam.post(f"/api/supervisor/chats/{case_id}/take-over", {"expected_agent": "ria"})
        assert stale.status_code == 409 and stale.json()["error"] == "moved_on"
        assert "now with Tom" in stale.json()["message"]

        # To another queue: the customer waits there, nobody holds it.
        queued = await sam.post(
            f"/api/supervisor/chats/{case_id}/reassign", {"expected_agent": "tom", "to_queue": "billing"}
        )
        assert queued.status_code == 200, queued.text
        assert queued.json()["case"]["status"] == "waiting" and queued.json()["case"]["queue"] == "billing"
        await chat.wait_for("handoff", type="queued")  # type: ignore[attr-defined]
        out = await tom.wait_frame(lambda f: f.get("event") == "transferred_out" and f.get("agent") == "tom", "moved")
        assert (out["by_name"], out["to_queue"], out["agent_name"]) == ("Sam", "billing", "Tom")
        live = (await sam.get("/api/supervisor/live")).json()
        assert all(c["case_id"] != case_id for c in live["chats"])
        assert [c["queue"] for c in live["waiting"] if c["case_id"] == case_id] == ["billing"]
        assert (await tom.get("/api/agent/queue")).json()["mine"] == []

        # The figures of the last hour count Ria's answer and the holds of Ria and Tom.
        figures = (await sam.get("/api/supervisor/figures", **{"from": time.time() - 3600})).json()
        agents = {a["agent"]: a for a in figures["agents"]}
        assert agents["ria"]["answered"] >= 1 and agents["ria"]["handle"]["n"] >= 1
        assert agents["tom"]["handle"]["n"] >= 1 and agents["tom"]["first_reply"]["n"] >= 1
        assert agents["tom"]["display_name"] == "Tom"
        general = next(q for q in figures["queues"] if q["queue"] == "general")
        assert general["offered"] >= general["answered"] >= 1
    finally:
        await chat.__aexit__()  # type: ignore[attr-defined]


async def test_two_supervisors_and_the_agent_acting_at_once_leave_one_winner(
    product: Product, team: dict[str, Staff]
) -> None:
    ria, tom, sam, ada = team["ria"], team["tom"], team["sam"], team["ada"]
    case_id, chat = await held_by(sam, product, ria)
    try:
        take = sam.post(f"/api/supervisor/chats/{case_id}/take-over", {"expected_agent": "ria"})
        give = ada.post(f"/api/supervisor/chats/{case_id}/reassign", {"expected_agent": "ria", "to_agent": "tom"})
        end = ria.post(f"/api/agent/cases/{case_id}/end",
                       {"resolution": "resolved", "root_cause": "other", "bot_could_handle": False})  # fmt: skip
        results = await asyncio.gather(take, give, end)
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409, 409], [r.text for r in results]
        losers = [r.json() for r in results if r.status_code == 409]
        assert all(body["error"] in ("moved_on", "not_your_chat") for body in losers)
        state = (await sam.get(f"/api/supervisor/chats/{case_id}")).json()["case"]
        winner = results.index(next(r for r in results if r.status_code == 200))
        expected = [("accepted", "supervisor"), ("accepted", "tom"), ("closed", "ria")][winner]
        assert (state["status"], state["agent"]) == expected
        holders = [
            p
            for p in (ria, tom, sam)
            if case_id in [c["case_id"] for c in (await p.get("/api/agent/queue")).json()["mine"]]
        ]
        assert len(holders) == (0 if winner == 2 else 1)
    finally:
        await chat.__aexit__()  # type: ignore[attr-defined]


async def test_bad_requests_get_clear_errors_and_change_nothing(product: Product, team: dict[str, Staff]) -> None:
    ria, sam = team["ria"], team["sam"]
    case_id, chat = await held_by(sam, product, ria)
    path = f"/api/supervisor/chats/{case_id}/reassign"
    try:
        cases = [
            ({"expected_agent": "ria"}, "exactly one of to_agent and to_queue"),
            ({"expected_agent": "ria", "to_agent": "tom", "to_queue": "billing"}, "exactly one"),
            ({"expected_agent": "ria", "to_agent": "tom", "note": "x\u202eevil"}, "bidirectional"),
            ({"expected_agent": "ria", "to_agent": "tom", "note": "a" * 1001}, "note"),
            ({"expected_agent": "ria", "to_agent": "<script>"}, "to_agent"),
            ({"expected_agent": "ria", "to_queue": "nowhere"}, "to_queue"),
            ({"expected_agent": "ria", "to_agent": "tom", "surprise": 1}, "surprise"),
            ({"to_agent": "tom"}, "expected_agent"),
        ]
        for body, said in cases:
            response = await sam.post(path, body)
            assert response.status_code == 422, (body, response.text)
            assert said in response.json()["message"], (body, response.json())
        raw = await sam.http.post(
            path,
            content=b'{"expected_agent": "ria", "to_agent": "tom", "note": "\\ud800 broken"}',
            headers={"Content-Type": "application/json"},
        )
        assert raw.status_code == 422 and "broken characters" in raw.json()["message"]
        malformed = await sam.http.post(
            path, content=b'{"expected_agent": "ria", "to_agent": ', headers={"Content-Type": "application/json"}
        )
        assert malformed.status_code == 422 and malformed.json()["error"] == "invalid_request"
        big = await sam.http.post(
            path, content=b"{" + b" " * 20_000 + b"}", headers={"Content-Type": "application/json"}
        )
        assert big.status_code == 413
        nobody = await sam.post(path, {"expected_agent": "ria", "to_agent": "product_owner"})
        assert nobody.status_code == 422 and "no agent" in nobody.json()["message"]
        await make_staff(product.redis_url, "zoe", Role.agent, ["general"])  # never opened the console
        offline = await sam.post(path, {"expected_agent": "ria", "to_agent": "zoe"})
        assert offline.status_code == 409 and "not online" in offline.json()["message"]
        same = await sam.post(path, {"expected_agent": "ria", "to_queue": "general"})
        assert same.status_code == 422 and same.json()["error"] == "same_queue"
        missing = await sam.post(f"/api/supervisor/chats/{NO_CASE}/take-over", {"expected_agent": "ria"})
        assert missing.status_code == 404
        case = (await sam.get(f"/api/supervisor/chats/{case_id}")).json()["case"]
        assert (case["status"], case["agent"], case["notes"]) == ("accepted", "ria", [])
        old = await sam.get("/api/supervisor/figures", **{"from": time.time() + 60})
        assert old.status_code == 422 and old.json()["error"] == "invalid_period"
    finally:
        await chat.__aexit__()  # type: ignore[attr-defined]
