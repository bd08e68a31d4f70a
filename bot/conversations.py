"""Customer conversations: unguessable ids and the bearer token that alone may read and write each one."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from redis.asyncio import Redis

KEY = "triage:conversation:{id}"
TTL_S = 30 * 24 * 3600  # a customer may come back to a conversation for a month


@dataclass(frozen=True)
class NewConversation:
    id: str
    token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ConversationStore:
    def __init__(self, redis: Redis[bytes]) -> None:
        self._redis = redis

    async def create(self) -> NewConversation:
        conversation = NewConversation(id=secrets.token_urlsafe(18), token=secrets.token_urlsafe(32))
        key = KEY.format(id=conversation.id)
        await self._redis.hset(key, mapping={"token_sha256": _digest(conversation.token), "created": time.time()})
        await self._redis.expire(key, TTL_S)
        return conversation

    async def authorised(self, conversation_id: str, token: str) -> bool:
        stored = await self._redis.hget(KEY.format(id=conversation_id), "token_sha256")
        if stored is None:
            return False
        expected = stored.decode() if isinstance(stored, bytes) else str(stored)
        return hmac.compare_digest(expected, _digest(token))
