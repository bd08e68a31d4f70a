"""Customer conversations: unguessable ids and the bearer token that alone may read and write each one.

The HTTP API takes the id and the token separately. The socket.io channel carries both in one session id,
``<conversation id>.<token>``, because Rasa's web chat widgets keep exactly one opaque ``session_id`` and present
it again on reconnect: a widget that kept it resumes its conversation, and an id without its token (guessed,
or copied from a log) never opens anyone's conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

from redis.asyncio import Redis

KEY = "triage:conversation:{id}"
TTL_S = 30 * 24 * 3600  # a customer may come back to a conversation for a month
SESSION_SEPARATOR = "."  # never in an id or a token: both are URL-safe base64


class Holder(StrEnum):
    """Who answers the customer now: the bot, nobody yet (queued for a person), a person, or nobody (closed).

    ``closed``: a person ended the chat; the customer's next message goes to the bot again.
    """

    bot = "bot"
    waiting = "waiting"
    agent = "agent"
    closed = "closed"


@dataclass(frozen=True)
class NewConversation:
    id: str
    token: str

    @property
    def session_id(self) -> str:
        return f"{self.id}{SESSION_SEPARATOR}{self.token}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class ConversationStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def create(self) -> NewConversation:
        conversation = NewConversation(id=secrets.token_urlsafe(18), token=secrets.token_urlsafe(32))
        key = KEY.format(id=conversation.id)
        await self._redis.hset(key, mapping={"token_sha256": _digest(conversation.token), "created": time.time()})
        await self._redis.expire(key, TTL_S)
        return conversation

    async def authorised(self, conversation_id: str, token: str) -> bool:
        stored = _text(await self._redis.hget(KEY.format(id=conversation_id), "token_sha256"))
        if stored is None:
            return False
        return hmac.compare_digest(stored, _digest(token))

    async def resume(self, session_id: object) -> str | None:
        """The conversation a socket.io session id opens, or ``None`` (absent, malformed, unknown or wrong token)."""
        if not isinstance(session_id, str) or len(session_id) > 200:
            return None
        conversation_id, separator, token = session_id.partition(SESSION_SEPARATOR)
        if not separator or not conversation_id or not token:
            return None
        if await self.authorised(conversation_id, token):
            await self._redis.expire(KEY.format(id=conversation_id), TTL_S)
            return conversation_id
        return None

    async def holder(self, conversation_id: str) -> Holder:
        stored = _text(await self._redis.hget(KEY.format(id=conversation_id), "holder"))
        return Holder(stored) if stored is not None and stored in Holder.__members__ else Holder.bot

    async def set_holder(self, conversation_id: str, holder: Holder) -> None:
        await self._redis.hset(KEY.format(id=conversation_id), "holder", holder.value)
