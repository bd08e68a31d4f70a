"""Who held a conversation's chat last: read straight from the handoff's keys, for checks made outside the
handoff service (an agent may record a disposition only for a chat they held)."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.handoff import keys


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


async def last_holder(redis: Redis, conversation_id: str) -> str | None:
    """The login of the agent who holds or last held the conversation's latest case; ``None`` without one."""
    case_id = _text(await redis.get(keys.conversation(conversation_id)))
    return _text(await redis.hget(keys.state(case_id), "agent")) if case_id else None
