"""A warm handoff through the running product: a customer on the web chat channel, agents at the console API.

The product runs once per session (real Rasa with this checkout's model, actions, the OSS/BSS simulator,
Redis); agents are created in its Redis and chat through the same API and live channel the console uses.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.auth.roles import Role
from simulator.scenarios import BY_KEY
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat, texts
from tests.handoff.staff import Staff, escalated_customer, http, make_staff

pytestmark = pytest.mark.e2e
ALL = ["technical", "billing", "orders", "sales", "retention", "moves", "general"]


@pytest.fixture
async def dana(product: Product) -> AsyncIterator[Staff]:
    await make_staff(product.redis_url, "dana", Role.agent, ALL)
    agent = await (await Staff(product.gateway_url, "dana").login()).connect()
    yield agent
    await agent.close()


@pytest.fixture
async def sam(product: Product) -> AsyncIterator[Staff]:
    await make_staff(product.redis_url, "sam", Role.agent, ALL)
    agent = await (await Staff(product.gateway_url, "sam").login()).connect()
    yield agent
    await agent.close()


async def rasa_events(
    product: Product, conversation_id: str, wanted: int, timeout_s: float = 20
) -> list[dict[str, Any]]:
    """The tracker's events once at least ``wanted`` relayed ones (user or bot, marked as such) are recorded."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    async with httpx.AsyncClient(timeout=30) as http:
        while True:
            tracker = (await http.get(f"{product.rasa_url}/conversations/{conversation_id}/tracker")).json()
            events: list[dict[str, Any]] = tracker["events"]
            relayed = [
                e for e in events if (e.get("metadata") or {}).get("held_by") or (e.get("metadata") or {}).get("agent")
            ]
            if len(relayed) >= wanted or asyncio.get_running_loop().time() > deadline:
                return events
            await asyncio.sleep(0.3)


async def test_asking_for_a_person_queues_a_case_the_console_sees_and_tells_the_customer_their_place(
    product: Product, dana: Staff
) -> None:
    chat, conversation_id = await escalated_customer(product.gateway_url, "I want to talk to a real person please")
    try:
        handoff = [u for u in chat.uttered() if isinstance(u.get("custom"), dict) and "handoff" in u["custom"]]
        assert handoff and handoff[0]["custom"]["handoff"]["reason"] == "customer_request"
        queued = await chat.wait_for("handoff", type="queued")
        assert queued["position"] >= 1 and queued["wait_s"] > 0

        frame = await dana.wait_frame(
            lambda f: f.get("type") == "case" and f["case"].get("conversation_id") == conversation_id, "case frame"
        )
        assert frame["event"] == "queued" and frame["queue"] == "general"
        case = await dana.case_of(conversation_id)
        assert case["v"] == 2 and case["reason"] == "customer_request" and case["status"] == "waiting"
        assert case["understanding"]["top_intent"] == "request_human" and case["understanding"]["confidence"] > 0.5
        customer_turns = [t for t in case["transcript"] if t["speaker"] == "customer"]
        assert customer_turns[-1]["text"] == "I want to talk to a real person please"
        assert customer_turns[-1]["sentiment"] is not None and customer_turns[-1]["seq"] >= 1
        assert any(t["speaker"] == "bot" and "passing you to a person" in t["text"] for t in case["transcript"])

        # While waiting, the bot no longer answers; the message still reaches Rasa's tracker, as an event.
        mark = len(chat.events)
        ack = await chat.send("hello? is anyone there")
        assert "error" not in ack
        await asyncio.sleep(2)
        assert chat.uttered(mark) == [] and ("typing", {"v": 1, "who": "bot", "typing": True}) not in chat.events[mark:]
        events = await rasa_events(product, conversation_id, 1)
        user_texts = [e["text"] for e in events if e["event"] == "user"]
        assert user_texts[-1] == "hello? is anyone there"
        assert events[-1]["event"] == "user"  # recorded, never predicted on
    finally:
        await chat.__aexit__()


async def test_two_agents_accepting_at_once_one_wins_the_other_is_told(
    product: Product, dana: Staff, sam: Staff
) -> None:
    chat, conversation_id = await escalated_customer(product.gateway_url)
    try:
        case = await dana.case_of(conversation_id)
        path = f"/api/agent/cases/{case['case_id']}/accept"
        first, second = await asyncio.gather(dana.post(path), sam.post(path))
        codes = sorted([first.status_code, second.status_code])
        assert codes == [200, 409], (first.text, second.text)
        loser = first if first.status_code == 409 else second
        winner = "Dana" if loser is second else "Sam"
        assert (
            loser.json()["error"] == "already_taken" and f"{winner} accepted this case first" in loser.json()["message"]
        )
        joined = await chat.wait_for("handoff", type="agent_joined")
        assert joined["agent_name"] == winner
        assert [e for e in chat.events if e[0] == "handoff" and e[1]["type"] == "agent_joined"] == [("handoff", joined)]
    finally:
        await chat.__aexit__()


async def test_a_live_chat_both_ways_with_typing_nothing_doubled_and_the_tracker_whole(
    product: Product, dana: Staff
) -> None:
    chat, conversation_id = await escalated_customer(product.gateway_url)
    try:
        case = await dana.case_of(conversation_id)
        case_id = case["case_id"]
        assert (await dana.post(f"/api/agent/cases/{case_id}/accept")).status_code == 200
        await chat.wait_for("handoff", type="agent_joined", agent_name="Dana")

        await dana.typing(case_id, True)
        assert (await chat.wait_for("handoff", type="agent_typing", typing=True))["agent_name"] == "Dana"
        first = await dana.say(case_id, "Hi, I'm Dana. How can I help?", client_id="reply-0001")
        again = await dana.say(case_id, "Hi, I'm Dana. How can I help?", client_id="reply-0001")  # a resend
        assert again == {**first, "duplicate": True} and not first["duplicate"]
        said = await chat.wait_for("bot_uttered", text="Hi, I'm Dana. How can I help?")
        assert said["metadata"]["from"] == "agent" and said["metadata"]["seq"] == first["seq"]
        await asyncio.sleep(0.5)
        assert len([u for u in chat.uttered() if u.get("text") == "Hi, I'm Dana. How can I help?"]) == 1

        await chat.sio.emit("customer_typing", {"typing": True})
        await dana.wait_frame(
            lambda f: f.get("type") == "typing" and f.get("case_id") == case_id and f["typing"], "typing"
        )
        ack = await chat.send("My router keeps dropping the connection", client_id="cust-msg-0001")
        frame = await dana.wait_frame(
            lambda f: f.get("type") == "chat" and any(e.get("seq") == ack["seq"] for e in f.get("entries", [])), "chat"
        )
        assert frame["entries"][0]["text"] == "My router keeps dropping the connection"
        assert (await chat.send("My router keeps dropping the connection", client_id="cust-msg-0001"))["duplicate"]

        history = (await dana.get(f"/api/agent/cases/{case_id}/history", after_seq=first["seq"] - 1)).json()
        assert [e.get("text") or e.get("body", {}).get("text") for e in history["entries"]] == [
            "Hi, I'm Dana. How can I help?", "My router keeps dropping the connection"]  # fmt: skip
        events = await rasa_events(product, conversation_id, 2)
        relayed = [(e["event"], e["text"]) for e in events if e["event"] in ("user", "bot")][-2:]
        assert relayed == [
            ("bot", "Hi, I'm Dana. How can I help?"),
            ("user", "My router keeps dropping the connection"),
        ]
    finally:
        await chat.__aexit__()


async def test_handing_back_the_bot_continues_with_what_it_knew(product: Product, dana: Staff) -> None:
    await http("POST", f"{product.simulator_url}/admin/reset")
    router = BY_KEY["router_fault"]
    async with SocketChat(product.gateway_url) as chat:
        ack = await chat.session()
        conversation_id = ack["conversation_id"]
        await chat.say("my internet isn't working")
        await chat.say(router.account_id)
        assert "Did that fix it?" in texts(await chat.say(router.postcode))
        await chat.say("I want to speak to a person")
        case = await dana.case_of(conversation_id)
        assert case["identity"]["customer_id"] and case["evidence"], case
        assert (await dana.post(f"/api/agent/cases/{case['case_id']}/accept")).status_code == 200
        await dana.say(case["case_id"], "I've checked the line: restart the router once more and you'll be fine.")
        mark = len(chat.events)
        disposition = {"resolution": "resolved", "root_cause": "customer_specific", "bot_could_handle": False}
        refused = await dana.post(f"/api/agent/cases/{case['case_id']}/hand-back")
        assert refused.status_code == 422 and "resolution" in refused.json()["message"]  # a disposition first
        response = await dana.post(f"/api/agent/cases/{case['case_id']}/hand-back", disposition)
        assert response.status_code == 200, response.text
        back = await chat.wait_for("handoff", mark, type="handed_back")
        assert back["agent_name"] == "Dana"
        spoke = await chat.wait_for("bot_uttered", mark)
        assert spoke["metadata"]["from"] == "bot" and "what else can I check" in spoke["text"]

        tracker = (await http("GET", f"{product.rasa_url}/conversations/{conversation_id}/tracker")).json()
        assert tracker["slots"]["verified"] is True and tracker["slots"]["identity"]["customer_id"]
        # The bot answers the next message again, with the rules as usual (no "can't take that step here").
        reply = texts(await chat.say("thanks, that's all"))
        assert reply and "can't take that step" not in reply
        detail = (await dana.get(f"/api/agent/cases/{case['case_id']}")).json()["case"]
        assert detail["status"] == "handed_back"
        assert detail["disposition"]["root_cause"] == "customer_specific" and detail["disposition"]["by"] == "dana"
        # The bot understood the problem the customer came with, not their last words ("a person").
        assert detail["understanding"]["started_with"] == "report_internet_down", detail["understanding"]


async def test_ending_with_a_disposition_feeds_the_learning_store(product: Product, dana: Staff) -> None:
    chat, conversation_id = await escalated_customer(product.gateway_url)
    try:
        case = await dana.case_of(conversation_id)
        assert (await dana.post(f"/api/agent/cases/{case['case_id']}/accept")).status_code == 200
        body = {"resolution": "resolved", "root_cause": "bot_flow_missing", "bot_could_handle": True}
        response = await dana.post(f"/api/agent/cases/{case['case_id']}/end", body)
        assert response.status_code == 200, response.text
        assert response.json()["learning"]["disposition"]["root_cause"] == "bot_flow_missing"
        closed = await chat.wait_for("handoff", type="closed")
        assert closed["agent_name"] == "Dana"
        detail = (await dana.get(f"/api/agent/cases/{case['case_id']}")).json()["case"]
        assert detail["status"] == "closed" and detail["disposition"]["resolution"] == "resolved"
        owner = await Staff(product.gateway_url, "product_owner", "triage-demo").login()
        try:
            learned = (await owner.get(f"/api/insights/conversations/{conversation_id}")).json()
            assert learned["disposition"]["bot_could_handle"] is True and learned["disposition"]["resolved"] is True
        finally:
            await owner.close()
        # The customer writes again: the assistant answers.
        assert texts(await chat.say("hello again"))
    finally:
        await chat.__aexit__()


async def test_a_transfer_puts_the_customer_in_the_other_queue_and_tells_them(product: Product, dana: Staff) -> None:
    chat, conversation_id = await escalated_customer(product.gateway_url)
    try:
        case = await dana.case_of(conversation_id)
        assert (await dana.post(f"/api/agent/cases/{case['case_id']}/accept")).status_code == 200
        mark = len(chat.events)
        response = await dana.post(f"/api/agent/cases/{case['case_id']}/transfer", {"queue": "billing"})
        assert response.status_code == 200, response.text
        told = await chat.wait_for("bot_uttered", mark)
        assert "passed you to our billing team" in told["text"]
        await chat.wait_for("handoff", mark, type="queued")
        moved = await dana.case_of(conversation_id)
        assert moved["queue"] == "billing" and moved["transfers"] == ["general"] and moved["status"] == "waiting"
    finally:
        await chat.__aexit__()


async def test_an_agent_re_runs_the_line_test_and_works_the_ticket(product: Product, dana: Staff) -> None:
    await http("POST", f"{product.simulator_url}/admin/reset")
    router = BY_KEY["router_fault"]
    async with SocketChat(product.gateway_url) as chat:
        ack = await chat.session()
        await chat.say("my broadband is down")
        await chat.say(f"{router.account_id} {router.postcode}")
        await chat.say("get me an agent")
        case = await dana.case_of(ack["conversation_id"])
        case_id = case["case_id"]
        response = await dana.post(f"/api/agent/cases/{case_id}/diagnostics", {"kind": "line_test"})
        assert response.status_code == 201, response.text
        run = response.json()["run"]
        assert run["result"]["verdict"] == case["findings"]["line_test"] == run["before"]["verdict"]
        assert run["changes"] == ["No change since the bot's run."] and run["evidence"]
        created = await dana.post(f"/api/agent/cases/{case_id}/tickets", {"action": "create", "text": "Router dead"})
        assert created.status_code == 201, created.text
        ticket_id = created.json()["ticket"]["id"]
        updated = await dana.post(f"/api/agent/cases/{case_id}/tickets", {"action": "update", "ticket_id": ticket_id,
                                  "text": "Replacement router sent", "status": "inProgress"})  # fmt: skip
        assert updated.status_code == 201, updated.text
        assert updated.json()["ticket"]["status"] == "inProgress"
        note = await dana.post(f"/api/agent/cases/{case_id}/notes", {"text": "<b>call back</b> after 5pm"})
        assert note.status_code == 201
        detail = (await dana.get(f"/api/agent/cases/{case_id}")).json()["case"]
        assert [t["action"] for t in detail["tickets"]] == ["created", "updated"]
        assert (
            detail["notes"][0]["text"] == "<b>call back</b> after 5pm"
            and detail["diagnostics"][0]["kind"] == "line_test"
        )
        tmf = f"{product.simulator_url}/tmf-api/troubleTicket/v4/troubleTicket/{ticket_id}"
        ticket = (await http("GET", tmf)).json()
        assert case_id in ticket["description"] and any("Replacement router" in n["text"] for n in ticket["note"])
