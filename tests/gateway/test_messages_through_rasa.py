"""A customer message over HTTP reaches Rasa through the gateway and the bot's reply comes back."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
import redis

from core.settings import PROJECT_ROOT
from tests.fixtures.ports import free_port, wait_for_port
from tests.fixtures.product import Product

pytestmark = pytest.mark.e2e


def send(product: Product, text: str, conversation: tuple[str, str] | None = None) -> httpx.Response:
    body: dict[str, str] = {"text": text}
    headers = {}
    if conversation:
        body["conversation_id"] = conversation[0]
        headers["Authorization"] = f"Bearer {conversation[1]}"
    return httpx.post(f"{product.gateway_url}/api/messages", json=body, headers=headers, timeout=60)


def test_hello_gets_the_bots_greeting_and_a_private_conversation(product: Product) -> None:
    response = send(product, "hello")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["v"] == 1
    assert len(body["conversation_id"]) >= 24 and len(body["token"]) >= 40
    texts = [m.get("text", "") for m in body["messages"]]
    assert any("support assistant" in t for t in texts), texts


def test_the_conversation_continues_with_its_token_and_lives_in_redis(product: Product) -> None:
    first = send(product, "hi there").json()
    conversation = (first["conversation_id"], first["token"])
    second = send(product, "bye", conversation)
    assert second.status_code == 200
    assert second.json()["conversation_id"] == conversation[0]
    assert "token" not in second.json()  # handed out once only
    assert any("Goodbye" in (m.get("text") or "") for m in second.json()["messages"])
    tracker = redis.Redis.from_url(product.redis_url).get(f"triage:tracker:{conversation[0]}")
    assert tracker is not None and b"bye" in tracker


def test_asking_for_a_person_over_plain_http_returns_the_handoff_for_the_integration(product: Product) -> None:
    body = send(product, "can I speak to an agent please").json()
    handoff = body["messages"][-1]["custom"]["handoff"]
    assert handoff["reason"] == "customer_request" and handoff["queue"] == "general"


def test_someone_elses_token_cannot_write_to_a_conversation(product: Product) -> None:
    mine = send(product, "hello").json()
    theirs = send(product, "hello").json()
    response = send(product, "show me the bill", (mine["conversation_id"], theirs["token"]))
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert send(product, "hello", (mine["conversation_id"], "not-the-token")).status_code == 403


@pytest.mark.parametrize(
    ("payload", "status", "error"),
    [
        ({"text": "   "}, 422, "empty_message"),
        ({"text": "x" * 2001}, 413, "message_too_long"),
        ({}, 422, "invalid_request"),
        ({"text": 42, "conversation_id": {"a": 1}}, 422, "invalid_request"),
    ],
)
def test_bad_messages_get_a_clear_error(product: Product, payload: dict[str, object], status: int, error: str) -> None:
    response = httpx.post(f"{product.gateway_url}/api/messages", json=payload, timeout=10)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["message"]


def test_malformed_json_is_refused_not_crashed_on(product: Product) -> None:
    response = httpx.post(
        f"{product.gateway_url}/api/messages",
        content=b'{"text": "hello',
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_health_and_readiness(product: Product) -> None:
    assert httpx.get(f"{product.gateway_url}/healthz", timeout=5).json() == {"status": "ok"}
    ready = httpx.get(f"{product.gateway_url}/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "redis": True, "rasa": True}


def test_when_rasa_is_down_the_customer_is_told_plainly(product: Product) -> None:
    port = free_port()
    env = dict(product.env)
    env.update(
        TRIAGE_GATEWAY_PORT=str(port),
        TRIAGE_RASA_URL=f"http://127.0.0.1:{free_port()}",
        TRIAGE_REDIS_URL=product.redis_url,
    )
    gateway = subprocess.Popen([sys.executable, "-m", "bot"], cwd=PROJECT_ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, timeout_s=30)
        response = httpx.post(f"http://127.0.0.1:{port}/api/messages", json={"text": "hello"}, timeout=30)
        assert response.status_code == 503
        assert response.json()["error"] == "assistant_unavailable"
        assert "isn't answering right now" in response.json()["message"]
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10).json()["rasa"] is False
    finally:
        gateway.terminate()
        gateway.wait(timeout=10)


def test_a_lone_surrogate_in_a_message_is_answered_not_refused_or_crashing(product: Product) -> None:
    body = json.dumps({"text": "hello \ud800"})  # JSON escapes it as \ud800; a browser may send that
    response = httpx.post(f"{product.gateway_url}/api/messages", content=body,
                          headers={"Content-Type": "application/json"}, timeout=60)  # fmt: skip
    assert response.status_code == 200, response.text
    assert any("support assistant" in (m.get("text") or "") for m in response.json()["messages"])
