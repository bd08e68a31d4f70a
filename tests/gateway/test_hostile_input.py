"""What a penetration test threw at the gateway: broken unicode, reordering controls, payloads dressed as other
words, floods of messages and of new conversations, huge sequence numbers, the bare console page. Each gets a
clear answer and loses nothing (issue 18 items 10-12)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.auth.roles import Role
from tests.fixtures.gateway import ExtraGateway, running_gateway
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat
from tests.handoff.staff import Staff, make_staff

pytestmark = pytest.mark.e2e
RLO, PDI = "\u202e", "\u2069"


@pytest.fixture(scope="module")
def strict(product: Product) -> Iterator[ExtraGateway]:
    """A gateway with a small message limit, on its own Redis database so no other test's counts reach it."""
    yield from running_gateway(product, "/9", chat_rate_limit="3")


@pytest.fixture(scope="module")
def few_new(product: Product) -> Iterator[ExtraGateway]:
    yield from running_gateway(product, "/10", new_conversations_per_address="2")


def post_json(url: str, raw: bytes, token: str | None = None) -> httpx.Response:
    headers = {"content-type": "application/json"} | ({"authorization": f"Bearer {token}"} if token else {})
    return httpx.post(url, content=raw, headers=headers, timeout=60)


def test_a_lone_surrogate_in_a_conversation_id_is_refused_not_a_crash(product: Product) -> None:
    response = post_json(f"{product.gateway_url}/api/messages", b'{"text": "hi", "conversation_id": "ab\\ud800"}', "x")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


async def test_a_lone_surrogate_session_id_gets_a_new_session_and_an_answer(product: Product) -> None:
    async with SocketChat(product.gateway_url) as chat:
        ack = await chat.session("ab\ud800cd")
        assert ack["resumed"] is False and ack["session_id"] != "ab\ud800cd"


async def test_reordering_controls_are_removed_and_a_button_title_never_replaces_typed_text(product: Product) -> None:
    async with SocketChat(product.gateway_url) as chat:
        await chat.session()
        await chat.send(f"my bill {RLO}is wrong{PDI} please", display="Talk to a person <b>now</b>")
        await chat.send("/affirm", display="Yes")
        history = (await chat.session(chat.session_id, after_seq=0))["history"]
    typed, pressed = [e for e in history if e["kind"] == "customer"][:2]
    assert typed["text"] == "my bill is wrong please" and "display" not in typed
    assert pressed["text"] == "/affirm" and pressed["display"] == "Yes"


def test_rest_messages_are_rate_limited_per_conversation(strict: ExtraGateway) -> None:
    first = httpx.post(f"{strict.url}/api/messages", json={"text": "hello"}, timeout=60).json()
    body = {"text": "hello again", "conversation_id": first["conversation_id"]}
    auth = {"authorization": f"Bearer {first['token']}"}
    statuses = [httpx.post(f"{strict.url}/api/messages", json=body, headers=auth, timeout=60).status_code
                for _ in range(3)]  # fmt: skip
    assert statuses == [200, 200, 429]
    refused = httpx.post(f"{strict.url}/api/messages", json=body, headers=auth, timeout=60).json()
    assert refused["error"] == "rate_limited" and "Try again in" in refused["message"]


async def test_new_conversations_are_limited_per_address_on_both_channels(few_new: ExtraGateway) -> None:
    async with httpx.AsyncClient(base_url=few_new.url, timeout=60) as http:
        for _ in range(2):
            assert (await http.post("/api/messages", json={"text": "hi"})).status_code == 200
        refused = await http.post("/api/messages", json={"text": "hi"})
    assert refused.status_code == 429 and "new conversations" in refused.json()["message"]
    async with SocketChat(few_new.url) as chat:
        ack = await chat.session()
    assert ack["error"] == "rate_limited" and ack["retry_after_s"] >= 1


async def test_a_huge_sequence_number_is_a_clear_error(product: Product) -> None:
    await make_staff(product.redis_url, "seq-agent", Role.agent, ["general"])
    agent = await Staff(product.gateway_url, "seq-agent").login()
    try:
        response = await agent.get("/api/agent/cases/CASE-0000000000AA/history", after_seq=2**70)
        assert response.status_code == 422
        assert "after_seq" in response.json()["message"]
    finally:
        await agent.close()


def test_pages_are_served_only_with_their_protection(product: Product) -> None:
    for page in ("agent.html", "supervisor.html", "index.html"):
        assert httpx.get(f"{product.gateway_url}/static/{page}", timeout=10).status_code == 404
    console = httpx.get(f"{product.gateway_url}/agent", timeout=10)
    assert "frame-ancestors 'none'" in console.headers["content-security-policy"]
    script = httpx.get(f"{product.gateway_url}/static/agent.js", timeout=10)
    assert script.status_code == 200 and script.headers["x-content-type-options"] == "nosniff"
