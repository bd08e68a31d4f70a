"""Deletion on request and retention: what leaves the learning store, and from every place it was copied.

A conversation's records leave the stream (XDEL) and every index; its state, transcript, disposition, contact
outcome records and the customer's satisfaction answers are deleted; backlog examples quoting it are removed
and cached theme results dropped. A tombstone keeps events still in flight from bringing it back. Retention
trims the stream and the indexes by time (``XTRIM MINID``, ``ZREMRANGEBYSCORE``), and contact outcome records
and satisfaction answers as old; per-conversation keys expire on their own (their TTL is the retention period).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass

from core.pseudonyms import pseudonym
from core.redis.connect import text
from learning import keys
from learning.records import index_facets
from learning.satisfaction import SatisfactionStore
from learning.store import LearningStore, dumps


@dataclass(frozen=True)
class Deleted:
    conversations: int
    records: int
    answers: int = 0
    """Satisfaction answers removed with the conversations."""


def _satisfaction(store: LearningStore) -> SatisfactionStore:
    return SatisfactionStore(store.redis, store.retention_s // 86400)


async def _drop_cached_themes(store: LearningStore) -> None:
    async for key in store.redis.scan_iter(match=f"{keys.THEMES_CACHE}:*", count=500):
        await store.redis.delete(key)


async def _scrub_backlog(store: LearningStore, conversation_ids: set[str] | None, before_s: float | None) -> None:
    """Remove quoted examples of the given conversations (or older than ``before_s``) from backlog items."""
    for item_id in await store.redis.zrange(keys.BACKLOG, 0, -1):
        key = keys.backlog_item(text(item_id))
        raw = await store.redis.get(key)
        if not raw:
            continue
        item = json.loads(raw)
        examples = item.get("examples") or []
        kept = [
            e
            for e in examples
            if not (conversation_ids and e.get("conversation_id") in conversation_ids)
            and not (before_s is not None and float(e.get("at") or 0) < before_s)
        ]
        if len(kept) != len(examples):
            item["examples"] = kept
            await store.redis.set(key, dumps(item))


async def delete_conversations(store: LearningStore, conversation_ids: Iterable[str]) -> Deleted:
    ids = set(conversation_ids)
    removed = 0
    for cid in sorted(ids):
        record_ids = await store.conversation_record_ids(cid)
        records = await store.records(record_ids)
        state = await store.state(cid)
        contact_ids = list(await store.redis.smembers(keys.conversation_contacts(cid)))
        async with store.redis.pipeline(transaction=True) as pipe:
            if contact_ids:
                pipe.hdel(keys.CONTACTS, *contact_ids)
                pipe.zrem(keys.CONTACTS_BY_TIME, *contact_ids)
            if record_ids:
                pipe.xdel(keys.RECORDS, *record_ids)
                pipe.hdel(keys.THEME_PLACED, *record_ids)
            for record_id, record in records:
                for facet, value in index_facets(record):
                    pipe.zrem(keys.index(facet, value), record_id)
            for ref in (state or {}).get("refs") or []:
                pipe.srem(keys.reference(ref), cid)
            pipe.delete(
                keys.conversation(cid),
                keys.conversation_records(cid),
                keys.transcript(cid),
                keys.disposition(cid),
                keys.conversation_contacts(cid),
            )
            pipe.zrem(keys.OPEN, cid)
            pipe.set(keys.tombstone(cid), "1", ex=store.retention_s)
            await pipe.execute()
        removed += len(records)
    answers = await _satisfaction(store).delete_conversations(ids)
    await _scrub_backlog(store, ids, None)
    await _drop_cached_themes(store)
    return Deleted(conversations=len(ids), records=removed, answers=answers)


async def delete_customer(store: LearningStore, secret: str, reference: str) -> Deleted:
    """Every conversation of a customer reference (customer id, account number or phone number)."""
    ref = pseudonym(secret, reference)
    conversation_ids = await store.conversation_ids_of([ref])
    deleted = await delete_conversations(store, conversation_ids)
    await store.redis.delete(keys.reference(ref))
    return deleted


async def apply_retention(store: LearningStore, now_s: float | None = None) -> int:
    """Remove records older than the retention period from the stream and the indexes, with contact outcome
    records and satisfaction answers as old; return how many records went."""
    now_s = now_s if now_s is not None else time.time()
    cutoff_s = now_s - store.retention_s
    cutoff_ms = int(cutoff_s * 1000)
    trimmed = int(await store.redis.xtrim(keys.RECORDS, minid=f"{cutoff_ms}-0", approximate=False))
    for index_key in await store.redis.smembers(keys.INDEXES):
        await store.redis.zremrangebyscore(index_key, "-inf", f"({cutoff_ms}")
        if not await store.redis.zcard(index_key):
            await store.redis.srem(keys.INDEXES, index_key)
    old_contacts = await store.redis.zrangebyscore(keys.CONTACTS_BY_TIME, "-inf", f"({cutoff_s}")
    if old_contacts:
        await store.redis.hdel(keys.CONTACTS, *old_contacts)
        await store.redis.zrem(keys.CONTACTS_BY_TIME, *old_contacts)
    await _satisfaction(store).apply_retention(now_s)
    await _scrub_backlog(store, None, cutoff_s)
    if trimmed:
        await _drop_cached_themes(store)
    return trimmed
