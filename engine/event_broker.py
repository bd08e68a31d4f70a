"""Rasa event broker of the learning store: ``event_broker: type: engine.event_broker.LearningEventBroker``.

Rasa publishes every new tracker event of every conversation to its event broker, whatever the dialogue did,
so capture does not depend on reaching any action (an abandoned conversation reaches none). This broker only
summarises, redacts and forwards the events to the ``triage:learning:events`` stream (see
:mod:`engine.forwarder`); the consumer (``python -m learning.consumer``) turns them into records.

Configuration comes from the product's settings (``TRIAGE_REDIS_URL``/``REDIS_URL``, the learning settings);
an optional ``url:`` in ``endpoints.yml`` points the broker at another Redis.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

from rasa.core.brokers.broker import EventBroker
from redis.asyncio import Redis

from core.settings import PROJECT_ROOT, Settings, get_settings
from engine.forwarder import Forwarder
from engine.spool import Spool
from learning.redaction import Redactor, build_redactor

log = logging.getLogger(__name__)

REDIS_SOCKET_TIMEOUT_S = 2.0
"""A write that takes longer is retried later; the events wait in the buffer meanwhile."""


def make_forwarder(settings: Settings, redis_url: str | None = None) -> Forwarder:
    """The broker's machinery, built from the settings (also used by tests and the benchmark)."""
    redis: Redis[bytes] = Redis.from_url(
        redis_url or settings.effective_redis_url,
        socket_timeout=REDIS_SOCKET_TIMEOUT_S,
        socket_connect_timeout=REDIS_SOCKET_TIMEOUT_S,
    )
    redactor = partial(redactor_for, settings)
    spool = Spool(settings.learning_spool_dir or settings.var_dir / "learning-spool")
    secret = settings.learning_pseudonym_secret.get_secret_value()
    return Forwarder(redis, redactor, secret, settings.learning_buffer_max, spool)


def redactor_for(settings: Settings) -> Redactor:
    return build_redactor(str(settings.spacy_model), str(PROJECT_ROOT / "data" / "nlu"))


class LearningEventBroker(EventBroker):  # type: ignore[misc]
    def __init__(self, forwarder: Forwarder) -> None:
        self.forwarder = forwarder

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: Any, event_loop: asyncio.AbstractEventLoop | None = None
    ) -> LearningEventBroker:
        url = getattr(broker_config, "url", None) if broker_config is not None else None
        forwarder = make_forwarder(get_settings(), url)
        forwarder.start()
        log.info("learning store: capturing Rasa events")
        return cls(forwarder)

    def publish(self, event: dict[str, Any]) -> None:
        self.forwarder.publish(event)

    def is_ready(self) -> bool:
        return True

    async def close(self) -> None:
        await self.forwarder.close()
