"""Who may reach the console, and what bad input gets: a customer's token is no session, an agent reads only the
queues they serve (a supervisor every one), malformed and oversized requests are refused with a clear error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from bot.auth.roles import Role
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat
from tests.handoff.staff import Staff, escalated_customer, make_staff

pytestmark = pytest.mark.e2e
STAFF_ONLY = [("GET", "/api/agent/queue"), ("GET", "/api/supervisor/overview"), ("GET", "/api/agent/me"),
              ("POST", "/api/agent/cases/CASE-000000000000/accept")]  # fmt: skip


@pytest.fixture
async def billing_only(product: Product) -> AsyncIterator[Staff]:
    await make_staff(product.redis_url, "bea", Role.agent, ["billing"])
    staff = await Staff(product.gateway_url, "bea").login()
    yield staff
    await staff.close()


@pytest.fixture
async def supervisor(product: Product) -> AsyncIterator[Staff]:
    staff = await Staff(product.gateway_url, "supervisor", "triage-demo").login()
    yield staff
    await staff.close()


async def test_a_customers_conversation_token_opens_no_console_endpoint(product: Product) -> None:
    async with httpx.AsyncClient(base_url=product.gateway_url, timeout=30) as http:
        started = (await http.post("/api/messages", json={"text": "hello"})).json()
        for token in (started["token"], f"{started['conversation_id']}.{started['token']}"):
            headers = {"Authorization": f"Bearer {token}"}
            for method, path in STAFF_ONLY:
                response = await http.request(method, path, headers=headers)
                assert response.status_code == 401, (path, response.text)
                assert response.json()["error"] == "unauthenticated"
    async with SocketChat(product.gateway_url) as chat:  # nor does a customer's socket.io session
        ack = await chat.session()
        ws_url = product.gateway_url.replace("http://", "ws://") + "/api/agent/ws"
        with pytest.raises(InvalidStatus):
            async with websockets.connect(ws_url, additional_headers={"Authorization": f"Bearer {ack['session_id']}"}):
                pass


async def test_an_agent_reads_only_the_queues_they_serve_a_supervisor_reads_all(
    product: Product, billing_only: Staff, supervisor: Staff
) -> None:
    chat, conversation_id = await escalated_customer(product.gateway_url)  # the general queue
    try:
        case = await supervisor.case_of(conversation_id)
        assert all(c["conversation_id"] != conversation_id for c in await billing_only.waiting())
        for method, path in [("GET", f"/api/agent/cases/{case['case_id']}"),
                             ("GET", f"/api/agent/cases/{case['case_id']}/history"),
                             ("POST", f"/api/agent/cases/{case['case_id']}/accept")]:  # fmt: skip
            response = await billing_only.http.request(method, path)
            assert response.status_code == 403, response.text
            assert "general queue, which you don't serve" in response.json()["message"]
        assert (await billing_only.get("/api/supervisor/overview")).status_code == 403
        overview = (await supervisor.get("/api/supervisor/overview")).json()
        assert {q["queue"] for q in overview["queues"]} >= {"general", "billing", "technical"}
        # An agent cannot write into a chat they do not hold.
        reply = await billing_only.post(f"/api/agent/cases/{case['case_id']}/messages", {"client_id": "x" * 12,
                                                                                          "text": "hi"})  # fmt: skip
        assert reply.status_code == 409 and reply.json()["error"] == "not_your_chat"
    finally:
        await chat.__aexit__()


async def test_an_agent_who_transferred_a_case_out_of_their_queues_no_longer_reads_it(product: Product) -> None:
    await make_staff(product.redis_url, "gil", Role.agent, ["general"])
    gil = await (await Staff(product.gateway_url, "gil").login()).connect()
    chat, conversation_id = await escalated_customer(product.gateway_url)  # the general queue
    try:
        case_id = (await gil.case_of(conversation_id))["case_id"]
        assert (await gil.post(f"/api/agent/cases/{case_id}/accept")).status_code == 200
        assert (await gil.get(f"/api/agent/cases/{case_id}")).status_code == 200
        assert (await gil.post(f"/api/agent/cases/{case_id}/transfer", {"queue": "billing"})).status_code == 200
        for method, path in [("GET", f"/api/agent/cases/{case_id}"), ("GET", f"/api/agent/cases/{case_id}/history"),
                             ("POST", f"/api/agent/cases/{case_id}/accept")]:  # fmt: skip
            response = await gil.http.request(method, path)
            assert response.status_code == 403, (path, response.text)
    finally:
        await chat.__aexit__()
        await gil.close()


async def test_malformed_and_oversized_case_updates_are_refused_clearly(product: Product, supervisor: Staff) -> None:
    chat, conversation_id = await escalated_customer(product.gateway_url)
    try:
        case_id = (await supervisor.case_of(conversation_id))["case_id"]
        bad = await supervisor.post(f"/api/agent/cases/{case_id}/notes", {"text": "ok", "admin": True})
        assert bad.status_code == 422 and "admin: Extra inputs are not permitted" in bad.json()["message"]
        wrong = await supervisor.post(f"/api/agent/cases/{case_id}/transfer", {"queue": "nowhere"})
        assert wrong.status_code == 422 and wrong.json()["message"].startswith("queue:")
        long = await supervisor.post(f"/api/agent/cases/{case_id}/notes", {"text": "x" * 4001})
        assert long.status_code == 422 and "at most 4000 characters" in long.json()["message"]
        huge = await supervisor.http.post(
            f"/api/agent/cases/{case_id}/notes", content=b'{"text": "' + b"x" * 20_000 + b'"}',
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        assert huge.status_code == 413 and huge.json()["error"] == "body_too_large"

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: sent chunked
            yield b'{"text": "'
            for _ in range(20):
                yield b"x" * 1000
            yield b'"}'

        chunked = await supervisor.http.post(f"/api/agent/cases/{case_id}/notes", content=chunks(),
                                             headers={"Content-Type": "application/json"})  # fmt: skip
        assert chunked.status_code == 413 and chunked.json()["error"] == "body_too_large"
        broken = await supervisor.http.post(
            f"/api/agent/cases/{case_id}/notes", content=b'{"text": ', headers={"Content-Type": "application/json"}
        )
        assert broken.status_code == 422 and broken.json()["error"] == "invalid_request"
        unknown = await supervisor.get("/api/agent/cases/CASE-FFFFFFFFFFFF")
        assert unknown.status_code == 404 and unknown.json()["error"] == "case_not_found"
        assert (await supervisor.get("/api/agent/cases/not-a-case")).status_code == 422
        detail = (await supervisor.get(f"/api/agent/cases/{case_id}")).json()["case"]
        assert detail["notes"] == []  # nothing refused was kept
    finally:
        await chat.__aexit__()


async def test_logging_out_anywhere_gives_held_chats_back_and_closes_the_live_channel(product: Product) -> None:
    """The API's logout, which the console and the staff pages share: chats go back at once, customer told, and the
    open console gets not one more frame (issue 18: it kept receiving new cases with customers' data)."""
    await make_staff(product.redis_url, "lou", Role.agent, ["general"])
    lou = await (await Staff(product.gateway_url, "lou").login()).connect()
    chat, conversation_id = await escalated_customer(product.gateway_url)
    try:
        case = await lou.case_of(conversation_id)
        assert (await lou.post(f"/api/agent/cases/{case['case_id']}/accept")).status_code == 200
        await chat.wait_for("handoff", type="agent_joined")
        mark = len(chat.events)
        assert (await lou.post("/api/auth/logout")).status_code == 204
        told = await chat.wait_for("handoff", mark, timeout=5, type="requeued")
        assert told["type"] == "requeued"
        assert lou.ws is not None
        await asyncio.wait_for(lou.ws.wait_closed(), timeout=15)  # at the next frame or beat, whichever first
        assert lou.ws.close_code == 1008, "closed by the gateway for the ended session"
    finally:
        await chat.__aexit__()
        lou.token = ""  # nothing left to hand back: the session is gone
        await lou.close()
