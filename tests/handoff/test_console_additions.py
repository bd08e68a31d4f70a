"""The console's additions of issue #17 through the running product's API: a disposition with every hand-back,
a note with a transfer, canned replies kept by supervisors, and logging out giving chats back at once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.auth.roles import Role
from tests.fixtures.product import Product
from tests.handoff.staff import Staff, escalated_customer, make_staff

pytestmark = pytest.mark.e2e
ALL = ["technical", "billing", "orders", "sales", "retention", "moves", "general"]


@pytest.fixture
async def ada(product: Product) -> AsyncIterator[Staff]:
    await make_staff(product.redis_url, "ada", Role.agent, ALL)
    agent = await (await Staff(product.gateway_url, "ada").login()).connect()
    yield agent
    await agent.close()


@pytest.fixture
async def supervisor(product: Product) -> AsyncIterator[Staff]:
    person = await Staff(product.gateway_url, "supervisor", "triage-demo").login()
    yield person
    await person.close()


async def test_handing_back_records_the_disposition_in_the_case_and_for_product_owners(
    product: Product, ada: Staff
) -> None:
    chat, conversation_id = await escalated_customer(product.gateway_url)
    try:
        case = await ada.case_of(conversation_id)
        assert (await ada.post(f"/api/agent/cases/{case['case_id']}/accept")).status_code == 200
        half = await ada.post(f"/api/agent/cases/{case['case_id']}/hand-back", {"resolution": "resolved"})
        assert half.status_code == 422 and "root_cause" in half.json()["message"]
        body = {"resolution": "resolved", "root_cause": "bot_understanding", "bot_could_handle": True}
        response = await ada.post(f"/api/agent/cases/{case['case_id']}/hand-back", body)
        assert response.status_code == 200, response.text
        assert response.json()["learning"].get("disposition", {}).get("root_cause") == "bot_understanding", (
            response.text
        )
        await chat.wait_for("handoff", type="handed_back")
        detail = (await ada.get(f"/api/agent/cases/{case['case_id']}")).json()["case"]
        assert detail["status"] == "handed_back"
        assert detail["disposition"]["handed_back"] is True and detail["disposition"]["bot_could_handle"] is True
        owner = await Staff(product.gateway_url, "product_owner", "triage-demo").login()
        try:
            learned = (await owner.get(f"/api/insights/conversations/{conversation_id}")).json()
            assert learned["disposition"]["root_cause"] == "bot_understanding"
        finally:
            await owner.close()
        again = await ada.post(f"/api/agent/cases/{case['case_id']}/hand-back", body)
        assert again.status_code == 409  # not theirs any more: nothing recorded twice
    finally:
        await chat.__aexit__()


async def test_a_transfer_note_is_kept_in_the_case_for_the_next_agent(product: Product, ada: Staff) -> None:
    chat, conversation_id = await escalated_customer(product.gateway_url)
    try:
        case = await ada.case_of(conversation_id)
        path = f"/api/agent/cases/{case['case_id']}"
        assert (await ada.post(f"{path}/accept")).status_code == 200
        long = await ada.post(f"{path}/transfer", {"queue": "billing", "note": "x" * 1001})
        assert long.status_code == 422 and "note" in long.json()["message"]
        assert (await ada.get(path)).json()["case"]["status"] == "accepted"  # refused: nothing moved
        note = "Refund of £12.50 agreed <b>in principle</b>; needs a billing check"
        response = await ada.post(f"{path}/transfer", {"queue": "billing", "note": note})
        assert response.status_code == 200, response.text
        moved = (await ada.get(path)).json()["case"]
        kept = [n for n in moved["notes"] if n.get("transfer_to")]
        assert kept and kept[-1]["text"] == note and kept[-1]["by_name"] == "Ada"
        assert (kept[-1]["transfer_from"], kept[-1]["transfer_to"]) == ("general", "billing")
    finally:
        await chat.__aexit__()


async def test_signing_off_puts_held_chats_back_in_the_queue_and_tells_the_customer_at_once(
    product: Product, ada: Staff
) -> None:
    chat, conversation_id = await escalated_customer(product.gateway_url)
    try:
        case = await ada.case_of(conversation_id)
        assert (await ada.post(f"/api/agent/cases/{case['case_id']}/accept")).status_code == 200
        await chat.wait_for("handoff", type="agent_joined")
        mark = len(chat.events)
        response = await ada.post("/api/agent/sign-off")
        assert response.status_code == 200 and response.json()["released"] == [case["case_id"]]
        told = await chat.wait_for("handoff", mark, timeout=5, type="requeued")
        assert told["agent_name"] == "Ada"
        detail = (await ada.get(f"/api/agent/cases/{case['case_id']}")).json()["case"]
        assert detail["status"] == "waiting" and (await ada.get("/api/agent/queue")).json()["mine"] == []
        assert (await ada.post("/api/agent/sign-off")).json()["released"] == []
    finally:
        await chat.__aexit__()


async def test_supervisors_keep_canned_replies_per_queue_and_agents_read_them(
    product: Product, ada: Staff, supervisor: Staff
) -> None:
    base = "/api/supervisor/canned/moves"
    text = "When is <b>your</b> move?\nWe'll plan it."
    made = await supervisor.post(base, {"title": "  Moving date  ", "text": text})
    assert made.status_code == 201, made.text
    reply = made.json()["reply"]
    assert reply["title"] == "Moving date" and reply["text"] == text  # kept as text, trimmed
    listed = (await ada.get("/api/agent/canned/moves")).json()["replies"]
    assert [r["id"] for r in listed] == [reply["id"]]

    edited = await supervisor.http.put(f"{base}/{reply['id']}", json={"title": "Move date", "text": "When?"})
    assert edited.status_code == 200 and edited.json()["reply"]["title"] == "Move date"
    assert (await ada.get("/api/agent/canned/moves")).json()["replies"][0]["text"] == "When?"

    # Agents read, never write; another queue's replies are only for those who serve it.
    assert (await ada.post(base, {"title": "t", "text": "x"})).status_code == 403
    assert (await ada.http.delete(f"{base}/{reply['id']}")).status_code == 403
    await make_staff(product.redis_url, "bea", Role.agent, ["billing"])
    bea = await Staff(product.gateway_url, "bea").login()
    try:
        refused = await bea.get("/api/agent/canned/moves")
        assert refused.status_code == 403 and "moves" in refused.json()["message"]
    finally:
        await bea.close()
    async with httpx.AsyncClient(base_url=product.gateway_url) as nobody:
        assert (await nobody.post(base, json={"title": "t", "text": "x"})).status_code == 401
        assert (await nobody.get("/api/agent/canned/moves")).status_code == 401

    deleted = await supervisor.http.delete(f"{base}/{reply['id']}")
    assert deleted.status_code == 204
    assert (await supervisor.http.delete(f"{base}/{reply['id']}")).status_code == 404
    assert (await ada.get("/api/agent/canned/moves")).json()["replies"] == []


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"title": "x" * 61, "text": "fine"}, 422, "at most 60"),
        ({"title": "fine", "text": "x" * 2001}, 422, "at most 2000"),
        ({"title": "   ", "text": "fine"}, 422, "title is empty"),
        ({"title": "fine"}, 422, "text"),
        ({"title": "fine", "text": "ok", "extra": 1}, 422, "extra"),
        ({"title": "fine", "text": 5}, 422, "text"),
        ({"title": "Refund \u202egnp.exe", "text": "fine"}, 422, "text direction"),
        ('{"title": "fine", "text": "broken \\ud800 char"}', 422, "lone surrogate"),
    ],
)
async def test_a_bad_canned_reply_gets_a_sentence_and_changes_nothing(
    supervisor: Staff, body: dict[str, object] | str, status: int, says: str
) -> None:
    if isinstance(body, str):  # JSON allows what Python's encoder refuses to write: sent as the bytes typed
        headers = {"Content-Type": "application/json"}
        response = await supervisor.http.post("/api/supervisor/canned/sales", content=body.encode(), headers=headers)
    else:
        response = await supervisor.post("/api/supervisor/canned/sales", body)
    assert response.status_code == status and says in response.json()["message"], response.text
    assert (await supervisor.get("/api/supervisor/canned/sales")).json()["replies"] == []


async def test_a_queue_keeps_at_most_a_hundred_canned_replies(supervisor: Staff) -> None:
    base = "/api/supervisor/canned/retention"
    for i in range(100):
        assert (await supervisor.post(base, {"title": f"Reply {i:03}", "text": f"text {i}"})).status_code == 201
    full = await supervisor.post(base, {"title": "One more", "text": "x"})
    assert full.status_code == 409 and "delete one first" in full.json()["message"]
    replies = (await supervisor.get(base)).json()["replies"]
    assert len(replies) == 100 and replies[0]["title"] == "Reply 000"
    for reply in replies:
        await supervisor.http.delete(f"{base}/{reply['id']}")
    malformed = await supervisor.http.post(base, content=b"{not json", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 422
    big = await supervisor.post(base, {"title": "Too big", "text": "x" * 20_000})
    assert big.status_code == 413 and "at most" in big.json()["message"]
