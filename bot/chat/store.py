"""Everything the web chat keeps in Redis, so any gateway replica, or one restarted, carries on where it was.

Per conversation (each key expires with the conversation, a month after its last write):

* ``triage:chat:history:<id>``: the list of history entries (JSON, see ``wire``); an entry's sequence number
  is its position, counted from 1, so numbering needs no counter and survives restarts;
* ``triage:chat:client-ids:<id>``: client message id -> sequence number, so a message sent twice (a resend
  after a dropped connection) is kept once and handled once;
* ``triage:chat:pending:<id>``: customer messages Rasa has not answered yet, oldest first, each
  ``{"seq", "client_id", "text"}`` (plus ``"maybe_processed": true`` once a request timed out after reaching
  Rasa);
* ``triage:chat:lock:<id>``: held while one gateway hands that conversation's pending messages to Rasa;
* ``triage:chat:rate:<id>:<window>``: messages counted in the current rate-limit window;
* ``triage:chat:assistant-down:<id>``: present while the customer has been told the assistant is not answering.

``triage:chat:pending`` is the set of conversations with pending messages, which the retry loop walks.
While a person holds a conversation or one is coming (holder ``agent`` or ``waiting``), customer messages are
kept here but never queued for Rasa: ``bot.handoff.service`` shows them to the agent and records them in
Rasa's tracker as events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.conversations import KEY as CONVERSATION
from bot.conversations import TTL_S, Holder
from core.redis.scripts import register

HISTORY = "triage:chat:history:{id}"
CLIENT_IDS = "triage:chat:client-ids:{id}"
PENDING = "triage:chat:pending:{id}"
PENDING_SET = "triage:chat:pending"
LOCK = "triage:chat:lock:{id}"
RATE = "triage:chat:rate:{id}:"
ASSISTANT_DOWN = "triage:chat:assistant-down:{id}"
REPLAY_MAX = 500  # entries sent to a reconnecting page at most; older ones stay in Redis for agents


@dataclass(frozen=True)
class Accepted:
    seq: int
    duplicate: bool
    queued: bool  # handed to Rasa's queue (not: a duplicate, a person holds or is coming, or the gateway answers it)
    retry_after_s: float | None  # set when refused by the rate limit


@dataclass(frozen=True)
class PendingMessage:
    seq: int
    client_id: str
    text: str
    maybe_processed: bool
    metadata: dict[str, Any] = field(default_factory=dict)
    """Extra message metadata for Rasa, e.g. ``{"withdrawn_case": <case id>}`` on a message that left the queue."""


class LockLost(Exception):
    """The delivery lock expired while Rasa was answering; the replies are not kept twice."""


def _pending(raw: bytes | str | None) -> PendingMessage | None:
    if raw is None:
        return None
    item = _loads(raw)
    return PendingMessage(
        seq=int(item["seq"]),
        client_id=str(item["client_id"]),
        text=str(item["text"]),
        maybe_processed=bool(item.get("maybe_processed")),
        metadata=dict(item.get("metadata") or {}),
    )


def _loads(raw: bytes | str) -> dict[str, Any]:
    value = json.loads(raw)
    assert isinstance(value, dict)
    return value


class ChatStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._accept = register(redis, "bot.chat", "accept_customer")
        # Delivery to Rasa holds a per-conversation lock (a random token, expiring): one script takes it and
        # returns the oldest pending message, one keeps the replies, retires that message and returns the next,
        # one lets go and says whether anything arrived meanwhile. Three round trips a message: this runs for
        # every message of every customer, and each Redis write costs the gateway real CPU.
        self._claim = register(redis, "bot.chat", "claim")
        self._complete = register(redis, "bot.chat", "complete_pending")
        self._release = register(redis, "bot.chat", "release")
        self._forget = register(redis, "bot.chat", "forget_if_empty")

    @property
    def redis(self) -> Redis:
        """The connection, for the chat's other keys (``bot.chat.surveys``)."""
        return self._redis

    # ---------------------------------------------------------------- history

    async def accept_customer(
        self, conversation_id: str, entry: dict[str, Any], *, for_rasa: bool, rate_limit: int, rate_window_s: int
    ) -> Accepted:
        """Keep a customer message (``entry``: a ``customer`` history entry) once (``scripts/accept_customer.lua``)."""
        keys = [HISTORY, CLIENT_IDS, PENDING]
        result = await self._accept(
            keys=[k.format(id=conversation_id) for k in keys]
            + [PENDING_SET, RATE.format(id=conversation_id), CONVERSATION.format(id=conversation_id)],
            args=[
                entry["client_id"],
                json.dumps(entry),
                "1" if for_rasa else "0",
                TTL_S,
                conversation_id,
                rate_limit,
                rate_window_s,
                Holder.agent.value,
                Holder.waiting.value,
                Holder.closed.value,
                Holder.bot.value,
            ],
        )
        seq, duplicate, queued, retry_ms = (int(x) for x in result)
        return Accepted(seq, bool(duplicate), bool(queued), retry_ms / 1000 if retry_ms else None)

    async def append(self, conversation_id: str, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add entries to the history; return them with their sequence numbers."""
        key = HISTORY.format(id=conversation_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, *(json.dumps(e) for e in entries))
            pipe.expire(key, TTL_S)
            last, _ = await pipe.execute()
        return _numbered(entries, int(last))

    async def history(self, conversation_id: str, after_seq: int = 0) -> list[dict[str, Any]]:
        key = HISTORY.format(id=conversation_id)
        length = int(await self._redis.llen(key))
        start = max(after_seq, length - REPLAY_MAX, 0)
        raw = await self._redis.lrange(key, start, -1)
        return [_loads(item) | {"seq": start + i + 1} for i, item in enumerate(raw)]

    async def last_seq(self, conversation_id: str) -> int:
        return int(await self._redis.llen(HISTORY.format(id=conversation_id)))

    # ---------------------------------------------------------------- messages waiting for Rasa

    async def claim(self, conversation_id: str, token: str, ttl_s: float) -> tuple[bool, PendingMessage | None, bool]:
        """Take the conversation's delivery lock; return whether taken, the oldest pending message, and whether
        a person holds the conversation or one is coming (holder ``agent`` or ``waiting``)."""
        taken, first, held = await self._claim(
            keys=[
                LOCK.format(id=conversation_id),
                PENDING.format(id=conversation_id),
                PENDING_SET,
                CONVERSATION.format(id=conversation_id),
            ],
            args=[token, int(ttl_s * 1000), conversation_id, Holder.agent.value, Holder.waiting.value],
        )
        return bool(taken), _pending(first), bool(held)

    async def queue_for_rasa(
        self, conversation_id: str, entry: dict[str, Any], metadata: dict[str, Any] | None = None
    ) -> None:
        """Hand a message kept while a person was coming (``entry`` with its ``seq``) to Rasa after all: the
        customer left the queue with it, so the bot answers it (``metadata`` goes to Rasa with it)."""
        item = {"seq": int(entry["seq"]), "client_id": str(entry["client_id"]), "text": str(entry["text"]),
                "metadata": metadata or {}}  # fmt: skip
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(PENDING.format(id=conversation_id), json.dumps(item))
            pipe.expire(PENDING.format(id=conversation_id), TTL_S)
            pipe.sadd(PENDING_SET, conversation_id)
            await pipe.execute()

    async def next_pending(self, conversation_id: str) -> PendingMessage | None:
        return _pending(await self._redis.lindex(PENDING.format(id=conversation_id), 0))

    async def mark_maybe_processed(self, conversation_id: str, message: PendingMessage) -> None:
        item = {"seq": message.seq, "client_id": message.client_id, "text": message.text, "maybe_processed": True,
                "metadata": message.metadata}  # fmt: skip
        await self._redis.lset(PENDING.format(id=conversation_id), 0, json.dumps(item))

    async def complete_pending(
        self, conversation_id: str, replies: list[dict[str, Any]], token: str, ttl_s: float
    ) -> tuple[list[dict[str, Any]], PendingMessage | None]:
        """Keep the replies to the oldest pending message and retire it, if this drain still holds the lock.

        Returns the replies numbered and the next pending message. A drain whose lock expired (it took longer
        than the lock's lifetime) keeps nothing: another drain has taken over that message.
        """
        keys = [HISTORY.format(id=conversation_id), PENDING.format(id=conversation_id), PENDING_SET]
        last, following = await self._complete(
            keys=[*keys, ASSISTANT_DOWN.format(id=conversation_id), LOCK.format(id=conversation_id)],
            args=[TTL_S, conversation_id, token, int(ttl_s * 1000), *(json.dumps(r) for r in replies)],
        )
        if int(last) < 0:
            raise LockLost(conversation_id)
        return (_numbered(replies, int(last)) if replies else []), _pending(following)

    async def release(self, conversation_id: str, token: str) -> bool:
        """Let go of the delivery lock; return whether messages are pending (arrived while it was held)."""
        waiting = await self._release(
            keys=[LOCK.format(id=conversation_id), PENDING.format(id=conversation_id)], args=[token]
        )
        return bool(waiting)

    async def take_pending(self, conversation_id: str) -> list[PendingMessage]:
        """Remove every pending message (a person takes them over instead of Rasa); return them, oldest first."""
        taken = []
        while (message := await self.next_pending(conversation_id)) is not None:
            taken.append(message)
            await self._redis.lpop(PENDING.format(id=conversation_id))
        await self.forget_if_idle(conversation_id)
        return taken

    async def pending_conversations(self, limit: int) -> list[str]:
        members = await self._redis.srandmember(PENDING_SET, limit)
        return [m.decode() if isinstance(m, bytes) else str(m) for m in members or []]

    async def forget_if_idle(self, conversation_id: str) -> None:
        await self._forget(keys=[PENDING.format(id=conversation_id), PENDING_SET], args=[conversation_id])

    # ---------------------------------------------------------------- the assistant-down flag

    async def assistant_down(self, conversation_id: str) -> bool:
        return bool(await self._redis.exists(ASSISTANT_DOWN.format(id=conversation_id)))

    async def set_assistant_down(self, conversation_id: str, down: bool) -> None:
        key = ASSISTANT_DOWN.format(id=conversation_id)
        if down:
            await self._redis.set(key, "1", ex=TTL_S)
        else:
            await self._redis.delete(key)


def _numbered(entries: list[dict[str, Any]], last_seq: int) -> list[dict[str, Any]]:
    first = last_seq - len(entries) + 1
    return [entry | {"seq": first + i} for i, entry in enumerate(entries)]
