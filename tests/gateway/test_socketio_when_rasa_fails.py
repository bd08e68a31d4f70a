"""When Rasa is down or slow, the customer is told plainly, offered a person or a ticket, and nothing is lost.

An extra gateway reaches Rasa through a proxy the tests cut or slow down. It keeps its conversations in its
own Redis database, so the product's gateway (a replica with a working Rasa) does not deliver for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.chat.delivery import AS_TICKET, TO_PERSON
from tests.fixtures.gateway import ExtraGateway, running_gateway
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat, texts
from tests.fixtures.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e

RATE_LIMIT = 5
SHOP = "https://shop.example"


@pytest.fixture(scope="module")
def rasa(product: Product) -> Iterator[TcpProxy]:
    proxy = TcpProxy(product.port("rasa"))
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def gateway(product: Product, rasa: TcpProxy) -> Iterator[ExtraGateway]:
    yield from running_gateway(
        product,
        "/1",
        rasa_url=rasa.url,
        rasa_timeout_s="2",
        chat_retry_interval_s="1",
        chat_rate_limit=str(RATE_LIMIT),
        allowed_origins=SHOP,
    )


@pytest.fixture(autouse=True)
def rasa_healthy_again(rasa: TcpProxy) -> Iterator[None]:
    yield
    rasa.reply_delay_s = 0
    rasa.up()


def rasa_user_texts(product: Product, conversation_id: str) -> list[str]:
    tracker = httpx.get(f"{product.rasa_url}/conversations/{conversation_id}/tracker", timeout=30).json()
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


async def test_a_message_sent_while_rasa_is_down_is_answered_when_it_is_back(
    product: Product, gateway: ExtraGateway, rasa: TcpProxy
) -> None:
    rasa.down()
    async with SocketChat(gateway.url) as chat:
        ack = await chat.session()
        told = await chat.say("hello")
        assert "isn't answering right now" in texts(told) and "kept your message" in texts(told)
        assert [q["title"] for q in told[0]["quick_replies"]] == ["Talk to a person", "Leave it as a ticket"]
        assert told[0]["metadata"]["from"] == "system"
        assert await chat.say("are you there?") == []  # told once, not at every message

        mark = len(chat.events)
        rasa.up()
        answer = await chat.wait_for("bot_uttered", mark, timeout=30)
        assert "support assistant" in answer["text"]
        await asyncio.sleep(2)
    assert rasa_user_texts(product, ack["conversation_id"]) == ["hello", "are you there?"]
    async with SocketChat(gateway.url) as reloaded:
        history = (await reloaded.session(ack["session_id"], after_seq=0))["history"]
        assert [e.get("from", e["kind"]) for e in history[:3]] == ["customer", "system", "customer"]


async def test_while_rasa_is_down_the_customer_can_still_reach_a_person(
    product: Product, gateway: ExtraGateway, rasa: TcpProxy
) -> None:
    rasa.down()
    async with SocketChat(gateway.url) as chat:
        ack = await chat.session()
        await chat.say("my broadband keeps dropping")
        mark = len(chat.events)
        taken = await chat.send("/request_human", display="Talk to a person")
        assert "error" not in taken
        replies = await chat.until(lambda: _through_custom(chat.uttered(mark)), "the handoff request", 30)
        assert texts(replies) == TO_PERSON  # one hand-over sentence, the promise the case below keeps
        handoff = replies[-1]["custom"]["handoff"]
        assert handoff["reason"] == "assistant_unavailable"
        assert handoff["unanswered"] == [{"seq": 1, "text": "my broadband keeps dropping"}]
        rasa.up()
    async with SocketChat(gateway.url) as reloaded:
        assert (await reloaded.session(ack["session_id"]))["holder"] == "waiting"


async def test_while_rasa_is_down_the_customer_can_leave_a_ticket_instead(
    product: Product, gateway: ExtraGateway, rasa: TcpProxy
) -> None:
    rasa.down()
    async with SocketChat(gateway.url) as chat:
        ack = await chat.session()
        await chat.say("my bill is wrong")
        mark = len(chat.events)
        taken = await chat.send("/request_ticket", display="Leave it as a ticket")
        assert "error" not in taken
        replies = await chat.until(lambda: _through_custom(chat.uttered(mark)), "the handoff request", 30)
        assert texts(replies) == AS_TICKET
        handoff = replies[-1]["custom"]["handoff"]
        assert handoff["reason"] == "assistant_unavailable" and handoff["contact"] == "ticket"
        assert handoff["unanswered"] == [{"seq": 1, "text": "my bill is wrong"}]

        rasa.up()
        mark = len(chat.events)
        await asyncio.sleep(3)  # the retry loop runs every second: it must find nothing left for Rasa
        assert chat.uttered(mark) == []
    assert rasa_user_texts(product, ack["conversation_id"]) == []
    async with SocketChat(gateway.url) as reloaded:
        assert (await reloaded.session(ack["session_id"]))["holder"] == "waiting"


async def test_a_slow_rasa_is_told_plainly_and_its_late_answer_arrives_once(
    product: Product, gateway: ExtraGateway, rasa: TcpProxy
) -> None:
    rasa.reply_delay_s = 4  # the gateway waits 2 s
    async with SocketChat(gateway.url) as chat:
        ack = await chat.session()
        told = await chat.say("hello")
        assert "isn't answering right now" in texts(told)
        mark = len(chat.events)
        rasa.reply_delay_s = 0
        answer = await chat.wait_for("bot_uttered", mark, timeout=30)
        assert "support assistant" in answer["text"]
        await asyncio.sleep(3)
        assert len(chat.uttered(mark)) == 1
    assert rasa_user_texts(product, ack["conversation_id"]) == ["hello"]  # looked up, not sent again


async def test_a_customer_sending_too_fast_is_asked_to_wait(gateway: ExtraGateway) -> None:
    async with SocketChat(gateway.url) as chat:
        await chat.session()
        accepted = 0
        for attempt in range(2 * RATE_LIMIT + 1):  # a window may end mid-way; the next one fills up too
            ack = await chat.send(f"hello {attempt}")
            if "error" in ack:
                break
            accepted += 1
        assert ack["error"] == "rate_limited" and accepted >= RATE_LIMIT
        assert 1 <= ack["retry_after_s"] <= 60
        told = await chat.wait_for("bot_uttered", text=ack["message"])
        assert "faster than we can read them" in told["text"] and told["metadata"]["notice"]


async def test_only_the_configured_sites_may_use_the_chat_and_the_api(gateway: ExtraGateway) -> None:
    async with SocketChat(gateway.url, headers={"Origin": SHOP}) as chat:
        assert (await chat.session())["session_id"]

    async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as http:
        handshake = {"EIO": "4", "transport": "polling"}
        refused = await http.get("/socket.io/", params=handshake, headers={"Origin": "https://evil.example"})
        assert refused.status_code == 400 and "not an accepted origin" in refused.text
        preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
        allowed = await http.options("/api/messages", headers={"Origin": SHOP, **preflight})
        assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == SHOP
        elsewhere = await http.options("/api/messages", headers={"Origin": "https://evil.example", **preflight})
        assert "access-control-allow-origin" not in elsewhere.headers
        allowed_handshake = await http.get("/socket.io/", params=handshake, headers={"Origin": SHOP})
        assert allowed_handshake.headers.get_list("access-control-allow-origin") == [SHOP]  # one header, not two


def _through_custom(uttered: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The replies up to the handoff request, once it has arrived."""
    return uttered if any("custom" in u for u in uttered) else None
