"""Saying something to a customer: keep it in the conversation's history, then send it to every open page.

Sending goes through python-socketio's Redis manager, so it reaches the customer whichever gateway replica
holds their socket, and any process can publish: the gateway itself, or the process that runs the handoff
queues and the agents (:func:`external_publisher`), which publishes lifecycle events and agents' messages.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import socketio
from redis.asyncio import Redis

from bot.chat import wire
from bot.chat.store import ChatStore
from bot.chat.surveys import SurveyOffers
from bot.conversations import ConversationStore, Holder
from bot.rasa_client import BotMessage

FANOUT_CHANNEL = "triage:chat:socketio"  # python-socketio's pub/sub channel, shared by every replica

Emit = Callable[[str, dict[str, Any], str], Awaitable[None]]
"""Send ``event`` with ``data`` to a socket.io room (a conversation id or one socket id)."""

HOLDER_AFTER = {
    "queued": Holder.waiting,
    "position": Holder.waiting,
    "agent_joined": Holder.agent,
    "agent_left": Holder.bot,
    "requeued": Holder.waiting,
    "handed_back": Holder.bot,
    "closed": Holder.closed,
    "no_agent": Holder.waiting,
    "withdrawn": Holder.bot,
}


class ChatPublisher:
    def __init__(self, store: ChatStore, conversations: ConversationStore, emit: Emit) -> None:
        self._store = store
        self._conversations = conversations
        self._emit = emit
        self._surveys = SurveyOffers(store.redis)

    async def send(self, conversation_id: str, entries: list[dict[str, Any]]) -> None:
        """Send kept (numbered) ``message`` entries to every page of the conversation."""
        await self._surveys.keep_bot_surveys(conversation_id, entries)  # before the page can answer one
        for entry in entries:
            await self._emit(wire.BOT_UTTERED, wire.live_bot_uttered(entry), conversation_id)

    async def message(
        self, conversation_id: str, bodies: list[dict[str, Any]], sender: str = "system", agent_name: str | None = None
    ) -> list[dict[str, Any]]:
        """Keep and send ``bot_uttered`` bodies from someone other than Rasa's turn: the gateway, an agent, the bot
        at a hand-back. Returns the kept entries with their sequence numbers."""
        extra = {"agent_name": agent_name} if agent_name else {}
        entries = [{"kind": "message", "from": sender, "ts": wire.now_ms(), "body": b, **extra} for b in bodies]
        kept = await self._store.append(conversation_id, entries)
        await self.send(conversation_id, kept)
        return kept

    async def agent_message(self, conversation_id: str, agent_name: str, text: str) -> list[dict[str, Any]]:
        return await self.message(conversation_id, [{"text": text}], sender="agent", agent_name=agent_name)

    async def handoff_event(self, conversation_id: str, event: wire.HandoffEvent) -> None:
        """Send one lifecycle step; every step but typing is kept, so a reloaded page shows where things stand."""
        entry: dict[str, Any] = {"kind": "handoff", "ts": wire.now_ms(), "event": event.payload()}
        if case_id := await self._surveys.agent_end(conversation_id, event):
            entry["event"]["survey"] = {"v": wire.VERSION, "id": case_id}  # the page asks "How did we do?"
        if event.type != "agent_typing":
            [entry] = await self._store.append(conversation_id, [entry])
        if event.type in HOLDER_AFTER:
            await self._conversations.set_holder(conversation_id, HOLDER_AFTER[event.type])
        await self._emit(wire.HANDOFF, wire.live_handoff(entry), conversation_id)

    async def typing(self, conversation_id: str, typing: bool) -> None:
        await self._emit(wire.TYPING, {"v": wire.VERSION, "who": "bot", "typing": typing}, conversation_id)


def bot_entries(replies: list[BotMessage]) -> list[dict[str, Any]]:
    """Rasa's REST replies as history entries, one per ``bot_uttered`` they make."""
    now = wire.now_ms()
    bodies = [body for reply in replies for body in wire.bot_uttered_bodies(reply)]
    return [{"kind": "message", "from": "bot", "ts": now, "body": body} for body in bodies]


def server_emit(sio: socketio.AsyncServer) -> Emit:
    async def emit(event: str, data: dict[str, Any], room: str) -> None:
        await sio.emit(event, data, to=room)

    return emit


def external_publisher(redis: Redis, redis_url: str) -> ChatPublisher:
    """A publisher for a process that is not a gateway (it holds no sockets; the gateways deliver)."""
    manager = socketio.AsyncRedisManager(redis_url, channel=FANOUT_CHANNEL, write_only=True)

    async def emit(event: str, data: dict[str, Any], room: str) -> None:
        await manager.emit(event, data, namespace="/", room=room)

    return ChatPublisher(ChatStore(redis), ConversationStore(redis), emit)
