"""A customer's turn as the web chat page takes it, robust to the events a reconnect or a restart leaves behind.

``SocketChat.say`` ends a turn at the first ``typing: false`` after sending; after a reconnect the end of an
earlier turn can arrive late and be taken for it. Here a turn ends at a ``typing: false`` that follows a
``bot_uttered`` sent after the message. And like the page, a message the gateway could not keep (``unavailable``,
while its Redis connection is being re-established) is sent again with the same client id.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from tests.fixtures.socket_chat import SocketChat, texts

TURN_TIMEOUT_S = 90
RESEND_AFTER_S = 0.5
RESENDS = 10


async def send(chat: SocketChat, text: str) -> dict[str, Any]:
    client_id = secrets.token_hex(8)
    for _ in range(RESENDS):
        ack = await chat.send(text, client_id=client_id)
        if ack.get("error") != "unavailable":
            return ack
        await asyncio.sleep(RESEND_AFTER_S)
    return ack


async def answered(chat: SocketChat, mark: int, wait_s: float = TURN_TIMEOUT_S) -> list[dict[str, Any]]:
    """The ``bot_uttered`` payloads after event ``mark``, once a ``typing: false`` followed the first of them."""

    def done() -> list[dict[str, Any]] | None:
        events = chat.events[mark:]
        first = next((i for i, (name, _) in enumerate(events) if name == "bot_uttered"), None)
        if first is None:
            return None
        ended = any(n == "typing" and isinstance(d, dict) and d.get("typing") is False for n, d in events[first:])
        return chat.uttered(mark) if ended else None

    result: list[dict[str, Any]] = await chat.until(done, "a bot turn", wait_s)
    return result


async def say(chat: SocketChat, text: str, wait_s: float = TURN_TIMEOUT_S) -> list[dict[str, Any]]:
    mark = len(chat.events)
    ack = await send(chat, text)
    assert "error" not in ack, ack
    return await answered(chat, mark, wait_s)


async def say_text(chat: SocketChat, text: str, wait_s: float = TURN_TIMEOUT_S) -> str:
    return texts(await say(chat, text, wait_s))
