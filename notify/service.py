"""The notifier process: its hub listener kept registered, the delivery loop, and the callback app.

* Registration: at start (after removing the listener an earlier run left, if the hub still has it), then
  every ``TRIAGE_NOTIFY_POLL_INTERVAL_S`` a check that the hub still knows it; a hub that forgot it (the
  simulator restarted) gets it again, and every subscribed alarm is checked at once for clears missed meanwhile.
* Fallback: while the hub refuses or cannot be reached, every subscribed alarm is read each interval instead
  (with a quicker retry, up to the interval, until the first registration).
* Delivery: a pass after every confirmed clear, and each interval for sends that failed; each pass first hands on
  subscriptions made to suspected incidents that had already ended (``Notifier.reconcile_incidents``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.chat.publisher import external_publisher
from core.oss.config import OssConfig
from core.redis.connect import connect, text
from core.settings import Settings
from notify.alarms import AlarmApi, AlarmApiError
from notify.email import EmailAdapter
from notify.listener import router
from notify.notifier import Notifier
from notify.sms import SmsAdapter
from notify.subscriptions import SubscriptionStore

log = logging.getLogger(__name__)

LISTENER_KEY = "triage:notify:listener"  # the hub listener id of the last run, removed at the next start
FIRST_RETRY_S = 0.5  # the hub is usually only starting: retry fast at first, doubling up to the interval


def store_for(redis: Redis, settings: Settings) -> SubscriptionStore:
    return SubscriptionStore(redis, settings.notify_ttl_s, settings.notify_max_per_alarm)


def build_notifier(redis: Redis, settings: Settings) -> Notifier:
    publisher = external_publisher(redis, settings.effective_redis_url)

    async def chat(conversation_id: str, text: str) -> None:
        await publisher.message(conversation_id, [{"text": text}], sender="bot")

    token = settings.sms_gateway_token.get_secret_value() if settings.sms_gateway_token else None
    return Notifier(
        store=store_for(redis, settings),
        api=AlarmApi(OssConfig.from_settings(settings)),
        chat=chat,
        sms=SmsAdapter(settings.effective_sms_gateway_url, settings.sms_sender, token),
        email=EmailAdapter(
            settings.effective_smtp_host,
            settings.smtp_port,
            settings.smtp_sender,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
        ),
    )


@dataclass
class HubState:
    mode: str = "starting"  # "hub" once registered, "polling" while the hub refuses or is unreachable
    listener_id: str | None = None


class NotifierService:
    def __init__(self, notifier: Notifier, redis: Redis, callback_url: str, interval_s: float) -> None:
        self.notifier = notifier
        self.hub = HubState()
        self._redis = redis
        self._callback = callback_url
        self._interval_s = interval_s
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def keep_registered(self) -> None:
        api = self.notifier.api
        stale = await self._redis.get(LISTENER_KEY)
        if stale:
            with contextlib.suppress(AlarmApiError):
                await api.unregister(text(stale))
        delay = FIRST_RETRY_S
        while True:
            try:
                if self.hub.listener_id is None or await api.listener_known(self.hub.listener_id) is False:
                    self.hub.listener_id = await api.register(self._callback)
                    await self._redis.set(LISTENER_KEY, self.hub.listener_id)
                    log.info("notify: listening on %s/hub as %s", api.base_url, self.hub.listener_id)
                    self.hub.mode = "hub"
                    await self._reconcile()
                delay = self._interval_s
            except AlarmApiError as exc:
                if self.hub.mode != "polling":
                    log.warning("notify: hub unavailable (%s); polling subscribed alarms instead", exc)
                self.hub = HubState(mode="polling")
                await self._reconcile()
                delay = min(delay * 2, self._interval_s)
            await asyncio.sleep(delay)

    async def _reconcile(self) -> None:
        await self.notifier.reconcile()
        self.wake()

    async def deliver_forever(self) -> None:
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval_s)
            self._wake.clear()
            try:
                await self.notifier.reconcile_incidents()  # Redis only: late subscribers of ended incidents
                await self.notifier.sweep()
            except Exception:  # Redis restarting, a bug in one message: log, keep the loop, try next pass
                log.exception("notify: delivery pass failed")

    async def stop(self) -> None:
        if self.hub.listener_id is not None:
            with contextlib.suppress(AlarmApiError):
                await self.notifier.api.unregister(self.hub.listener_id)
            # On `make run`'s Ctrl-C the embedded Redis may stop first: the next start removes the stale listener.
            with contextlib.suppress(RedisError):
                await self._redis.delete(LISTENER_KEY)


def create_app(settings: Settings) -> FastAPI:
    holder: dict[str, NotifierService] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        redis = connect(settings.effective_redis_url)
        notifier = build_notifier(redis, settings)
        service = NotifierService(
            notifier, redis, settings.effective_notifier_callback_url, settings.notify_poll_interval_s
        )
        holder["service"] = service
        tasks = [asyncio.create_task(service.keep_registered()), asyncio.create_task(service.deliver_forever())]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await service.stop()
            await notifier.api.aclose()
            await redis.aclose()

    app = FastAPI(title="Outage notifier", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(router(lambda: holder["service"].notifier, lambda: holder["service"].wake()))

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        hub = holder["service"].hub
        return {"v": 1, "status": "ok", "hub": hub.mode, "listener_id": hub.listener_id}

    return app
