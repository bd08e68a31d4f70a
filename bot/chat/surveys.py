"""The "How did we do?" surveys a conversation was offered, kept so that an answer names a real end of that chat.

Two kinds of end offer a survey, and the page learns of each from the history entry that marks it:

* the bot concluding a problem: an action adds ``{"custom": {"survey": {"v": 1, "id": "bot-…", "model_id"}}}``
  after its words (``actions/satisfaction.py``); the gateway keeps it when the bot's message is kept;
* an agent ending the chat (handoff event ``closed``) or handing it back to the bot (``handed_back`` with the
  agent's name): the event carries ``"survey": {"v": 1, "id": <case id>}``. Handing back without an agent
  (the customer left the queue for a callback or a ticket, or no case could be made) offers none.

Offers live in ``triage:chat:surveys:<conversation id>``, a hash survey id → ``{v, survey_id, handled_by,
model_id?, case_id?, ts}``, expiring with the conversation (``bot.conversations.TTL_S``). The answers
themselves are the learning store's (``learning.satisfaction``); ``bot.routers.satisfaction`` takes them.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from redis.asyncio import Redis

from bot.chat import wire
from bot.conversations import TTL_S
from bot.handoff import keys as handoff_keys

SURVEYS = "triage:chat:surveys:{id}"
VERSION = 1
AGENT_ENDS = frozenset({"closed", "handed_back"})
ENDED_STATUSES = frozenset({"closed", "handed_back"})
BOT_SURVEY_ID = re.compile(r"bot-[0-9a-f]{8,32}")
MAX_MODEL_ID_CHARS = 200


def _text(value: bytes | str | None) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


def bot_survey(body: dict[str, Any]) -> dict[str, Any] | None:
    """The survey a bot message offers (``body.custom.survey``), if it is well formed."""
    custom = body.get("custom")
    survey = custom.get("survey") if isinstance(custom, dict) else None
    if not isinstance(survey, dict) or not isinstance(survey.get("id"), str):
        return None
    if not BOT_SURVEY_ID.fullmatch(survey["id"]):
        return None
    model_id = survey.get("model_id")
    return {"id": survey["id"], "model_id": str(model_id)[:MAX_MODEL_ID_CHARS] if model_id else None}


class SurveyOffers:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def _keep(self, conversation_id: str, offer: dict[str, Any]) -> None:
        key = SURVEYS.format(id=conversation_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(key, offer["survey_id"], json.dumps(offer))
            pipe.expire(key, TTL_S)
            await pipe.execute()

    async def keep_bot_surveys(self, conversation_id: str, entries: list[dict[str, Any]]) -> None:
        """Keep the surveys the bot's kept messages offer (``message`` entries from the bot)."""
        for entry in entries:
            if entry.get("kind") != "message" or entry.get("from") != "bot":
                continue
            if survey := bot_survey(entry.get("body") or {}):
                offer = {"v": VERSION, "survey_id": survey["id"], "handled_by": "bot", "ts": wire.now_ms()}
                if survey["model_id"]:
                    offer["model_id"] = survey["model_id"]
                await self._keep(conversation_id, offer)

    async def agent_end(self, conversation_id: str, event: wire.HandoffEvent) -> str | None:
        """The case an agent just ended or handed back (read from the handoff's state, never written), kept as
        a survey of this conversation; ``None`` for any other event."""
        if event.type not in AGENT_ENDS or not event.agent_name:
            return None
        case_id = _text(await self._redis.get(handoff_keys.conversation(conversation_id)))
        if not case_id:
            return None
        state = await self._redis.hmget(handoff_keys.state(case_id), ["status", "last_agent"])
        if _text(state[0]) not in ENDED_STATUSES or not _text(state[1]):
            return None
        offer = {"v": VERSION, "survey_id": case_id, "handled_by": "agent", "case_id": case_id, "ts": wire.now_ms()}
        await self._keep(conversation_id, offer)
        return case_id

    async def offered(self, conversation_id: str, survey_id: str) -> dict[str, Any] | None:
        raw = await self._redis.hget(SURVEYS.format(id=conversation_id), survey_id)
        return dict(json.loads(raw)) if raw else None

    @staticmethod
    def kind(offer: dict[str, Any]) -> Literal["bot", "agent"]:
        return "agent" if offer.get("handled_by") == "agent" else "bot"
