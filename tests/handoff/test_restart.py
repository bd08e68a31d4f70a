"""The gateway killed (SIGKILL, as a crash or an OOM kill) with one case waiting and another in a live chat.

Holder, cases, queues and histories live in Redis, so after the restart both customers and the agent carry on:
the waiting case is still announced and can be accepted, the live chat goes on, and messages sent around the
crash arrive once (sequence numbers and client ids).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.auth.roles import Role
from tests.fixtures.gateway import ExtraGateway, running_gateway
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat
from tests.handoff.staff import Staff, escalated_customer, make_staff

pytestmark = pytest.mark.e2e
DB = "/5"


@pytest.fixture(scope="module")
def gateway(product: Product) -> Iterator[ExtraGateway]:
    yield from running_gateway(product, DB)


@pytest.fixture
async def omar(product: Product, gateway: ExtraGateway) -> AsyncIterator[Staff]:
    await make_staff(product.redis_url.removesuffix("/0") + DB, "omar", Role.agent, ["general"])
    staff = await (await Staff(gateway.url, "omar").login()).connect()
    yield staff
    await staff.close()


async def test_a_gateway_killed_mid_handoff_changes_nothing_for_either_side(gateway: ExtraGateway, omar: Staff) -> None:
    waiting_chat, waiting_id = await escalated_customer(gateway.url)
    live_chat, live_id = await escalated_customer(gateway.url)
    try:
        waiting_case = await omar.case_of(waiting_id)
        live_case = await omar.case_of(live_id)
        assert (await omar.post(f"/api/agent/cases/{live_case['case_id']}/accept")).status_code == 200
        await live_chat.wait_for("handoff", type="agent_joined")
        before = await omar.say(live_case["case_id"], "Let me look at that for you.", client_id="omar-msg-001")
        await live_chat.wait_for("bot_uttered", text="Let me look at that for you.")
        session_id, shown = live_chat.session_id, before["seq"]

        gateway.kill()
        await omar.disconnect()
        # The agent's console retries a reply while the gateway is down: it does not get through.
        with pytest.raises(httpx.TransportError):
            await omar.say(live_case["case_id"], "Found it: the line was reset.", client_id="omar-msg-002")
        gateway.start()

        # The customer's page reconnects and asks for what it has not shown.
        async with SocketChat(gateway.url) as again:
            ack = await again.session(session_id, after_seq=shown)
            assert ack["resumed"] and ack["holder"] == "agent" and ack["history"] == []
            await omar.connect()
            mine = (await omar.get("/api/agent/queue")).json()
            assert [c["case_id"] for c in mine["mine"]] == [live_case["case_id"]]
            assert waiting_case["case_id"] in [c["case_id"] for c in mine["waiting"]]
            # The retried reply arrives once, even when the console sends it twice.
            sent = await omar.say(live_case["case_id"], "Found it: the line was reset.", client_id="omar-msg-002")
            resent = await omar.say(live_case["case_id"], "Found it: the line was reset.", client_id="omar-msg-002")
            assert not sent["duplicate"] and resent == {**sent, "duplicate": True}
            await again.wait_for("bot_uttered", text="Found it: the line was reset.")
            ack = await again.send("Great, it works now", client_id="cust-after-001")
            frame = await omar.wait_frame(
                lambda f: f.get("type") == "chat" and f["case_id"] == live_case["case_id"]
                and any(e.get("seq") == ack["seq"] for e in f["entries"]), "the customer's message",
            )  # fmt: skip
            assert frame["entries"][-1]["text"] == "Great, it works now"
            history = (await omar.get(f"/api/agent/cases/{live_case['case_id']}/history", after_seq=shown)).json()
            texts = [e.get("text") or e.get("body", {}).get("text") for e in history["entries"]]
            assert texts == ["Found it: the line was reset.", "Great, it works now"]

        # The case that was waiting is still there to accept, and its customer is told.
        assert (await omar.post(f"/api/agent/cases/{waiting_case['case_id']}/accept")).status_code == 200
        async with SocketChat(gateway.url) as waiting_again:
            ack = await waiting_again.session(waiting_chat.session_id, after_seq=0)
            events = [e["event"]["type"] for e in ack["history"] if e["kind"] == "handoff"]
            assert events[-1] == "agent_joined" and ack["holder"] == "agent"
        await asyncio.sleep(0)
    finally:
        await waiting_chat.__aexit__()
        await live_chat.__aexit__()
