"""Leaving the queue: a customer waiting for a person withdraws, in their own words or with the page's payload.

Each gateway here keeps its own Redis database, so the positions in its queues are this module's alone. One
reaches the product's Rasa directly; the other through a proxy the test cuts, to show the payload needs no NLU.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import redis.asyncio

from bot.auth.roles import Role
from bot.handoff.withdrawal import WITHDRAW_MIN_CONFIDENCE
from core.settings import PROJECT_ROOT
from tests.fixtures.gateway import ExtraGateway, running_gateway
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat, texts
from tests.fixtures.tcp_proxy import TcpProxy
from tests.handoff.staff import Staff, escalated_customer, make_staff

pytestmark = pytest.mark.e2e
DB, DB_NO_NLU = "/7", "/8"
LEAVE = "I don't need a person any more"


def test_the_gateway_withdraws_at_the_nlu_fallback_threshold() -> None:
    config = (PROJECT_ROOT / "config.yml").read_text()
    assert f"name: FallbackClassifier\n    threshold: {WITHDRAW_MIN_CONFIDENCE}\n" in config


@pytest.fixture(scope="module")
def gateway(product: Product) -> Iterator[ExtraGateway]:
    yield from running_gateway(product, DB)


@pytest.fixture
async def ana(product: Product, gateway: ExtraGateway) -> AsyncIterator[Staff]:
    """Online for the general queue (so places are told live) but accepting nobody."""
    await make_staff(product.redis_url.removesuffix("/0") + DB, "ana", Role.agent, ["general"])
    staff = await (await Staff(gateway.url, "ana").login()).connect()
    yield staff
    await staff.close()


async def rasa_user_events(product: Product, conversation_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=30) as http:
        tracker = (await http.get(f"{product.rasa_url}/conversations/{conversation_id}/tracker")).json()
    return [e for e in tracker["events"] if e["event"] == "user"]


async def test_cancel_that_in_words_leaves_the_queue_the_others_move_up_and_the_bot_answers(
    product: Product, gateway: ExtraGateway, ana: Staff
) -> None:
    leaving, leaving_id = await escalated_customer(gateway.url)
    behind, behind_id = await escalated_customer(gateway.url)
    try:
        case = await ana.case_of(leaving_id)
        other = await ana.case_of(behind_id)
        places = {c["case_id"]: c["position"] for c in await ana.waiting()}
        assert places[other["case_id"]] == places[case["case_id"]] + 1

        # A message that is not a withdrawal keeps today's path: kept for the person, never answered by the bot.
        await leaving.send("how long will this take?")
        mark, behind_mark = len(leaving.events), len(behind.events)
        answer = await leaving.say("no i dont need a person, cancel that")
        await leaving.wait_for("handoff", mark, type="withdrawn")
        assert "out of the queue" in texts(answer), answer
        assert all(u["metadata"]["from"] == "bot" for u in answer)

        detail = (await ana.get(f"/api/agent/cases/{case['case_id']}")).json()["case"]
        assert detail["status"] == "withdrawn"
        assert leaving_id not in [c["conversation_id"] for c in await ana.waiting()]
        await ana.wait_frame(
            lambda f: f.get("event") == "withdrawn" and f["case"]["case_id"] == case["case_id"], "withdrawn case"
        )
        moved = await behind.wait_for("handoff", behind_mark, type="position")
        assert moved["position"] == places[other["case_id"]] - 1  # told their new place

        # Rasa predicted on the withdrawal (a bot turn again); what was said while waiting stays recorded as held.
        said = {e["text"]: e for e in await rasa_user_events(product, leaving_id)}
        assert said["no i dont need a person, cancel that"]["parse_data"]["intent"]["name"] == "withdraw_request"
        metadata = said["no i dont need a person, cancel that"]["metadata"]
        assert not metadata.get("held_by") and metadata["withdrawn_case"] == case["case_id"]
        assert said["how long will this take?"]["metadata"]["held_by"] == "agent"

        # The bot holds the conversation again: the next message is answered by it.
        assert "support assistant" in texts(await leaving.say("hello"))
    finally:
        await leaving.__aexit__()
        await behind.__aexit__()


async def test_once_an_agent_has_accepted_cancel_that_goes_to_them(gateway: ExtraGateway, ana: Staff) -> None:
    chat, conversation_id = await escalated_customer(gateway.url)
    try:
        case = await ana.case_of(conversation_id)
        assert (await ana.post(f"/api/agent/cases/{case['case_id']}/accept")).status_code == 200
        await chat.wait_for("handoff", type="agent_joined")
        await chat.send("/withdraw_request", display=LEAVE)
        line = await ana.wait_frame(
            lambda f: f.get("type") == "chat" and any(e.get("display") == LEAVE for e in f.get("entries", [])),
            "the customer's line",
        )
        assert line["case_id"] == case["case_id"]
        detail = (await ana.get(f"/api/agent/cases/{case['case_id']}")).json()["case"]
        assert detail["status"] == "accepted"  # the person talking to them decides with them
    finally:
        await chat.__aexit__()


@pytest.fixture(scope="module")
def rasa(product: Product) -> Iterator[TcpProxy]:
    proxy = TcpProxy(product.port("rasa"))
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def gateway_without_nlu(product: Product, rasa: TcpProxy) -> Iterator[ExtraGateway]:
    yield from running_gateway(product, DB_NO_NLU, rasa_url=rasa.url, rasa_timeout_s="2", chat_retry_interval_s="1")


async def test_the_button_leaves_the_queue_while_the_nlu_is_unreachable_and_nothing_is_lost(
    product: Product, gateway_without_nlu: ExtraGateway, rasa: TcpProxy
) -> None:
    await make_staff(product.redis_url.removesuffix("/0") + DB_NO_NLU, "ana", Role.agent, ["general"])
    ana = await Staff(gateway_without_nlu.url, "ana").login()
    store = redis.asyncio.Redis.from_url(product.redis_url.removesuffix("/0") + DB_NO_NLU)
    rasa.down()
    try:
        async with SocketChat(gateway_without_nlu.url) as chat:
            ack = await chat.session()
            conversation_id = ack["conversation_id"]
            await chat.say("my broadband is down")  # the assistant is not answering: offered a person
            mark = len(chat.events)
            await chat.send("/request_human", display="Talk to a person")
            await chat.wait_for("handoff", mark, type="no_agent")
            case = await ana.case_of(conversation_id)

            mark = len(chat.events)
            withdrawal = await chat.send("/withdraw_request", display=LEAVE)
            await chat.wait_for("handoff", mark, type="withdrawn")
            detail = (await ana.get(f"/api/agent/cases/{case['case_id']}")).json()["case"]
            assert detail["status"] == "withdrawn"
            pending = await store.lrange(f"triage:chat:pending:{conversation_id}", 0, -1)
            assert any(b'"/withdraw_request"' in p and str(withdrawal["seq"]).encode() in p for p in pending)

            rasa.up()  # kept for the bot, which answers it once it is back
            # Rasa never saw this handoff (the gateway raised it), so the bot knows of it from the message's metadata.
            answered = lambda: any("No problem" in str(u.get("text")) for u in chat.uttered(mark))  # noqa: E731
            await chat.until(answered, "the bot's answer", 60)
            said = await rasa_user_events(product, conversation_id)
            withdrawals = [e for e in said if e["text"] == "/withdraw_request"]
            assert len(withdrawals) == 1 and withdrawals[0]["metadata"]["withdrawn_case"] == case["case_id"]
    finally:
        rasa.up()
        await ana.close()
        await store.close()
