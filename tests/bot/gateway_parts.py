"""The gateway's core objects built as ``bot/app.py`` builds them, on a throwaway Redis and a Rasa stand-in.

No web framework, no socket server, no agents' console: the chat store, the conversation store, the publisher
(its sends kept in a list, as the socket.io server would emit them), the handoff service and the delivery that
is given the service as its port.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from bot.chat.delivery import Delivery
from bot.chat.publisher import ChatPublisher
from bot.chat.store import ChatStore
from bot.conversations import ConversationStore
from bot.handoff.service import HandoffService
from bot.handoff.tracker import TrackerRecorder
from bot.rasa_client import RasaClient
from core.settings import Settings
from tests.bot.rasa_standin import RasaStandIn, serve_rasa_standin
from tests.fixtures.redis_server import RedisServer

DATABASE = 5  # of the session's throwaway Redis: these tests' alone, emptied before each
RASA_TIMEOUT_S = 2.0
CLIENT_ID = "client-{:04d}"


@dataclass
class Sent:
    """What the pages of each conversation were sent, in order: ``(event, data)``."""

    events: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)

    async def emit(self, event: str, data: dict[str, Any], room: str) -> None:
        self.events.setdefault(room, []).append((event, data))


@dataclass
class GatewayParts:
    redis: Redis
    rasa: RasaStandIn
    settings: Settings
    store: ChatStore
    conversations: ConversationStore
    publisher: ChatPublisher
    handoff: HandoffService
    delivery: Delivery
    sent: Sent

    async def new_conversation(self) -> str:
        return (await self.conversations.create()).id

    async def customer_says(self, conversation_id: str, *texts: str) -> list[int]:
        """Keep each message as the socket channel does (not yet handed to Rasa); returns their seq numbers."""
        seqs = []
        for text in texts:
            number = len(await self.store.history(conversation_id)) + 1
            entry = {"kind": "customer", "ts": 1_700_000_000_000, "client_id": CLIENT_ID.format(number), "text": text}
            accepted = await self.store.accept_customer(
                conversation_id, entry, for_rasa=True, rate_limit=100, rate_window_s=60
            )
            seqs.append(accepted.seq)
        return seqs

    async def bodies(self, conversation_id: str) -> list[dict[str, Any]]:
        """The customer's history as a reloaded page shows it: who said what, and the handoff steps."""
        shown = []
        for entry in await self.store.history(conversation_id):
            if entry["kind"] == "customer":
                shown.append({"customer": entry["text"]})
            elif entry["kind"] == "message":
                shown.append({entry["from"]: entry["body"]})
            else:
                shown.append({"handoff": entry["event"]["type"]})
        return shown


@asynccontextmanager
async def gateway_parts(redis_server: RedisServer, **settings: Any) -> AsyncIterator[GatewayParts]:
    redis = Redis.from_url(redis_server.url.removesuffix("/0") + f"/{DATABASE}")
    await redis.flushdb()
    async with serve_rasa_standin() as standin:
        config = Settings(rasa_url=standin.url, **settings)
        rasa = RasaClient(standin.url, RASA_TIMEOUT_S)
        conversations = ConversationStore(redis)
        store = ChatStore(redis)
        sent = Sent()
        publisher = ChatPublisher(store, conversations, sent.emit)
        recorder = TrackerRecorder(redis, standin.url, None, RASA_TIMEOUT_S)
        handoff = HandoffService(config, redis, store, conversations, publisher, recorder)
        delivery = Delivery(
            store, conversations, publisher, rasa, handoff, rasa_timeout_s=RASA_TIMEOUT_S, retry_interval_s=0.1
        )
        try:
            yield GatewayParts(redis, standin, config, store, conversations, publisher, handoff, delivery, sent)
        finally:
            await delivery.aclose()
            await recorder.aclose()
            await rasa.aclose()
            await redis.aclose()
