"""When nobody can take the chat: no agent online, outside opening hours, nobody accepting in time, an agent gone.

A gateway of its own (its own Redis database, the product's Rasa) with short timings, so these paths happen in
seconds and no other test's agents count as online here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.auth.roles import Role
from tests.fixtures.gateway import ExtraGateway, extra_gateway, running_gateway
from tests.fixtures.product import Product
from tests.handoff.staff import Staff, escalated_customer, make_staff

pytestmark = pytest.mark.e2e
DB = "/4"


@pytest.fixture(scope="module")
def gateway(product: Product) -> Iterator[ExtraGateway]:
    yield from running_gateway(
        product,
        DB,
        handoff_reannounce_after_s="2",
        handoff_reannounce_max="2",
        handoff_reconnect_grace_s="3",
        handoff_presence_ttl_s="8",
        handoff_sweep_interval_s="0.5",
    )


@pytest.fixture
async def ana(product: Product, gateway: ExtraGateway) -> AsyncIterator[Staff]:
    await make_staff(product.redis_url.removesuffix("/0") + DB, "ana", Role.agent, ["general"])
    staff = await Staff(gateway.url, "ana").login()
    yield staff
    await staff.close()


async def test_no_agent_online_the_customer_is_told_and_offered_a_callback(gateway: ExtraGateway, ana: Staff) -> None:
    chat, conversation_id = await escalated_customer(gateway.url)
    try:
        told = await chat.wait_for("handoff", type="no_agent")
        assert "Nobody from our customer care team is online right now" in told["message"]
        assert [o["title"] for o in told["offers"]] == ["Request a callback", "Leave it as a ticket"]
        case = await ana.case_of(conversation_id)  # still queued: an agent coming online can take it
        mark = len(chat.events)
        await chat.send("/handoff_callback", display="Request a callback")
        done = await chat.wait_for("bot_uttered", mark)
        assert "will call you back" in done["text"] and case["case_id"] in done["text"]
        await chat.wait_for("handoff", mark, type="handed_back")  # the assistant answers meanwhile
        detail = (await ana.get(f"/api/agent/cases/{case['case_id']}")).json()["case"]
        assert detail["status"] == "callback_requested" and detail["transcript"] == case["transcript"]
        assert all(c["case_id"] != case["case_id"] for c in await ana.waiting())
    finally:
        await chat.__aexit__()


async def test_no_agent_online_the_customer_may_leave_it_as_a_ticket(gateway: ExtraGateway, ana: Staff) -> None:
    chat, conversation_id = await escalated_customer(gateway.url)
    try:
        await chat.wait_for("handoff", type="no_agent")
        case = await ana.case_of(conversation_id)
        mark = len(chat.events)
        await chat.send("/handoff_ticket", display="Leave it as a ticket")
        done = await chat.wait_for("bot_uttered", mark)
        assert "left it as a ticket" in done["text"]
        detail = (await ana.get(f"/api/agent/cases/{case['case_id']}")).json()["case"]
        assert detail["status"] == "ticket_requested"
    finally:
        await chat.__aexit__()


async def test_with_nobody_online_the_customer_is_told_once_not_at_every_refresh(
    gateway: ExtraGateway, ana: Staff
) -> None:
    """Places are refreshed every 5 s and this gateway re-announces every 2 s, at most 2 times before the offers
    are repeated: the customer hears it when queued and once more past the limit, never again after that."""
    chat, conversation_id = await escalated_customer(gateway.url)
    try:
        await chat.wait_for("handoff", type="no_agent")
        case = await ana.case_of(conversation_id)
        path = f"/api/agent/cases/{case['case_id']}"
        deadline = asyncio.get_running_loop().time() + 20
        while (await ana.get(path)).json()["case"]["reannounced"] < 2:
            assert asyncio.get_running_loop().time() < deadline, "the case was not re-announced past the limit"
            await asyncio.sleep(0.5)
        await asyncio.sleep(12)  # two refreshes of places, several more re-announcements
        told = [data for name, data in chat.events if name == "handoff" and data["type"] == "no_agent"]
        assert len(told) == 2, [t["message"] for t in told]
        assert all("Nobody from our customer care team is online" in t["message"] and t["offers"] for t in told)
        history = [e for e in chat.events if e[0] == "handoff" and e[1]["type"] in ("no_agent", "position")]
        assert len(history) == 2  # and no position notices between them: nothing else changed
        await chat.send("/handoff_ticket", display="Leave it as a ticket")  # out of the next tests' queue
        await chat.wait_for("handoff", type="handed_back")
    finally:
        await chat.__aexit__()


async def test_a_case_nobody_accepts_is_announced_again_and_the_customer_kept_informed(
    gateway: ExtraGateway, ana: Staff
) -> None:
    await ana.connect()
    chat, conversation_id = await escalated_customer(gateway.url)
    try:
        queued = await chat.wait_for("handoff", type="queued")
        assert queued["position"] >= 1
        again = await ana.wait_frame(
            lambda f: f.get("event") == "reannounced" and f["case"]["conversation_id"] == conversation_id,
            "re-announcement", timeout_s=15,
        )  # fmt: skip
        assert again["case"]["reannounced"] >= 1
        sorry = await chat.until(
            lambda: [u for u in chat.uttered() if "Sorry for the wait" in str(u.get("text"))], "an apology", 15
        )
        assert "haven't lost your place" in sorry[0]["text"]
        # Past the limit of re-announcements, the customer is offered a way out (and keeps their place).
        offer = await chat.wait_for("handoff", type="no_agent", timeout=20)
        assert "still busy" in offer["message"] and offer["offers"]
        assert any(c["conversation_id"] == conversation_id for c in await ana.waiting())
    finally:
        await chat.__aexit__()


async def test_an_agent_who_drops_keeps_their_chat_within_the_grace_then_it_returns_to_the_queue(
    gateway: ExtraGateway, ana: Staff
) -> None:
    await ana.connect()
    chat, conversation_id = await escalated_customer(gateway.url)
    try:
        case = await ana.case_of(conversation_id)
        assert (await ana.post(f"/api/agent/cases/{case['case_id']}/accept")).status_code == 200
        await chat.wait_for("handoff", type="agent_joined")
        await ana.disconnect()
        await asyncio.sleep(1)
        await ana.connect()  # back within the grace period: nothing changed for anyone
        await asyncio.sleep(3)
        assert [c["case_id"] for c in (await ana.get("/api/agent/queue")).json()["mine"]] == [case["case_id"]]
        assert not [e for e in chat.events if e[0] == "handoff" and e[1]["type"] == "requeued"]

        await ana.disconnect()  # gone for good
        requeued = await chat.wait_for("handoff", type="requeued", timeout=15)
        assert requeued["agent_name"] == "Ana"
        await chat.wait_for("handoff", type="queued", timeout=10)
        back = (await ana.get(f"/api/agent/cases/{case['case_id']}")).json()["case"]
        assert back["status"] == "waiting" and (await ana.get("/api/agent/queue")).json()["mine"] == []
    finally:
        await chat.__aexit__()


async def test_an_agent_picks_up_a_ticket_and_chats_with_the_customer(
    product: Product, gateway: ExtraGateway, ana: Staff
) -> None:
    redis_url = product.redis_url.removesuffix("/0") + DB
    await make_staff(redis_url, "bo", Role.agent, ["general"])
    await make_staff(redis_url, "cy", Role.agent, ["technical"])
    await make_staff(redis_url, "sue", Role.supervisor, [])
    bo, cy, sue = [await Staff(gateway.url, name).login() for name in ("bo", "cy", "sue")]
    chat, conversation_id = await escalated_customer(gateway.url)
    try:
        case_id = (await ana.case_of(conversation_id))["case_id"]
        mark = len(chat.events)
        await chat.send("/handoff_ticket", display="Leave it as a ticket")
        await chat.wait_for("handoff", mark, type="handed_back")
        parked = (await ana.get("/api/agent/queue")).json()["parked"]
        assert [(c["status"], c["queue"]) for c in parked if c["case_id"] == case_id] == [("ticket_requested",
                                                                                           "general")]  # fmt: skip
        assert (await cy.get("/api/agent/queue")).json()["parked"] == []  # another queue's
        tickets = (await sue.get("/api/supervisor/overview")).json()["tickets_requested"]
        assert tickets >= 1

        path = f"/api/agent/cases/{case_id}/pick-up"
        assert (await cy.post(path)).status_code == 403
        mark = len(chat.events)
        picked = await ana.post(path)
        assert picked.status_code == 200 and picked.json()["case"]["status"] == "accepted"
        second = await bo.post(path)
        assert second.status_code == 409 and second.json()["error"] == "already_taken"
        assert (await sue.get("/api/supervisor/overview")).json()["tickets_requested"] == tickets - 1
        assert all(c["case_id"] != case_id for c in (await ana.get("/api/agent/queue")).json()["parked"])

        joined = await chat.wait_for("handoff", mark, type="agent_joined")
        assert joined["agent_name"] == "Ana"
        await ana.say(case_id, "Hi, I'm Ana: I've read your ticket.")
        said = await chat.wait_for("bot_uttered", mark, text="Hi, I'm Ana: I've read your ticket.")
        assert said["metadata"]["from"] == "agent"
        await chat.send("Thanks, it's still broken")  # to Ana, not to the assistant
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            history = (await ana.get(f"/api/agent/cases/{case_id}/history")).json()["entries"]
            entries = [(e["kind"], e.get("text") or e.get("body", {}).get("text")) for e in history]
            if ("customer", "Thanks, it's still broken") in entries:
                break
            assert asyncio.get_running_loop().time() < deadline, entries[-5:]
            await asyncio.sleep(0.3)
        assert ("message", "Hi, I'm Ana: I've read your ticket.") in entries  # kept for when they come back
        await asyncio.sleep(2)
        assert not [u for u in chat.uttered(mark) if u["metadata"].get("from") == "bot"]
    finally:
        await chat.__aexit__()
        for person in (bo, cy, sue):
            await person.close()


async def test_outside_opening_hours_the_customer_is_told_when_the_team_works(product: Product) -> None:
    start = datetime.now(UTC) + timedelta(hours=2)
    hours = f"{start:%H}:00-{(start + timedelta(hours=1)):%H}:00"
    closed = extra_gateway(
        product, redis_url=product.redis_url.removesuffix("/0") + "/6", handoff_opening_hours=hours,
        handoff_timezone="UTC",
    )  # fmt: skip
    closed.start()
    try:
        chat, _ = await escalated_customer(closed.url)
        try:
            told = await chat.wait_for("handoff", type="no_agent")
            assert "not working right now" in told["message"] and hours.replace("-", " to ") in told["message"]
            assert [o["payload"] for o in told["offers"]] == ["/handoff_callback", "/handoff_ticket"]
        finally:
            await chat.__aexit__()
    finally:
        closed.close()


async def test_a_chat_a_supervisor_takes_over_after_leaving_the_console_stays_with_them(
    product: Product, gateway: ExtraGateway, ana: Staff
) -> None:
    await make_staff(product.redis_url.removesuffix("/0") + DB, "sam", Role.supervisor, ["general"])
    sam = await Staff(gateway.url, "sam").login()
    await sam.connect()
    await sam.disconnect()  # Sam used the console earlier and closed it
    await ana.connect()
    chat, conversation_id = await escalated_customer(gateway.url)
    try:
        case = await ana.case_of(conversation_id)
        assert (await ana.post(f"/api/agent/cases/{case['case_id']}/accept")).status_code == 200
        await chat.wait_for("handoff", type="agent_joined")
        await asyncio.sleep(4)  # Sam has been gone longer than the grace
        took = await sam.post(f"/api/supervisor/chats/{case['case_id']}/take-over", {"expected_agent": "ana"})
        assert took.status_code == 200, took.text
        await asyncio.sleep(4)  # several sweeps
        assert not [e for e in chat.events if e[0] == "handoff" and e[1]["type"] == "requeued"]
        held = (await sam.get(f"/api/agent/cases/{case['case_id']}")).json()["case"]
        assert held["status"] == "accepted" and held["agent"] == "sam"
    finally:
        await chat.__aexit__()
        await sam.close()
