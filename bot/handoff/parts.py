"""What every part of the handoff service shares: the stores, the queues, presence, and the consoles' channel.

The service is split by who it serves (``places``: where waiting customers stand; ``escalation``: requests into
cases; ``customer_side``: the customer while a person is coming or there; ``agent_side``: agents' moves);
``service.HandoffService`` joins them. Each part reads the shared parts from here.
"""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis

from bot.auth.accounts import Accounts
from bot.chat.publisher import ChatPublisher
from bot.chat.store import ChatStore
from bot.conversations import ConversationStore
from bot.handoff import keys
from bot.handoff.presence import Presence
from bot.handoff.queues import CaseQueues
from bot.handoff.streams import QueueStreams
from bot.handoff.tracker import TrackerRecorder
from core.settings import Settings


class HandoffParts:
    def __init__(
        self,
        settings: Settings,
        redis: Redis,
        store: ChatStore,
        conversations: ConversationStore,
        publisher: ChatPublisher,
        recorder: TrackerRecorder,
    ) -> None:
        self.settings = settings
        self.redis = redis
        self.store = store
        self.conversations = conversations
        self.publisher = publisher
        self.recorder = recorder
        self.queues = CaseQueues(redis, settings.handoff_average_handle_s)
        self.streams = QueueStreams(redis)
        self.presence = Presence(redis, settings.handoff_presence_ttl_s)
        self.accounts = Accounts(redis, settings.accounts_session_ttl_s)

    async def display_name(self, agent: str) -> str:
        """The name the customer sees for ``agent``: their account's display name, never the login."""
        return await self.accounts.display_name(agent)

    async def console(self, message: dict[str, Any]) -> None:
        """Tell every agent console (through each gateway's fan-out of ``keys.CONSOLE``)."""
        await self.redis.publish(keys.CONSOLE, json.dumps({"v": 1, "at": time.time(), **message}, default=str))
