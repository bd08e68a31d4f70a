"""Every refusal a client can meet has the gateway's shape ``{"v": 1, "error", "message"}`` and the status of its
kind (``bot.errors``), through the real routes of a gateway running in-process on a throwaway Redis; Rasa is a
closed port, so only what needs no Rasa answers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from bot.app import create_app
from core.settings import Settings
from tests.fixtures.ports import free_port
from tests.fixtures.redis_server import RedisServer

DEMO_PASSWORD = "triage-demo"
NO_CASE = "CASE-000000000000"


@pytest.fixture
async def gateway(redis_server: RedisServer) -> AsyncIterator[httpx.AsyncClient]:
    client: Redis = Redis.from_url(redis_server.url)
    async for key in client.scan_iter(match="triage:*", count=1000):
        await client.delete(key)
    await client.aclose()
    settings = Settings(
        redis_url=redis_server.url, rasa_url=f"http://127.0.0.1:{free_port()}", new_conversations_per_address=1
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            yield http


async def bearer(http: httpx.AsyncClient, name: str) -> dict[str, str]:
    response = await http.post("/api/auth/login", json={"username": name, "password": DEMO_PASSWORD})
    http.cookies.clear()  # each request below says who it is
    return {"Authorization": f"Bearer {response.json()['token']}"}


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"v", "error", "message"} and body["v"] == 1
    assert body["error"] == code, body
    return str(body["message"])


async def test_who_may_ask(gateway: httpx.AsyncClient) -> None:
    assert "Log in first" in refused(await gateway.get("/api/agent/queue"), 401, "unauthenticated")
    agent = await bearer(gateway, "agent")
    message = refused(await gateway.get("/api/supervisor/overview", headers=agent), 403, "forbidden")
    assert message == "This needs the role supervisor; you are agent."
    wrong = await gateway.post("/api/auth/login", json={"username": "agent", "password": "not-it"})
    assert refused(wrong, 401, "invalid_credentials") == "The user name or the password is wrong."


async def test_what_is_not_there_or_cannot_be_done(gateway: httpx.AsyncClient) -> None:
    supervisor = await bearer(gateway, "supervisor")
    gone = await gateway.post(f"/api/agent/cases/{NO_CASE}/accept", headers=supervisor)
    assert refused(gone, 404, "case_not_found") == "There is no such case."
    later = await gateway.get("/api/supervisor/figures", params={"from": 9_999_999_999}, headers=supervisor)
    assert refused(later, 422, "invalid_period") == "The period must start before it ends (and before now)."
    shape = await gateway.get("/api/agent/cases/not-a-case", headers=supervisor)
    assert refused(shape, 422, "invalid_request").startswith("path.case_id:")
    big = await gateway.post(f"/api/agent/cases/{NO_CASE}/notes", headers=supervisor, json={"text": "x" * 20_000})
    assert refused(big, 413, "body_too_large") == "A console request body is at most 16384 bytes."


async def test_a_validators_own_sentence_reaches_the_client_as_written(gateway: httpx.AsyncClient) -> None:
    supervisor = await bearer(gateway, "supervisor")
    both = {"expected_agent": "ria", "to_agent": "tom", "to_queue": "sales"}
    reassign = await gateway.post(f"/api/supervisor/chats/{NO_CASE}/reassign", headers=supervisor, json=both)
    assert refused(reassign, 422, "invalid_request") == "body: give exactly one of to_agent and to_queue"
    ticket = {"action": "update", "text": "line fixed", "ticket_id": "nope"}
    made = await gateway.post(f"/api/agent/cases/{NO_CASE}/tickets", headers=supervisor, json=ticket)
    assert refused(made, 422, "invalid_request") == "ticket_id: 'nope' is not a ticket id: they look like TT-100024"


async def test_a_lone_surrogate_is_named_not_a_parse_error(gateway: httpx.AsyncClient) -> None:
    """JSON may carry ``\\ud800``; the console says what is wrong with the text instead of failing to read it."""
    supervisor = {**await bearer(gateway, "supervisor"), "Content-Type": "application/json"}
    note = b'{"expected_agent": "ria", "to_agent": "tom", "note": "\\ud800 broken"}'
    reassign = await gateway.post(f"/api/supervisor/chats/{NO_CASE}/reassign", headers=supervisor, content=note)
    assert "broken characters" in refused(reassign, 422, "invalid_request")
    reply = b'{"title": "fine", "text": "broken \\ud800 char"}'
    canned = await gateway.post("/api/supervisor/canned/sales", headers=supervisor, content=reply)
    assert "lone surrogate" in refused(canned, 422, "invalid_request")


async def test_a_customer_is_told_to_wait_and_for_how_long(gateway: httpx.AsyncClient) -> None:
    first = await gateway.post("/api/messages", json={"text": "my broadband is down"})
    assert refused(first, 503, "assistant_unavailable").startswith("Sorry, the assistant isn't answering")
    second = await gateway.post("/api/messages", json={"text": "hello again"})
    message = refused(second, 429, "rate_limited")
    wait = int(second.headers["retry-after"])
    assert 0 < wait <= 600
    assert message.endswith(f"Try again in {wait} s.")
    empty = await gateway.post("/api/messages", json={"text": "  "})
    assert refused(empty, 422, "empty_message") == "The message is empty: type something to send."
    odd = b'{"text": "hi", "conversation_id": "ab\\ud800"}'
    headers = {"Content-Type": "application/json", "Authorization": "Bearer x"}
    stranger = await gateway.post("/api/messages", content=odd, headers=headers)
    assert refused(stranger, 403, "forbidden").startswith("This conversation does not exist")


async def test_a_filter_that_makes_no_sense_is_a_bad_request(gateway: httpx.AsyncClient) -> None:
    owner = await bearer(gateway, "product_owner")
    window = {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}
    backwards = await gateway.get("/api/insights/volume", params=window, headers=owner)
    assert refused(backwards, 400, "invalid_window") == "'from' must be earlier than 'to'."


async def test_the_frameworks_own_refusals_have_the_same_shape(gateway: httpx.AsyncClient) -> None:
    assert refused(await gateway.get("/api/no-such-thing"), 404, "not_found") == "Not Found."
    wrong_method = await gateway.get("/api/messages")
    assert refused(wrong_method, 405, "method_not_allowed") == "Method Not Allowed."
    assert "POST" in wrong_method.headers["allow"]
    truncated = await gateway.post(
        "/api/messages", content=b'{"text": "hel', headers={"Content-Type": "application/json"}
    )
    assert refused(truncated, 422, "invalid_request") == "body: the body is not valid JSON"
    a_list = await gateway.post("/api/messages", json=["hello"])
    assert refused(a_list, 422, "invalid_request") == "body: the body must be a JSON object"
