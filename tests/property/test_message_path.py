"""Whatever a customer types travels the whole message path (socket.io, gateway, Redis, Rasa, actions) and
comes back as an answer or a clear refusal: never a crash, a silent drop or a mangled transcript.

Hypothesis draws the text: any unicode (surrogates excluded: they cannot be encoded as UTF-8, so no client can
send them), control characters, right-to-left and zero-width marks, emoji, markup, whitespace only, and
messages around and far beyond the length limit. Runs are derandomized, so a failure repeats on every run.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.unicode_text import plain_text
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat

pytestmark = pytest.mark.e2e

LIMIT = 2000  # TRIAGE_MAX_MESSAGE_CHARS of the product under test (the default)
ODD = "\x00\x07\x1b\x7f\u0085\u200b\u200d\u202e\u2028\ufeff\ufffd\U0001f621<>&\"'\\/{}%$\t\r\n "
CHARACTERS = st.characters(exclude_categories=["Cs"])
MESSAGES = st.one_of(
    st.text(CHARACTERS, min_size=0, max_size=80),
    st.text(st.sampled_from(ODD), min_size=1, max_size=40),
    st.text(st.sampled_from(" \t\r\n\u3000\u00a0"), min_size=0, max_size=20),  # blank once stripped (or not)
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "😡", "\u200b"]), st.integers(LIMIT - 2, LIMIT + 2)),
    # far beyond the limit, yet within one socket.io packet (64 KiB) even JSON-escaped ("\u0000" is 6 bytes)
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "\x00"]), st.integers(3_000, 10_000)),
)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
ANSWER_TIMEOUT_S = 60


def expected_refusal(text: str) -> str | None:
    stripped = plain_text(text).strip()
    if not stripped:
        return "empty_message"
    if len(stripped) > LIMIT:
        return "message_too_long"
    return None


async def one_message(chat: SocketChat, text: str) -> None:
    await chat.session()  # a new conversation per message: the per-conversation rate limit never interferes
    mark = len(chat.events)
    ack = await chat.send(text)
    refusal = expected_refusal(text)
    if refusal:
        assert ack.get("error") == refusal and ack["message"], ack
        told = await chat.wait_for("bot_uttered", mark, timeout=10)
        assert told["metadata"]["notice"] and told["text"] == ack["message"]
        return
    assert "error" not in ack and ack["seq"] == 1, ack
    await chat.wait_for("typing", mark, timeout=ANSWER_TIMEOUT_S, typing=False)
    replies = chat.uttered(mark)
    assert replies and all(r["metadata"]["from"] == "bot" for r in replies), (text, replies)
    history = (await chat.session(chat.session_id, after_seq=0))["history"]
    # Exactly what was typed, less the bidi controls that would reorder what the agent reads (issue 18).
    assert history[0]["text"] == plain_text(text).strip(), "the transcript changed what the customer typed"


@given(text=MESSAGES)
@SETTINGS
def test_any_text_over_socketio_is_answered_or_refused_clearly(product: Product, text: str) -> None:
    async def run() -> None:
        async with SocketChat(product.gateway_url) as chat:
            await one_message(chat, text)

    asyncio.run(run())


@given(text=MESSAGES)
@SETTINGS
def test_any_text_over_http_is_answered_or_refused_clearly(product: Product, text: str) -> None:
    response = httpx.post(f"{product.gateway_url}/api/messages", json={"text": text}, timeout=ANSWER_TIMEOUT_S)
    refusal = expected_refusal(text)
    body: dict[str, Any] = response.json()
    if refusal:
        assert response.status_code in {413, 422} and body["error"] == refusal and body["message"], body
        return
    assert response.status_code == 200, body
    assert body["messages"] and body["conversation_id"] and body["token"], body
