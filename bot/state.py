"""What the gateway opens once at start and shares with every request (typed lifespan state)."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from bot.chat.delivery import Delivery
from bot.chat.publisher import ChatPublisher
from bot.chat.store import ChatStore
from bot.conversations import ConversationStore
from bot.rasa_client import RasaClient
from core.settings import Settings


@dataclass
class ChatState:
    """The web chat's parts: what Redis keeps, who is told, and the carrier of messages to Rasa."""

    store: ChatStore
    publisher: ChatPublisher
    delivery: Delivery


@dataclass
class GatewayState:
    settings: Settings
    redis: Redis
    rasa: RasaClient
    conversations: ConversationStore
    chat: ChatState
