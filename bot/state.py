"""What the gateway opens once at start and shares with every request (typed lifespan state)."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from bot.conversations import ConversationStore
from bot.rasa_client import RasaClient
from bot.settings import Settings


@dataclass
class GatewayState:
    settings: Settings
    redis: Redis[bytes]
    rasa: RasaClient
    conversations: ConversationStore
