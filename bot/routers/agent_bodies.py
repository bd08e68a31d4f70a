"""The agent console's request bodies: small typed JSON; unknown fields, wrong types and oversized texts are
refused with the gateway's error shape (``bot.errors``)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.handoff.case import Queue
from bot.insights.conversations import RootCause
from core.unicode_text import plain_text


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _plain(cls, value: object) -> object:
        """What agents type reaches customers and other agents: no lone surrogates, no bidi controls."""
        return plain_text(value) if isinstance(value, str) else value


class PresenceIn(Strict):
    status: Literal["online", "away"]


class MessageIn(Strict):
    client_id: str = Field(..., pattern=r"^[A-Za-z0-9_-]{8,64}$", description="The console's id for the message.")
    text: str = Field(..., min_length=1, max_length=2000)


class TypingIn(Strict):
    typing: bool


class NoteIn(Strict):
    text: str = Field(..., min_length=1, max_length=4000)


class DiagnosticIn(Strict):
    kind: Literal["line_test", "outage", "order"]


class TicketIn(Strict):
    action: Literal["create", "update"]
    text: str = Field(..., min_length=1, max_length=2000)
    ticket_id: str | None = None
    severity: Literal["Critical", "Major", "Minor"] = "Minor"
    status: Literal["acknowledged", "inProgress", "pending", "held", "resolved"] | None = None

    @field_validator("ticket_id")
    @classmethod
    def _ticket_id(cls, value: str | None) -> str | None:
        if not value:
            return None  # an empty box: "update" then asks for one
        if not re.fullmatch(r"TT-\d{6}", value.upper()):
            raise ValueError(f"{value!r} is not a ticket id: they look like TT-100024")
        return value.upper()


class TransferIn(Strict):
    queue: Queue
    note: str | None = Field(None, max_length=1000, description="For the agent who takes the case next.")


class EndIn(Strict):
    resolution: Literal["resolved", "not_resolved", "follow_up"]
    root_cause: RootCause
    bot_could_handle: bool


HandBackIn = EndIn  # handing back is ending the agent's part: the same disposition
