"""What travels on the socket.io channel, in the shapes Rasa's own channel and its community widgets use.

Rasa's events (``session_request``, ``session_confirm``, ``user_uttered``, ``bot_uttered``) keep Rasa 3.6's
payloads exactly: rasa-webchat tells a text from buttons by the keys present (``{"text"}`` alone is a text,
``{"text", "quick_replies"}`` a button set), so the gateway's additions (sequence number, time, sender) ride in
``metadata``, which that widget strips before looking. Everything else is an additional event that widgets
ignore: ``typing`` and ``handoff`` (the lifecycle of a hand-over to a person).

A history entry is what Redis keeps per conversation and what a reconnecting page is sent again::

    {"seq": 4, "ts": <epoch ms>, "kind": "customer", "client_id": "...", "text": "/affirm", "display": "Yes"}
    {"seq": 5, "ts": <epoch ms>, "kind": "message", "from": "bot" | "agent" | "system", "body": {<bot_uttered>}}
    {"seq": 6, "ts": <epoch ms>, "kind": "handoff", "event": {"type": "queued", "position": 3, "wait_s": 240}}
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from bot.rasa_client import BotMessage

VERSION = 1
SESSION_REQUEST = "session_request"
SESSION_CONFIRM = "session_confirm"
USER_UTTERED = "user_uttered"
BOT_UTTERED = "bot_uttered"
TYPING = "typing"
CUSTOMER_TYPING = "customer_typing"
HANDOFF = "handoff"

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_DISPLAY_CHARS = 200  # a button title shown in place of its payload

HandoffType = Literal[
    "queued", "position", "agent_joined", "agent_typing", "agent_left", "requeued", "handed_back", "closed", "no_agent",
    "withdrawn",
]  # fmt: skip


def now_ms() -> int:
    return int(time.time() * 1000)


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class HandoffEvent(BaseModel):
    """One step of a hand-over to a person, published by whichever process runs the queues and the agents.

    ``queued``/``position``: waiting, ``position`` in the queue and ``wait_s`` estimated; ``agent_joined``,
    ``agent_typing`` (``typing`` true or false, never stored), ``agent_left``: ``agent_name``; ``requeued``: the
    agent was gone too long, the customer is back in the queue at their place; ``handed_back``: the bot answers
    again; ``closed``: the agent ended the chat (the next message goes to the bot); ``no_agent``: nobody can take
    it now, ``message`` and ``offers`` (quick replies such as a callback or a ticket) say what the customer can do
    instead, while they keep their place; ``withdrawn``: the customer no longer wanted a person and left the queue
    (or cancelled their callback or ticket), the bot answers again.
    """

    type: HandoffType
    position: int | None = Field(None, ge=1)
    wait_s: int | None = Field(None, ge=0)
    agent_name: str | None = Field(None, min_length=1, max_length=80)
    typing: bool | None = None
    message: str | None = Field(None, max_length=2000)
    offers: list[dict[str, str]] = Field(default_factory=list, max_length=6)

    @field_validator("offers")
    @classmethod
    def _offer_shape(cls, offers: list[dict[str, str]]) -> list[dict[str, str]]:
        if any(set(offer) != {"title", "payload"} for offer in offers):
            raise ValueError("an offer is {title, payload}")
        return offers

    def payload(self) -> dict[str, Any]:
        """Only what was said: widgets that look at the event see no empty fields."""
        data = self.model_dump(exclude_none=True)
        if not data["offers"]:
            del data["offers"]
        return data


def quick_replies(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"content_type": "text", "title": b.get("title"), "payload": b.get("payload")} for b in buttons]


def bot_uttered_bodies(message: BotMessage) -> list[dict[str, Any]]:
    """One REST-channel reply as the ``bot_uttered`` payloads Rasa's socket.io channel would emit, in its order.

    Text is split at blank lines, buttons go on the last part as ``quick_replies``, then the custom payload
    (unchanged, e.g. ``{"handoff": {...}}``), the image (as an image attachment) and the attachment follow.
    """
    bodies: list[dict[str, Any]] = []
    text = message.text or ""
    if message.buttons:
        bodies = [{"text": part, "quick_replies": []} for part in text.strip().split("\n\n")]
        bodies[-1]["quick_replies"] = quick_replies(message.buttons)
    elif text.strip():
        bodies = [{"text": part} for part in text.strip().split("\n\n")]
    if message.custom:
        bodies.append({"custom": message.custom})
    if message.image:
        bodies.append({"attachment": {"type": "image", "payload": {"src": message.image}}})
    if message.attachment:
        bodies.append({"attachment": message.attachment})
    return bodies


def live_bot_uttered(entry: dict[str, Any]) -> dict[str, Any]:
    """A stored ``message`` entry as the ``bot_uttered`` payload sent live: the body plus ``metadata``."""
    metadata = {"seq": entry["seq"], "ts": entry["ts"], "from": entry["from"]}
    if entry.get("agent_name"):
        metadata["agent_name"] = entry["agent_name"]
    return {**entry["body"], "metadata": metadata}


def live_handoff(entry: dict[str, Any]) -> dict[str, Any]:
    return {"v": VERSION, **entry["event"], **({"seq": entry["seq"]} if "seq" in entry else {}), "ts": entry["ts"]}


def notice(text: str) -> dict[str, Any]:
    """A one-off line for this socket only (not kept in the history): limits hit, bad input."""
    return {"text": text, "metadata": {"from": "system", "notice": True, "ts": now_ms()}}
