"""The learning store in Redis: the one module that issues the record stream's commands and its indexes.

Records are appended with a Lua script (``scripts/append_record.lua``, sent with EVAL, so a restarted Redis
without its script cache never fails a transaction) that writes the stream entry and its index entries in one
step: the index member is the stream id, known only inside Redis. The consumer commits a batch of events, the
records they triggered, the conversation states and the acknowledgement in one MULTI, so a crash applies all of
a batch or none of it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from core.redis.connect import text
from core.redis.scripts import load
from core.unicode_text import scrub
from learning import keys
from learning.contacts import contact_record
from learning.records import index_facets

SCAN_PAGE = 1000
"""Stream entries per XRANGE round trip when reading records."""
TIME_SLACK_S = 2 * 3600
"""Records are stored when decided; an abandonment is decided up to the session expiry after its time."""
UNRECORDED_TTL_S = 26 * 3600
"""How long the state of a conversation without any record is kept after its last event (abandonment sweep)."""


def dumps(value: Any) -> str:
    return scrub(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def _text(value: object) -> str:
    return text(value)


def _field(fields: Mapping[Any, Any] | None, name: str) -> bytes | str:
    """One field of a stream entry (replies are bytes: see :mod:`core.redis.connect`)."""
    if not fields:
        raise KeyError(name)
    value: bytes | str = fields[name.encode()]
    return value


@dataclass
class ConversationUpdate:
    """What one committed batch changes for one conversation."""

    state: dict[str, Any]
    records: list[dict[str, Any]] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    flow_open: bool = False
    contacts: list[dict[str, Any]] = field(default_factory=list)
    """Outcome records of contacts that ended in this batch; the current contact's is written from ``state``."""


class LearningStore:
    def __init__(self, redis: Redis, retention_days: int) -> None:
        self.redis = redis
        self.retention_s = retention_days * 86400

    # ------------------------------------------------------------------ writing (the consumer)
    async def load_states(self, conversation_ids: Iterable[str]) -> dict[str, dict[str, Any] | None]:
        ids = list(dict.fromkeys(conversation_ids))
        async with self.redis.pipeline(transaction=False) as pipe:
            for cid in ids:
                pipe.hget(keys.conversation(cid), "state")
            raw = await pipe.execute()
        return {cid: json.loads(value) if value else None for cid, value in zip(ids, raw, strict=True)}

    def _queue_update(self, pipe: Any, update: ConversationUpdate) -> None:
        state = update.state
        cid = state["conversation_id"]
        ttl = self.retention_s if state.get("records") else UNRECORDED_TTL_S
        conv_key = keys.conversation(cid)
        pipe.hset(
            conv_key,
            mapping={
                "state": dumps(state),
                "outcome": state["outcome"],
                "customer": state.get("customer") or "",
                "findings": dumps(state.get("findings") or {}),
                "escalated": "1" if state.get("escalation") else "0",
                "last_activity": state.get("last_activity") or 0,
            },
        )
        pipe.expire(conv_key, ttl)
        if update.transcript:
            pipe.rpush(keys.transcript(cid), *(dumps(line) for line in update.transcript))
        pipe.expire(keys.transcript(cid), ttl)
        pipe.expire(keys.disposition(cid), ttl)
        for record in update.records:
            self._queue_record(pipe, record)
        current = contact_record(state)
        for contact in [*update.contacts, *([current] if current else [])]:
            self._queue_contact(pipe, contact)
        for ref in state.get("refs") or []:
            pipe.sadd(keys.reference(ref), cid)
            pipe.expire(keys.reference(ref), self.retention_s)
        if update.flow_open:
            pipe.zadd(keys.OPEN, {cid: float(state.get("last_activity") or 0.0)})
        else:
            pipe.zrem(keys.OPEN, cid)

    def _queue_contact(self, pipe: Any, contact: dict[str, Any]) -> None:
        """Write (or rewrite) a contact's outcome record; it lives for the retention period from its start."""
        pipe.hset(keys.CONTACTS, contact["id"], dumps(contact))
        pipe.zadd(keys.CONTACTS_BY_TIME, {contact["id"]: float(contact["started_at"])})
        pipe.sadd(keys.conversation_contacts(contact["conversation_id"]), contact["id"])
        pipe.expire(keys.conversation_contacts(contact["conversation_id"]), self.retention_s)

    def _queue_record(self, pipe: Any, record: dict[str, Any]) -> None:
        index_keys = [keys.index(facet, value) for facet, value in index_facets(record)]
        script_keys = [keys.RECORDS, keys.conversation_records(record["conversation_id"]), keys.INDEXES, *index_keys]
        load("learning", "append_record").queue(
            pipe, script_keys, [keys.PAYLOAD_VERSION, dumps(record), self.retention_s]
        )

    async def commit(self, updates: Iterable[ConversationUpdate], ack_ids: list[str] | None = None) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            for update in updates:
                self._queue_update(pipe, update)
            if ack_ids:
                pipe.xack(keys.EVENTS, keys.CONSUMER_GROUP, *ack_ids)
            await pipe.execute()

    async def deleted(self, conversation_ids: Iterable[str]) -> set[str]:
        """Conversations deleted on request: later events of theirs are not captured again."""
        ids = list(dict.fromkeys(conversation_ids))
        async with self.redis.pipeline(transaction=False) as pipe:
            for cid in ids:
                pipe.exists(keys.tombstone(cid))
            found = await pipe.execute()
        return {cid for cid, hit in zip(ids, found, strict=True) if hit}

    # ------------------------------------------------------------------ reading (insights)
    async def scan(self, start_s: float, end_s: float) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """Records whose time is within ``[start_s, end_s)``, oldest first, read page by page."""
        cursor = f"{max(0, int((start_s - TIME_SLACK_S) * 1000))}-0"
        end = f"{int((end_s + TIME_SLACK_S) * 1000)}-18446744073709551615"
        first = True
        while True:
            low = cursor if first else f"({cursor}"
            page = await self.redis.xrange(keys.RECORDS, low, end, count=SCAN_PAGE)
            first = False
            if not page:
                return
            for entry_id, fields in page:
                record = json.loads(_field(fields, "r"))
                if start_s <= float(record["at"]) < end_s:
                    yield _text(entry_id), record
            cursor = _text(page[-1][0])

    async def records(self, ids: Iterable[str]) -> list[tuple[str, dict[str, Any]]]:
        ids = list(ids)
        async with self.redis.pipeline(transaction=False) as pipe:
            for record_id in ids:
                pipe.xrange(keys.RECORDS, record_id, record_id, count=1)
            pages = await pipe.execute()
        return [(_text(page[0][0]), json.loads(_field(page[0][1], "r"))) for page in pages if page]

    async def index_ids(self, facet: str, value: str, start_s: float, end_s: float) -> list[str]:
        low, high = (start_s - TIME_SLACK_S) * 1000, (end_s + TIME_SLACK_S) * 1000
        return [_text(m) for m in await self.redis.zrangebyscore(keys.index(facet, value), low, high)]

    async def index_size(self, facet: str, value: str) -> int:
        return int(await self.redis.zcard(keys.index(facet, value)))

    async def conversation_ids_of(self, references: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for ref in references:
            found |= {_text(m) for m in await self.redis.smembers(keys.reference(ref))}
        return found

    async def conversation_record_ids(self, conversation_id: str) -> list[str]:
        members = await self.redis.smembers(keys.conversation_records(conversation_id))
        return sorted(_text(m) for m in members)

    async def transcript(self, conversation_id: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in await self.redis.lrange(keys.transcript(conversation_id), 0, -1)]

    async def summaries(self, conversation_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Per conversation: outcome, findings, escalated, customer and the agent's disposition (if any)."""
        ids = list(dict.fromkeys(conversation_ids))
        async with self.redis.pipeline(transaction=False) as pipe:
            for cid in ids:
                pipe.hmget(keys.conversation(cid), "outcome", "findings", "escalated", "customer")
                pipe.get(keys.disposition(cid))
            raw = await pipe.execute()
        result: dict[str, dict[str, Any]] = {}
        for cid, fields, disposition in zip(ids, raw[::2], raw[1::2], strict=True):
            outcome, findings, escalated, customer = (_text(f) if f is not None else None for f in fields)
            result[cid] = {
                "outcome": outcome,
                "findings": json.loads(findings) if findings else {},
                "escalated": escalated == "1",
                "customer": customer or None,
                "disposition": json.loads(disposition) if disposition else None,
            }
        return result

    async def contacts(self, start_s: float, end_s: float) -> list[dict[str, Any]]:
        """Outcome records of the contacts that started within ``[start_s, end_s)``, oldest first."""
        ids = await self.redis.zrangebyscore(keys.CONTACTS_BY_TIME, start_s, f"({end_s}")
        found: list[dict[str, Any]] = []
        for start in range(0, len(ids), SCAN_PAGE):
            raw = await self.redis.hmget(keys.CONTACTS, [_text(i) for i in ids[start : start + SCAN_PAGE]])
            found += [json.loads(item) for item in raw if item is not None]
        return found

    async def dispositions(self, conversation_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The agent's disposition of each conversation that has one."""
        ids = list(dict.fromkeys(conversation_ids))
        async with self.redis.pipeline(transaction=False) as pipe:
            for cid in ids:
                pipe.get(keys.disposition(cid))
            raw = await pipe.execute()
        return {cid: json.loads(value) for cid, value in zip(ids, raw, strict=True) if value}

    async def set_disposition(self, conversation_id: str, disposition: dict[str, Any], record: dict[str, Any]) -> str:
        """Attach the agent's disposition to the conversation and append its record; return the record id."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(keys.disposition(conversation_id), dumps(disposition), ex=self.retention_s)
            self._queue_record(pipe, record)
            for key in (keys.conversation(conversation_id), keys.transcript(conversation_id)):
                pipe.expire(key, self.retention_s)
            results = await pipe.execute()
        return _text(results[1])

    async def state(self, conversation_id: str) -> dict[str, Any] | None:
        return (await self.load_states([conversation_id]))[conversation_id]

    async def facet_values(self, facet: str) -> list[str]:
        """Values a facet has in the indexes (e.g. every flow seen), for filter choices."""
        prefix = keys.index(facet, "")
        members = [_text(m) for m in await self.redis.smembers(keys.INDEXES)]
        return sorted(m.removeprefix(prefix) for m in members if m.startswith(prefix))

    async def count(self) -> int:
        return int(await self.redis.xlen(keys.RECORDS))
