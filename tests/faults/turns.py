"""A customer's turn as the web chat page takes it, robust to the events a reconnect or a restart leaves behind.

``SocketChat.say`` ends a turn at the first ``typing: false`` after sending; after a reconnect the end of an
earlier turn can arrive late and be taken for it. Here a turn ends at a ``typing: false`` that follows a
``bot_uttered`` sent after the message, and, as the page shows each entry by sequence number once, a bot message
kept before the customer's (an at-least-once copy of the previous turn's reply, on a new connection) is not taken
for the answer. And like the page, a message the gateway could not keep (``unavailable``,
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


def _newer(data: Any, after_seq: int) -> bool:
    seq = (data.get("metadata") or {}).get("seq") if isinstance(data, dict) else None
    return not isinstance(seq, int) or seq > after_seq


async def answered(
    chat: SocketChat, mark: int, wait_s: float = TURN_TIMEOUT_S, after_seq: int = 0
) -> list[dict[str, Any]]:
    """The ``bot_uttered`` payloads after event ``mark`` kept after sequence number ``after_seq`` (the customer's
    message), once a ``typing: false`` followed the first of them."""

    def replies() -> list[tuple[int, Any]]:
        return [(i, d) for i, (n, d) in enumerate(chat.events[mark:]) if n == "bot_uttered" and _newer(d, after_seq)]

    def done() -> list[dict[str, Any]] | None:
        found = replies()
        if not found:
            return None
        events = chat.events[mark + found[0][0] :]
        ended = any(n == "typing" and isinstance(d, dict) and d.get("typing") is False for n, d in events)
        return [d for _, d in found] if ended else None

    result: list[dict[str, Any]] = await chat.until(done, "a bot turn", wait_s)
    return result


async def say(chat: SocketChat, text: str, wait_s: float = TURN_TIMEOUT_S) -> list[dict[str, Any]]:
    mark = len(chat.events)
    ack = await send(chat, text)
    assert "error" not in ack, ack
    return await answered(chat, mark, wait_s, after_seq=int(ack.get("seq") or 0))


async def say_text(chat: SocketChat, text: str, wait_s: float = TURN_TIMEOUT_S) -> str:
    return texts(await say(chat, text, wait_s))
