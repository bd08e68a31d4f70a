"""A customer's records are deleted on request, everywhere; retention removes old records on its own."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from learning import keys
from learning.maintenance import apply_retention, delete_conversations, delete_customer
from tests.learning import rasa_events as ev
from tests.learning.conftest import SECRET, Pipeline

T0 = 1_750_000_000.0


def conversation(sender: str, customer: str | None, account: str = "AC10000017") -> list[dict[str, object]]:
    events = [*ev.start(sender, T0), ev.user(sender, "my order is stuck at porting", "order_status", 0.4)]
    if customer:
        events += ev.identified(sender, customer, account)
    events += [
        ev.slot(sender, "findings", {"order_fallout_step": "number_port"}),
        ev.user(sender, "what", "nlu_fallback", 0.5),
    ]
    return events


async def learning_keys(redis: Redis[bytes]) -> set[str]:
    return {key.decode() async for key in redis.scan_iter(match="triage:learning:*", count=1000)}


async def test_deleting_a_customer_removes_their_records_from_the_stream_indexes_and_transcripts(
    pipeline: Pipeline, redis: Redis[bytes]
) -> None:
    await pipeline.feed(
        conversation("c-isla-1", "CUST-000017") + conversation("c-isla-2", "CUST-000017") + conversation("c-noah", None)
    )
    assert await pipeline.store.count() == 6
    deleted = await delete_customer(pipeline.store, SECRET, "ac 1000 0017")  # typed as the customer gives it
    assert (deleted.conversations, deleted.records) == (2, 4)

    remaining = await pipeline.records()
    assert {r["conversation_id"] for r in remaining} == {"c-noah"}
    for facet, value in [("trigger", "nlu_fallback"), ("finding", "order_fallout_step=number_port")]:
        ids = await pipeline.store.index_ids(facet, value, 0, 4e9)
        assert len(ids) == 1, "index entries of deleted records are gone"
    left = await learning_keys(redis)
    assert not [key for key in left if "c-isla" in key and not key.endswith(":deleted")]
    assert await pipeline.store.transcript("c-isla-1") == []


async def test_a_deleted_conversation_is_not_captured_again_by_events_in_flight(pipeline: Pipeline) -> None:
    await pipeline.feed(conversation("c-gone", None))
    await delete_conversations(pipeline.store, ["c-gone"])
    await pipeline.feed([ev.user("c-gone", "still there?", "nlu_fallback", 0.5)])
    assert await pipeline.records() == []


async def test_retention_trims_the_stream_and_the_indexes_by_time(pipeline: Pipeline, redis: Redis[bytes]) -> None:
    await pipeline.feed(conversation("c-old", None))
    await asyncio.sleep(0.05)
    between = time.time()
    await asyncio.sleep(0.05)
    await pipeline.feed(conversation("c-new", None))
    retention = pipeline.store.retention_s

    assert await apply_retention(pipeline.store, now_s=between + retention) == 2
    assert {r["conversation_id"] for r in await pipeline.records()} == {"c-new"}
    assert await redis.zcard(keys.index("trigger", "nlu_fallback")) == 1

    assert await apply_retention(pipeline.store, now_s=time.time() + retention + 1) == 2
    assert await pipeline.store.count() == 0
    assert not await redis.smembers(keys.INDEXES), "empty indexes are forgotten"


async def test_per_conversation_keys_expire_with_the_retention_period(pipeline: Pipeline, redis: Redis[bytes]) -> None:
    await pipeline.feed(
        [*conversation("c-ttl", None), *ev.start("c-quiet", T0), ev.user("c-quiet", "hi", "greet", 0.99)]
    )
    retention = pipeline.store.retention_s
    for key in (keys.conversation("c-ttl"), keys.transcript("c-ttl"), keys.conversation_records("c-ttl")):
        assert retention - 60 < await redis.ttl(key) <= retention
    assert 0 < await redis.ttl(keys.conversation("c-quiet")) <= 26 * 3600, "no record: kept only for the sweep"
