"""``POST /api/satisfaction`` against the running gateway: an answer is taken only for a survey this conversation
was offered, with its own token; every bad input gets a clear error in the gateway's shape and stores nothing.
The score is kept at once; a comment is redacted by the product's learning consumer, so the tests wait for it."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import Any

import httpx
import pytest
import redis.asyncio

from bot.chat.publisher import external_publisher
from bot.conversations import ConversationStore
from core.contracts.survey_comments import COMMENTS_STREAM, SurveyComment
from learning.satisfaction import SatisfactionStore
from tests.fixtures.product import Product

pytestmark = pytest.mark.e2e
REDACTED_WITHIN_S = 60  # the learning consumer redacts within a second or two; a loaded CI machine is slower


class Conversation:
    def __init__(self, conversation_id: str, token: str, survey_id: str) -> None:
        self.id = conversation_id
        self.token = token
        self.survey_id = survey_id


async def offered(product: Product) -> Conversation:
    """A conversation whose bot concluded a problem: the bot's message carries a survey, as the action adds it."""
    client = redis.asyncio.Redis.from_url(product.redis_url)
    try:
        created = await ConversationStore(client).create()
        survey_id = f"bot-{secrets.token_hex(8)}"
        publisher = external_publisher(client, product.redis_url)
        body = {"custom": {"survey": {"v": 1, "id": survey_id, "model_id": "model-under-test"}}}
        await publisher.message(created.id, [{"text": "Great, glad that sorted it."}, body], sender="bot")
    finally:
        await client.close()
    return Conversation(created.id, created.token, survey_id)


async def stored(product: Product, conversation: Conversation) -> list[dict[str, Any]]:
    client = redis.asyncio.Redis.from_url(product.redis_url)
    try:
        found = await SatisfactionStore(client, 180).of_conversations([conversation.id])
    finally:
        await client.close()
    return [answer.dict() for answer in found.get(conversation.id, [])]


async def post(product: Product, body: dict[str, Any] | str, token: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    content = body if isinstance(body, str) else json.dumps(body)
    async with httpx.AsyncClient(base_url=product.gateway_url, timeout=30) as http:
        return await http.post("/api/satisfaction", content=content, headers=headers)


async def waiting_comments(product: Product, conversation: Conversation) -> list[SurveyComment]:
    """This conversation's comments still in the stream, waiting for the learning consumer."""
    client = redis.asyncio.Redis.from_url(product.redis_url)
    try:
        entries = await client.xrange(COMMENTS_STREAM)
    finally:
        await client.aclose()
    comments = [SurveyComment.read(fields) for _, fields in entries]
    return [c for c in comments if c is not None and c.conversation_id == conversation.id]


async def once_redacted(product: Product, conversation: Conversation) -> list[dict[str, Any]]:
    """The stored answers once the learning consumer has taken every comment of this conversation (bounded)."""
    deadline = time.monotonic() + REDACTED_WITHIN_S
    while await waiting_comments(product, conversation) or any(
        answer["comment_status"] == "pending" for answer in await stored(product, conversation)
    ):
        assert time.monotonic() < deadline, f"comments not redacted within {REDACTED_WITHIN_S}s"
        await asyncio.sleep(0.2)
    return await stored(product, conversation)


def answer(conversation: Conversation, **changes: Any) -> dict[str, Any]:
    return {"conversation_id": conversation.id, "survey_id": conversation.survey_id, "score": 4} | changes


async def test_an_answer_is_kept_with_what_the_server_knows_and_a_second_one_replaces_it(product: Product) -> None:
    chat = await offered(product)
    first = await post(product, answer(chat, score=5, page_says="agent", model_id="forged"), chat.token)
    assert first.status_code == 201, first.text
    assert first.json() == {
        "v": 1,
        "survey_id": chat.survey_id,
        "score": 5,
        "comment": None,
        "comment_status": None,
        "replaced": False,
    }
    again = await post(product, answer(chat, score=2, comment="  Took too long, ring 07700 900456  "), chat.token)
    assert again.status_code == 200, again.text
    body = again.json()
    assert (body["replaced"], body["comment"], body["comment_status"]) == (True, None, "pending")
    [kept] = await once_redacted(product, chat)
    assert (kept["score"], kept["handled_by"], kept["model_id"]) == (2, "bot", "model-under-test")
    assert kept["comment"].startswith("Took too long, ring <PHONE>") and "900456" not in kept["comment"]
    assert kept["comment_status"] == "redacted"


async def test_a_new_answer_right_after_a_comment_is_never_overwritten_by_its_redaction(product: Product) -> None:
    chat = await offered(product)
    said = await post(product, answer(chat, score=1, comment="Awful, I'm Priya Sharma on 07700 900789"), chat.token)
    assert said.status_code == 201 and said.json()["comment_status"] == "pending", said.text
    unsaid = await post(product, answer(chat, score=3), chat.token)
    assert unsaid.status_code == 200 and unsaid.json()["comment_status"] is None, unsaid.text
    [kept] = await once_redacted(product, chat)
    assert (kept["score"], kept["comment"], kept["comment_status"]) == (3, None, None)
    assert await waiting_comments(product, chat) == [], "the old comment was taken off the stream all the same"


BAD = [
    ("score zero", {"score": 0}, 422, "invalid_score"),
    ("score six", {"score": 6}, 422, "invalid_score"),
    ("score as text", {"score": "5"}, 422, "invalid_request"),
    ("score with a fraction", {"score": 4.5}, 422, "invalid_request"),
    ("no score", {"score": None}, 422, "invalid_request"),
    ("comment too long", {"comment": "x" * 1001}, 422, "comment_too_long"),
    ("lone surrogate", {"comment": "fine \ud800 thanks"}, 422, "invalid_text"),
    ("bidi control", {"comment": "all good \u202eevil"}, 422, "invalid_text"),
    ("unknown survey", {"survey_id": "bot-00000000deadbeef"}, 404, "unknown_survey"),
    ("malformed survey id", {"survey_id": "../../etc|x"}, 404, "unknown_survey"),
]


@pytest.mark.parametrize(("change", "status", "code"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
async def test_bad_input_is_refused_clearly_and_nothing_is_stored(
    product: Product, change: dict[str, Any], status: int, code: str
) -> None:
    chat = await offered(product)
    response = await post(product, answer(chat, **change), chat.token)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["v"] == 1 and body["error"] == code and len(body["message"]) > 10
    assert await stored(product, chat) == []


async def test_a_missing_field_or_a_body_that_is_not_json_is_refused(product: Product) -> None:
    chat = await offered(product)
    missing = {"conversation_id": chat.id, "score": 3}
    response = await post(product, missing, chat.token)
    assert response.status_code == 422 and "survey_id" in response.json()["message"]
    garbled = await post(product, '{"conversation_id": ', chat.token)
    assert garbled.status_code == 422 and garbled.json()["error"] == "invalid_request"
    assert await stored(product, chat) == []


async def test_without_the_conversations_own_token_nothing_is_kept(product: Product) -> None:
    mine, theirs = await offered(product), await offered(product)
    for token in (None, "not-the-token", theirs.token):
        response = await post(product, answer(mine), token)
        assert response.status_code == 403, (token, response.text)
        assert response.json()["error"] == "forbidden"
    assert await stored(product, mine) == []


async def test_another_conversations_survey_cannot_be_answered(product: Product) -> None:
    mine, theirs = await offered(product), await offered(product)
    response = await post(product, answer(mine, survey_id=theirs.survey_id), mine.token)
    assert response.status_code == 404 and response.json()["error"] == "unknown_survey"
    assert await stored(product, mine) == [] and await stored(product, theirs) == []
