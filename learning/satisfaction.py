"""Customers' answers to "How did we do?" at the end of a chat: a 1-5 score and an optional comment (redacted).

One answer per survey: a survey is one end of a chat (the bot resolving it, or an agent ending or handing it
back), named by ``survey_id``; answering the same survey again replaces the earlier answer (a change of mind).

The gateway records an answer at once; its comment, as typed, goes to the learning consumer through the stream
``triage:learning:comments`` in the same transaction (:mod:`core.contracts.survey_comments`), and the answer says
``comment_status: "pending"`` until the consumer (:mod:`learning.survey_comments`) has put the redacted comment in
its place (:meth:`SatisfactionStore.keep_comment`). The answers never hold raw text.

Keys (``triage:learning:satisfaction:*``):
- ``answers``: hash ``<conversation_id>|<survey_id>`` → the answer's JSON.
- ``by_time``: sorted set of the same members scored by the answer's time (s), for periods and retention.
- ``conv:<conversation_id>``: set of that conversation's members, for deletion on request (expires with retention).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator
from redis.asyncio import Redis

from core.contracts.survey_comments import COMMENTS_MAXLEN, COMMENTS_STREAM, MAX_COMMENT_CHARS, SURVEY_ID, SurveyComment
from core.redis.connect import text
from core.redis.scripts import load
from learning.keys import CONSUMER_GROUP, PREFIX

__all__ = [
    "ANSWERS",
    "BY_TIME",
    "MAX_COMMENT_CHARS",
    "SURVEY_ID",
    "Awaiting",
    "SatisfactionAnswer",
    "SatisfactionStore",
]

log = logging.getLogger(__name__)

ANSWERS = f"{PREFIX}:satisfaction:answers"
BY_TIME = f"{PREFIX}:satisfaction:by_time"
_SEPARATOR = "|"


def _conversation_key(conversation_id: str) -> str:
    return f"{PREFIX}:satisfaction:conv:{conversation_id}"


class SatisfactionAnswer(BaseModel):
    """One stored answer. ``comment`` is only ever the redacted comment."""

    v: int = 1
    conversation_id: str
    survey_id: str = Field(..., pattern=SURVEY_ID)
    score: int = Field(..., ge=1, le=5)
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)
    comment_status: Literal["pending", "redacted"] | None = Field(
        None,
        description='None: no comment given; "pending": given, waiting for the learning consumer to redact it '
        '(``comment`` is None meanwhile); "redacted": ``comment`` holds it, redacted.',
    )
    at: float
    handled_by: Literal["bot", "agent"]
    agent: str | None = Field(None, description="The agent's login when an agent ended the chat.")
    queue: str | None = Field(None, description="The handoff queue when an agent ended the chat.")
    case_id: str | None = None
    model_id: str | None = Field(None, description="The Rasa model that answered, when the bot ended the chat.")

    @model_validator(mode="before")
    @classmethod
    def _redacted_by_the_gateway(cls, data: Any) -> Any:
        """Answers kept before the consumer redacted comments have no status: their comment was redacted."""
        if isinstance(data, dict) and data.get("comment") is not None and data.get("comment_status") is None:
            return {**data, "comment_status": "redacted"}
        return data


@dataclass(frozen=True)
class Awaiting:
    """A stored answer whose comment is pending: its JSON exactly as read, to compare before writing over it."""

    raw: bytes
    answer: SatisfactionAnswer


def _member(conversation_id: str, survey_id: str) -> str:
    if not re.fullmatch(SURVEY_ID, survey_id) or _SEPARATOR in conversation_id:
        raise ValueError("conversation and survey ids must not hold '|'")
    return f"{conversation_id}{_SEPARATOR}{survey_id}"


def _dumps(answer: SatisfactionAnswer) -> str:
    return json.dumps(answer.model_dump())  # json: a lone surrogate round-trips


class SatisfactionStore:
    def __init__(self, redis: Redis, retention_days: int) -> None:
        self.redis = redis
        self.retention_s = retention_days * 86400

    async def record(self, answer: SatisfactionAnswer, comment: str | None = None) -> bool:
        """Store (or replace) an answer; ``True`` when it is the survey's first answer.

        ``comment``: the customer's comment as typed (checked, not redacted). It is not kept in the answer, which
        says ``comment_status: "pending"``: it goes to the learning consumer on ``triage:learning:comments`` in
        the same transaction, so an answer never waits for a comment that was not sent.
        """
        member = _member(answer.conversation_id, answer.survey_id)
        entry = None
        if comment is not None:
            answer = answer.model_copy(update={"comment": None, "comment_status": "pending"})
            entry = SurveyComment(
                conversation_id=answer.conversation_id, survey_id=answer.survey_id, at=answer.at, text=comment
            )
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(ANSWERS, member, _dumps(answer))
            pipe.zadd(BY_TIME, {member: answer.at})
            pipe.sadd(_conversation_key(answer.conversation_id), member)
            pipe.expire(_conversation_key(answer.conversation_id), self.retention_s)
            if entry is not None:
                pipe.xadd(COMMENTS_STREAM, entry.fields(), maxlen=COMMENTS_MAXLEN, approximate=True)  # type: ignore[arg-type]
            created, *_ = await pipe.execute()
        return bool(created)

    async def awaiting(self, comment: SurveyComment) -> Awaiting | None:
        """The stored answer ``comment`` was given with, while its comment is pending; ``None`` once that answer
        was replaced (another ``at``), deleted, or given its comment already."""
        try:
            member = _member(comment.conversation_id, comment.survey_id)
        except ValueError:  # no answer can have this member
            return None
        raw = await self.redis.hget(ANSWERS, member)
        if raw is None:
            return None
        try:
            answer = SatisfactionAnswer.model_validate(json.loads(raw))
        except (ValueError, ValidationError):
            log.error("satisfaction answer %s|%s is unreadable", comment.conversation_id, comment.survey_id)
            return None
        if answer.at != comment.at or answer.comment_status != "pending":
            return None
        return Awaiting(raw if isinstance(raw, bytes) else str(raw).encode(), answer)

    async def keep_comment(self, entry_id: str, awaiting: Awaiting | None, redacted: str | None) -> bool:
        """Put the ``redacted`` comment into the answer ``awaiting`` read, unless that answer changed since (a new
        answer to the survey, a deletion), and acknowledge and delete the comment's stream entry ``entry_id``, all
        in one step; ``True`` when the comment was kept."""
        if awaiting is None or redacted is None:
            replacement = ""
            member = ""
            expected = b""
        else:
            kept = awaiting.answer.model_copy(update={"comment": redacted or None, "comment_status": "redacted"})
            replacement = _dumps(kept)
            member = _member(kept.conversation_id, kept.survey_id)
            expected = awaiting.raw
        script = load("learning", "keep_comment")
        done = await script.run(
            self.redis,
            keys=[ANSWERS, COMMENTS_STREAM],
            args=[member, expected, replacement, CONSUMER_GROUP, entry_id],
        )
        return bool(done)

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
