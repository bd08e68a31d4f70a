"""The contract between the gateway and the learning consumer for a survey comment still to redact.

The gateway (``POST /api/satisfaction``) checks a customer's comment to "How did we do?" and records the answer
at once without it (``comment_status: "pending"``); in the same transaction it appends the comment as typed to
the stream ``triage:learning:comments``, one entry per comment, fields ``v`` (``"1"``) and ``c`` (this model as
JSON). The learning consumer redacts it with the learning store's redactor, puts the redacted text into the answer
when that answer is still the one the comment was given with (same survey, same ``at``: a later answer to the
same survey replaces it, and an old comment's late redaction must not overwrite that), then deletes the entry.
So the raw text lives in the stream only until consumed; while the consumer is down it waits there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

COMMENTS_STREAM = "triage:learning:comments"
COMMENT_VERSION = 1
COMMENTS_MAXLEN = 10_000
"""Cap of the stream (``MAXLEN ~``): at most about 40 MB of comments (1,000 characters, up to 4 bytes each) wait
for a consumer that is down; beyond that the oldest go unread and their answers keep only the score."""
MAX_COMMENT_CHARS = 1000
SURVEY_ID = r"^[A-Za-z0-9_.:\-]{1,80}$"
"""Checked with ``re.fullmatch`` (Python's ``$`` alone would accept a trailing newline) and by pydantic."""


class SurveyComment(BaseModel):
    """One comment as the customer typed it (checked by the gateway: no broken or reordering characters)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    v: int = COMMENT_VERSION
    conversation_id: Annotated[str, Field(min_length=1, max_length=64)]
    survey_id: Annotated[str, Field(pattern=SURVEY_ID)]
    at: float = Field(..., description="The ``at`` (unix s) of the answer this comment belongs to.")
    text: Annotated[str, Field(min_length=1, max_length=MAX_COMMENT_CHARS)]

    def fields(self) -> dict[str, str]:
        """The stream entry's fields."""
        return {"v": str(self.v), "c": self.model_dump_json()}

    @classmethod
    def read(cls, fields: Mapping[bytes, bytes]) -> SurveyComment | None:
        """The comment of one stream entry, or ``None`` when it is not one of this version."""
        if fields.get(b"v") != str(COMMENT_VERSION).encode():
            return None
        try:
            return cls.model_validate_json(fields.get(b"c", b""))
        except ValidationError:
            return None
