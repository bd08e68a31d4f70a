"""Canned replies per queue, kept in Redis (``keys.canned``), written by supervisors and inserted by agents.

An agent inserts one into the reply box and edits it before sending, so a reply is only ever text: it is
shown with ``textContent`` everywhere and never parsed as HTML.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from pydantic import BaseModel
from redis.asyncio import Redis

from bot.handoff import keys
from bot.handoff.case import Queue
from core.errors import Conflict, NotFound, Unprocessable
from core.redis.scripts import register

MAX_TITLE_CHARS = 60
MAX_TEXT_CHARS = 2000  # an agent's message is at most this long, and a canned reply becomes one
MAX_PER_QUEUE = 100  # more than a person can scan in the picker; a longer list needs pruning, not paging
REPLY_ID = r"^CR-[0-9a-f]{10}$"

# Bidirectional overrides and isolates can make a title read differently from what it is ("Trojan Source");
# other control characters than tab and new line have no place in a reply.
_REFUSED = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class CannedReply(BaseModel):
    v: int = 1
    id: str
    queue: Queue
    title: str
    text: str
    updated_by: str
    updated_at: datetime


def checked(field: str, value: str, limit: int) -> str:
    """``value`` trimmed, or :class:`Unprocessable` naming the rule it breaks (as a person reads it)."""
    cleaned = value.strip()
    if not cleaned:
        raise Unprocessable("invalid_request", f"The {field} is empty.")
    if len(cleaned) > limit:
        raise Unprocessable("invalid_request", f"The {field} is {len(cleaned)} characters; at most {limit}.")
    if _LONE_SURROGATE.search(cleaned):
        raise Unprocessable("invalid_request", f"The {field} has a broken character (a lone surrogate).")
    if _REFUSED.search(cleaned):
        raise Unprocessable(
            "invalid_request", f"The {field} has an invisible control character (such as a text direction "
            "override): type it again without it."
        )  # fmt: skip
    return cleaned


class CannedReplies:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._put = register(redis, "bot.handoff", "put_canned_reply")

    async def list(self, queue: Queue) -> list[CannedReply]:
        """The queue's replies by title (case-insensitive)."""
        raw = await self._redis.hvals(keys.canned(queue))
        replies = [CannedReply.model_validate_json(r) for r in raw]
        return sorted(replies, key=lambda r: (r.title.casefold(), r.id))

    async def add(self, queue: Queue, title: str, text: str, by: str) -> CannedReply:
        reply = self._reply(queue, "CR-" + secrets.token_hex(5), title, text, by)
        done = await self._put(keys=[keys.canned(queue)], args=[reply.id, reply.model_dump_json(), MAX_PER_QUEUE, "1"])
        if int(done) == 0:
            raise Conflict("too_many_replies", f"The {queue.value} queue has {MAX_PER_QUEUE} canned replies, "
                              "the most it keeps: delete one first.")  # fmt: skip
        return reply

    async def update(self, queue: Queue, reply_id: str, title: str, text: str, by: str) -> CannedReply:
        reply = self._reply(queue, reply_id, title, text, by)
        done = await self._put(keys=[keys.canned(queue)], args=[reply.id, reply.model_dump_json(), MAX_PER_QUEUE, "0"])
        if int(done) == -1:
            raise NotFound("reply_not_found", "There is no such canned reply (deleted meanwhile?).")
        return reply

    async def delete(self, queue: Queue, reply_id: str) -> None:
        if not await self._redis.hdel(keys.canned(queue), reply_id):
            raise NotFound("reply_not_found", "There is no such canned reply (deleted meanwhile?).")

    @staticmethod
    def _reply(queue: Queue, reply_id: str, title: str, text: str, by: str) -> CannedReply:
        return CannedReply(id=reply_id, queue=queue, title=checked("title", title, MAX_TITLE_CHARS),
                           text=checked("text", text, MAX_TEXT_CHARS), updated_by=by,
                           updated_at=datetime.now(UTC))  # fmt: skip


def as_json(reply: CannedReply) -> dict[str, object]:
    return reply.model_dump(mode="json")
