"""The chat store on a real Redis: numbering, once-only keeping, the rate limit, history replay."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.chat.store import ChatStore
from bot.conversations import ConversationStore, Holder
from tests.bot.gateway_parts import DATABASE
from tests.fixtures.redis_server import RedisServer


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url.removesuffix("/0") + f"/{DATABASE}")
    await client.flushdb()
    yield client
    await client.aclose()


def said(text: str, client_id: str) -> dict[str, object]:
    return {"kind": "customer", "ts": 1, "client_id": client_id, "text": text}


async def test_messages_are_numbered_in_order_and_kept_once(redis: Redis) -> None:
    store = ChatStore(redis)
    first = await store.accept_customer("c", said("one", "id-00000001"), for_rasa=True, rate_limit=9, rate_window_s=60)
    second = await store.accept_customer("c", said("two", "id-00000002"), for_rasa=True, rate_limit=9, rate_window_s=60)
    resent = await store.accept_customer("c", said("one", "id-00000001"), for_rasa=True, rate_limit=9, rate_window_s=60)
    assert (first.seq, second.seq) == (1, 2) and (resent.seq, resent.duplicate) == (1, True)
    assert [e["text"] for e in await store.history("c")] == ["one", "two"]
    assert [e["text"] for e in await store.history("c", after_seq=1)] == ["two"]  # what a reconnecting page lacks


async def test_too_many_messages_in_a_window_are_refused_with_a_wait(redis: Redis) -> None:
    store = ChatStore(redis)
    for n in range(3):
        kept = await store.accept_customer(
            "c", said("hi", f"id-0000000{n}"), for_rasa=True, rate_limit=3, rate_window_s=60
        )
        assert kept.retry_after_s is None
    refused = await store.accept_customer("c", said("hi", "id-00000009"), for_rasa=True, rate_limit=3, rate_window_s=60)
    assert refused.retry_after_s is not None and 0 < refused.retry_after_s <= 60
    assert len(await store.history("c")) == 3  # the refused one is not kept


async def test_a_redis_that_lost_its_scripts_still_keeps_messages(redis: Redis) -> None:
    store = ChatStore(redis)
    first = await store.accept_customer("c", said("one", "id-00000001"), for_rasa=True, rate_limit=9, rate_window_s=60)
    await redis.script_flush()  # as after a restart without persistence of the script cache
    second = await store.accept_customer("c", said("two", "id-00000002"), for_rasa=True, rate_limit=9, rate_window_s=60)
    assert (first.seq, second.seq) == (1, 2)
    assert [e["text"] for e in await store.history("c")] == ["one", "two"]


async def test_while_a_person_holds_the_chat_messages_are_kept_but_not_queued_for_the_bot(redis: Redis) -> None:
    store, conversations = ChatStore(redis), ConversationStore(redis)
    conversation = (await conversations.create()).id
    await conversations.set_holder(conversation, Holder.agent)
    kept = await store.accept_customer(
        conversation, said("hello?", "id-00000001"), for_rasa=True, rate_limit=9, rate_window_s=60
    )
    assert kept.seq == 1 and not kept.queued
    assert await store.take_pending(conversation) == []


async def test_a_conversation_opens_only_with_its_token(redis: Redis) -> None:
    conversations = ConversationStore(redis)
    made = await conversations.create()
    assert await conversations.resume(made.session_id) == made.id
    assert await conversations.resume(f"{made.id}.not-the-token") is None
    assert await conversations.resume(made.id) is None  # an id alone (from a log, say) opens nothing
    assert await conversations.holder(made.id) is Holder.bot
