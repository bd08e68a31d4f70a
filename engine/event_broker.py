"""Rasa event broker of the learning store: ``event_broker: type: engine.event_broker.LearningEventBroker``.

Rasa publishes every new tracker event of every conversation to its event broker, whatever the dialogue did,
so capture does not depend on reaching any action (an abandoned conversation reaches none). This broker only
summarises the events and forwards them, unredacted, to the ``triage:learning:events`` stream
(:mod:`engine.forwarder`; the summary's shape is :mod:`core.contracts.learning_events`). The consumer (``python -m
learning.consumer``, app venv) redacts them before anything is stored, and turns them into records.

Configured by its entry in ``endpoints.yml``, whose values come from the environment the runner exports::

    event_broker:
      type: engine.event_broker.LearningEventBroker
      url: ${RASA_STORE_HOST}        # Redis host (default localhost)
      port: ${RASA_STORE_PORT}       # default 6379
      db: ${RASA_STORE_DB}           # default 0
      password: ${RASA_STORE_PASSWORD}
      stream: triage:learning:events # optional
      max_buffer: 10000              # summaries held in memory while Redis is away (then the oldest go)
      maxlen: 100000                 # entries the stream keeps at most while the consumer is away
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from core.contracts.learning_events import EVENTS_STREAM
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig
from redis.asyncio import Redis

from engine.forwarder import DEFAULT_CAPACITY, DEFAULT_MAXLEN, Forwarder

log = logging.getLogger(__name__)

REDIS_SOCKET_TIMEOUT_S = 2.0
"""A write that takes longer is retried later; the events wait in the buffer meanwhile."""


def _int(value: Any, default: int) -> int:
    """Values expanded from the environment arrive as strings; an empty one means the default."""
    return default if value in (None, "") else int(value)


def redis_from_config(config: EndpointConfig | None) -> Redis[bytes]:
    kwargs: dict[str, Any] = config.kwargs if config is not None else {}
    return Redis(
        host=(config.url if config is not None else None) or "localhost",
        port=_int(kwargs.get("port"), 6379),
        db=_int(kwargs.get("db"), 0),
        password=kwargs.get("password") or None,
        ssl=bool(kwargs.get("use_ssl")),
        socket_timeout=REDIS_SOCKET_TIMEOUT_S,
        socket_connect_timeout=REDIS_SOCKET_TIMEOUT_S,
    )


def forwarder_from_config(config: EndpointConfig | None, redis: Redis[bytes]) -> Forwarder:
    kwargs: dict[str, Any] = config.kwargs if config is not None else {}
    return Forwarder(
        redis,
        stream=str(kwargs.get("stream") or EVENTS_STREAM),
        capacity=_int(kwargs.get("max_buffer"), DEFAULT_CAPACITY),
        maxlen=_int(kwargs.get("maxlen"), DEFAULT_MAXLEN),
    )


class LearningEventBroker(EventBroker):  # type: ignore[misc]
    def __init__(self, forwarder: Forwarder, redis: Redis[bytes] | None = None) -> None:
        self.forwarder = forwarder
        self._redis = redis

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig | None, event_loop: asyncio.AbstractEventLoop | None = None
    ) -> LearningEventBroker:
        redis = redis_from_config(broker_config)
        forwarder = forwarder_from_config(broker_config, redis)
        forwarder.start()
        log.info("learning store: forwarding Rasa events")
        return cls(forwarder, redis)

    def publish(self, event: dict[str, Any]) -> None:
        self.forwarder.publish(event)

    def is_ready(self) -> bool:
        return True

    async def close(self) -> None:
        await self.forwarder.close()
        if self._redis is not None:
            await self._redis.close()
