"""Customers' answers to "How did we do?" at the end of a chat: a 1-5 score and an optional comment (redacted).

One answer per survey: a survey is one end of a chat (the bot resolving it, or an agent ending or handing it
back), named by ``survey_id``; answering the same survey again replaces the earlier answer (a change of mind).

Keys (``triage:learning:satisfaction:*``):
- ``answers``: hash ``<conversation_id>|<survey_id>`` → the answer's JSON.
- ``by_time``: sorted set of the same members scored by the answer's time (s), for periods and retention.
- ``conv:<conversation_id>``: set of that conversation's members, for deletion on request (expires with retention).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field
from redis.asyncio import Redis

from core.redis.connect import text
from learning.keys import PREFIX

ANSWERS = f"{PREFIX}:satisfaction:answers"
BY_TIME = f"{PREFIX}:satisfaction:by_time"
SURVEY_ID = r"^[A-Za-z0-9_.:\-]{1,80}$"
"""Checked with ``re.fullmatch`` (Python's ``$`` alone would accept a trailing newline) and by pydantic."""
MAX_COMMENT_CHARS = 1000
_SEPARATOR = "|"


def _conversation_key(conversation_id: str) -> str:
    return f"{PREFIX}:satisfaction:conv:{conversation_id}"


class SatisfactionAnswer(BaseModel):
    """One stored answer. ``comment`` is already redacted when it is stored."""

    v: int = 1
    conversation_id: str
    survey_id: str = Field(..., pattern=SURVEY_ID)
    score: int = Field(..., ge=1, le=5)
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)
    at: float
    handled_by: Literal["bot", "agent"]
    agent: str | None = Field(None, description="The agent's login when an agent ended the chat.")
    queue: str | None = Field(None, description="The handoff queue when an agent ended the chat.")
    case_id: str | None = None
    model_id: str | None = Field(None, description="The Rasa model that answered, when the bot ended the chat.")


def _member(conversation_id: str, survey_id: str) -> str:
    if not re.fullmatch(SURVEY_ID, survey_id) or _SEPARATOR in conversation_id:
        raise ValueError("conversation and survey ids must not hold '|'")
    return f"{conversation_id}{_SEPARATOR}{survey_id}"


class SatisfactionStore:
    def __init__(self, redis: Redis, retention_days: int) -> None:
        self.redis = redis
        self.retention_s = retention_days * 86400

    async def record(self, answer: SatisfactionAnswer) -> bool:
        """Store (or replace) an answer; ``True`` when it is the survey's first answer."""
        member = _member(answer.conversation_id, answer.survey_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(ANSWERS, member, json.dumps(answer.model_dump()))  # json: a lone surrogate round-trips
            pipe.zadd(BY_TIME, {member: answer.at})
            pipe.sadd(_conversation_key(answer.conversation_id), member)
            pipe.expire(_conversation_key(answer.conversation_id), self.retention_s)
            created, *_ = await pipe.execute()
        return bool(created)

    async def between(self, start_s: float, end_s: float) -> list[SatisfactionAnswer]:
        """Every answer given in ``[start_s, end_s]``, oldest first."""
        members = await self.redis.zrangebyscore(BY_TIME, start_s, end_s)
        return await self._load([text(m) for m in members])

    async def of_conversations(self, conversation_ids: Iterable[str]) -> dict[str, list[SatisfactionAnswer]]:
        """The answers of each conversation (conversations without any are absent)."""
        result: dict[str, list[SatisfactionAnswer]] = {}
        for cid in dict.fromkeys(conversation_ids):
            members = await self.redis.smembers(_conversation_key(cid))
            answers = await self._load([text(m) for m in members])
            if answers:
                result[cid] = sorted(answers, key=lambda a: a.at)
        return result

    async def delete_conversations(self, conversation_ids: Iterable[str]) -> int:
        """Deletion on request: every answer of these conversations; returns how many went."""
        removed = 0
        for cid in dict.fromkeys(conversation_ids):
            members = list(await self.redis.smembers(_conversation_key(cid)))
            async with self.redis.pipeline(transaction=True) as pipe:
                if members:
                    pipe.hdel(ANSWERS, *members)
                    pipe.zrem(BY_TIME, *members)
                pipe.delete(_conversation_key(cid))
                results = await pipe.execute()
            removed += int(results[0]) if members else 0
        return removed

    async def apply_retention(self, now_s: float | None = None) -> int:
        """Remove answers older than the retention period; returns how many went."""
        cutoff = (now_s if now_s is not None else time.time()) - self.retention_s
        members = await self.redis.zrangebyscore(BY_TIME, "-inf", f"({cutoff}")
        if not members:
            return 0
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hdel(ANSWERS, *members)
            pipe.zrem(BY_TIME, *members)
            await pipe.execute()
        return len(members)

    async def _load(self, members: list[str]) -> list[SatisfactionAnswer]:
        if not members:
            return []
        raw = await self.redis.hmget(ANSWERS, members)
        answers = [SatisfactionAnswer.model_validate(json.loads(item)) for item in raw if item is not None]
        return sorted(answers, key=lambda a: a.at)
