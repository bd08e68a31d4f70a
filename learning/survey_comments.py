"""Customers' survey comments, redacted by the learning consumer and put into their answers.

The gateway never runs spaCy: it records an answer with ``comment_status: "pending"`` and appends the comment as
typed to ``triage:learning:comments`` (:mod:`core.contracts.survey_comments`). The consumer's loop calls
:meth:`SurveyComments.process_once` after each batch of events: a batch of comments is read from the ``learning``
group, redacted in a worker thread with the consumer's own redactor, and each comment is put into its answer
unless that answer was replaced or deleted since (:meth:`SatisfactionStore.keep_comment`, which also acknowledges
and deletes the entry in the same step). An entry that is no comment of a known version goes to ``comments:dead``
redacted. After a crash the entries a consumer read but did not finish are taken over and done first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from core.contracts.survey_comments import COMMENTS_STREAM, MAX_COMMENT_CHARS, SurveyComment
from core.unicode_text import scrub
from learning import keys
from learning.events import EventRedaction
from learning.group_reader import GroupReader
from learning.satisfaction import SatisfactionStore

log = logging.getLogger(__name__)

READ_COUNT = 100
"""Comments per batch: spaCy redacts a batch in one call, and comments are rare beside events."""
DEAD_LETTERS = f"{COMMENTS_STREAM}:dead"
"""Entries that are not comments of a known version, kept (redacted) for a person to look at."""


class SurveyComments:
    def __init__(self, redis: Redis, name: str, redaction: Callable[[], EventRedaction], retention_days: int) -> None:
        """``name``: the consumer's name in the group; ``redaction``: the consumer's (loaded on first need)."""
        self.redis = redis
        self.name = name
        self._redaction = redaction
        self.answers = SatisfactionStore(redis, retention_days)
        self.reader = GroupReader(redis, COMMENTS_STREAM, name, READ_COUNT)

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(COMMENTS_STREAM, keys.CONSUMER_GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def process_once(self, block_ms: int | None = None) -> int:
        """Redact and keep one batch of comments (unfinished ones first); return how many entries it held."""
        entries = await self.reader.batch(block_ms)
        if not entries:
            return 0
        comments = [(entry_id.decode(), SurveyComment.read(fields), fields) for entry_id, fields in entries]
        raw = [comment.text if comment else _unreadable(fields) for _, comment, fields in comments]
        redacted = await asyncio.to_thread(self._redact, raw)
        for (entry_id, comment, fields), safe in zip(comments, redacted, strict=True):
            if comment is None:
                version = fields.get(b"v", b"").decode(errors="replace")
                await self.redis.xadd(DEAD_LETTERS, {"id": entry_id, "v": version, "c": safe})
                await self.answers.keep_comment(entry_id, None, None)
                continue
            if not await self.answers.keep_comment(entry_id, await self.answers.awaiting(comment), safe):
                log.info("a survey comment of %s was not kept: its answer was replaced or deleted", entry_id)
        return len(entries)

    def _redact(self, texts: list[str]) -> list[str]:
        """The texts without personal data, as the learning store keeps texts (runs in a worker thread)."""
        redacted = self._redaction().redactor().redact_many([scrub(t) for t in texts])
        return [scrub(t)[:MAX_COMMENT_CHARS] for t in redacted]  # a placeholder may be longer than what it replaced


def _unreadable(fields: dict[bytes, bytes]) -> str:
    return fields.get(b"c", b"").decode(errors="replace")
