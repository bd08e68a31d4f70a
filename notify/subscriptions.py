"""Who asked to be told when an alarm clears, kept in Redis keyed by the alarm, each with an expiry.

Keys (``<alarm>`` is the TMF642 alarm id, or ``incident:<id>`` for a suspected incident of the network sensor
(``core.contracts.sensor.Incident.notify_key``), ``<conversation>`` the web chat conversation id, which is Rasa's
sender id):

* ``triage:notify:alarm:<alarm>``: sorted set, conversation id -> expiry (epoch s); the cap counts it;
* ``triage:notify:sub:<alarm>:<conversation>``: the subscription, JSON ``{"v": 1, "alarm_id",
  "conversation_id", "channels": ["chat", "sms", "email"], "sms_to", "email_to", "created_at"}``, expiring;
* ``triage:notify:sent:<alarm>:<conversation>``: hash channel -> epoch ms it was sent (never sent twice);
* ``triage:notify:claim:<alarm>:<conversation>:<channel>``: held (with a lease) while one notifier sends it;
* ``triage:notify:conversation:<conversation>``: set of alarm ids the conversation subscribed to (to stop them);
* ``triage:notify:cleared``: set of alarm ids confirmed cleared whose subscriptions are not all sent yet.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from core.redis.connect import text
from core.redis.scripts import register

log = logging.getLogger(__name__)

VERSION = 1
INCIDENT_PREFIX = "incident:"
"""Keys of suspected incidents: TMF642 knows nothing of them, the sensor marks them cleared."""
CHANNELS = ("chat", "sms", "email")
ALARM = "triage:notify:alarm:{alarm}"
SUB = "triage:notify:sub:{alarm}:{conversation}"
SENT = "triage:notify:sent:{alarm}:{conversation}"
CLAIM = "triage:notify:claim:{alarm}:{conversation}:{channel}"
CONVERSATION = "triage:notify:conversation:{conversation}"
CLEARED = "triage:notify:cleared"


def is_incident(alarm_id: str) -> bool:
    return alarm_id.startswith(INCIDENT_PREFIX)


class SubscriptionsFull(Exception):
    """The alarm already holds the most subscriptions allowed (``TRIAGE_NOTIFY_MAX_PER_ALARM``)."""


@dataclass(frozen=True)
class Subscription:
    alarm_id: str
    conversation_id: str
    channels: tuple[str, ...]
    sms_to: str | None = None
    """E.164."""
    email_to: str | None = None
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def payload(self) -> str:
        return json.dumps(
            {
                "v": VERSION,
                "alarm_id": self.alarm_id,
                "conversation_id": self.conversation_id,
                "channels": list(self.channels),
                "sms_to": self.sms_to,
                "email_to": self.email_to,
                "created_at": self.created_at,
            }
        )

    @classmethod
    def parse(cls, raw: bytes | str) -> Subscription:
        data: dict[str, Any] = json.loads(raw)
        return cls(
            alarm_id=str(data["alarm_id"]),
            conversation_id=str(data["conversation_id"]),
            channels=tuple(str(c) for c in data["channels"]),
            sms_to=data.get("sms_to"),
            email_to=data.get("email_to"),
            created_at=str(data["created_at"]),
        )

    def keys(self) -> dict[str, str]:
        ids = {"alarm": self.alarm_id, "conversation": self.conversation_id}
        return {"sub": SUB.format(**ids), "sent": SENT.format(**ids)}


class SubscriptionStore:
    def __init__(self, redis: Redis, ttl_s: int, max_per_alarm: int) -> None:
        self._redis = redis
        self.ttl_s = ttl_s
        self.max_per_alarm = max_per_alarm
        self._subscribe = register(redis, "notify", "subscribe")
        self._retire = register(redis, "notify", "retire")
        self._settle = register(redis, "notify", "settle")

    @property
    def redis(self) -> Redis:
        return self._redis

    async def subscribe(self, sub: Subscription) -> None:
        """Keep ``sub`` (replacing this conversation's earlier one for the alarm); raise SubscriptionsFull."""
        unknown = set(sub.channels) - set(CHANNELS)
        if unknown or not sub.channels:
            raise ValueError(f"channels must be some of {CHANNELS}, not {sorted(unknown) or 'none'}")
        if ("sms" in sub.channels and not sub.sms_to) or ("email" in sub.channels and not sub.email_to):
            raise ValueError("an sms or email channel needs its address")
        keys = sub.keys()
        added = await self._subscribe(
            keys=[
                ALARM.format(alarm=sub.alarm_id),
                keys["sub"],
                CONVERSATION.format(conversation=sub.conversation_id),
                keys["sent"],
            ],
            args=[sub.conversation_id, sub.alarm_id, sub.payload(), self.ttl_s, int(time.time()), self.max_per_alarm],
        )
        if not int(added):
            raise SubscriptionsFull(sub.alarm_id)

    async def for_alarm(self, alarm_id: str) -> list[Subscription]:
        """The alarm's subscriptions not yet expired (expired ones are dropped on the way)."""
        key = ALARM.format(alarm=alarm_id)
        members = await self._redis.zrangebyscore(key, time.time(), "+inf")
        found = []
        for member in members:
            conversation = text(member)
            raw = await self._redis.get(SUB.format(alarm=alarm_id, conversation=conversation))
            if raw is None:
                await self._redis.zrem(key, conversation)
                continue
            found.append(Subscription.parse(raw))
        return found

    async def for_conversation(self, conversation_id: str) -> list[Subscription]:
        alarms = await self._redis.smembers(CONVERSATION.format(conversation=conversation_id))
        found = []
        for alarm in sorted(text(a) for a in alarms):
            raw = await self._redis.get(SUB.format(alarm=alarm, conversation=conversation_id))
            if raw is not None:
                found.append(Subscription.parse(raw))
        return found

    async def stop(self, conversation_id: str) -> int:
        """Remove every subscription of the conversation; return how many there were."""
        subs = await self.for_conversation(conversation_id)
        for sub in subs:
            await self.retire(sub)
        await self._redis.delete(CONVERSATION.format(conversation=conversation_id))
        return len(subs)

    async def retire(self, sub: Subscription) -> None:
        keys = sub.keys()
        await self._retire(
            keys=[
                ALARM.format(alarm=sub.alarm_id),
                keys["sub"],
                keys["sent"],
                CONVERSATION.format(conversation=sub.conversation_id),
            ],
            args=[sub.conversation_id, sub.alarm_id],
        )

    async def move(self, from_alarm: str, to_alarm: str) -> int:
        """Hand every subscription of ``from_alarm`` to ``to_alarm``: a real alarm came to cover a suspected
        incident, so its subscribers hear "your service is back" when that alarm clears. Safe to repeat after a
        crash halfway (a subscription is added to the new key before it leaves the old). Returns how many moved."""
        moved = 0
        for sub in await self.for_alarm(from_alarm):
            try:
                await self.subscribe(replace(sub, alarm_id=to_alarm))
                moved += 1
            except SubscriptionsFull:
                log.warning("notify: alarm %s is full; a subscription of %s is dropped", to_alarm, from_alarm)
            await self.retire(sub)
        return moved

    # ---------------------------------------------------------------- sending each channel once

    async def sent_channels(self, sub: Subscription) -> set[str]:
        return {text(c) for c in await self._redis.hkeys(sub.keys()["sent"])}

    async def claim(self, sub: Subscription, channel: str, lease_s: float) -> bool:
        """Take the right to send ``channel`` of ``sub`` for ``lease_s``; false when another holds it or it was sent."""
        if channel in await self.sent_channels(sub):
            return False
        key = CLAIM.format(alarm=sub.alarm_id, conversation=sub.conversation_id, channel=channel)
        return bool(await self._redis.set(key, "1", nx=True, px=int(lease_s * 1000)))

    async def mark_sent(self, sub: Subscription, channel: str) -> None:
        key = sub.keys()["sent"]
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, channel, int(time.time() * 1000))
            pipe.expire(key, self.ttl_s)
            pipe.delete(CLAIM.format(alarm=sub.alarm_id, conversation=sub.conversation_id, channel=channel))
            await pipe.execute()

    async def release(self, sub: Subscription, channel: str) -> None:
        """Give a claim back after a failed send, so the next pass tries again."""
        await self._redis.delete(CLAIM.format(alarm=sub.alarm_id, conversation=sub.conversation_id, channel=channel))

    # ---------------------------------------------------------------- alarms confirmed cleared

    async def mark_cleared(self, alarm_id: str) -> None:
        await self._redis.sadd(CLEARED, alarm_id)

    async def cleared(self) -> list[str]:
        return sorted(text(a) for a in await self._redis.smembers(CLEARED))

    async def settle(self, alarm_id: str) -> bool:
        """Forget a cleared alarm when none of its subscriptions is left; return whether it was."""
        done = await self._settle(keys=[ALARM.format(alarm=alarm_id), CLEARED], args=[alarm_id, time.time()])
        return bool(int(done))

    async def subscribed_alarms(self) -> list[str]:
        """Every alarm with a subscription (for a reconciliation pass after a restart or without a hub)."""
        prefix = ALARM.format(alarm="")
        return sorted([text(k)[len(prefix) :] async for k in self._redis.scan_iter(match=prefix + "*", count=500)])
