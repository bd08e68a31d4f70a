"""Subscriptions in Redis: keyed by the alarm, capped, expiring, and stoppable by their conversation."""

from __future__ import annotations

import asyncio
import json

import pytest
from redis.asyncio import Redis

from notify.subscriptions import Subscription, SubscriptionsFull, SubscriptionStore


async def test_a_subscription_is_kept_versioned_under_its_alarm(store: SubscriptionStore, redis: Redis) -> None:
    await store.subscribe(Subscription("4101", "conv-a", ("chat", "sms"), sms_to="+447700900321"))
    raw = await redis.get("triage:notify:sub:4101:conv-a")
    assert raw is not None and json.loads(raw)["v"] == 1
    assert 0 < await redis.ttl("triage:notify:sub:4101:conv-a") <= 3600
    [sub] = await store.for_alarm("4101")
    assert sub.channels == ("chat", "sms") and sub.sms_to == "+447700900321"
    assert await store.subscribed_alarms() == ["4101"]


async def test_subscribing_again_replaces_and_the_cap_refuses_more(store: SubscriptionStore) -> None:
    for conversation in ("a", "b", "c"):
        await store.subscribe(Subscription("4101", conversation, ("chat",)))
    await store.subscribe(Subscription("4101", "a", ("chat", "email"), email_to="a@example.com"))
    with pytest.raises(SubscriptionsFull):
        await store.subscribe(Subscription("4101", "d", ("chat",)))
    assert len(await store.for_alarm("4101")) == 3
    await store.subscribe(Subscription("4102", "d", ("chat",)))  # the cap is per alarm


async def test_bad_subscriptions_are_refused(store: SubscriptionStore) -> None:
    with pytest.raises(ValueError, match="needs its address"):
        await store.subscribe(Subscription("4101", "a", ("sms",)))
    with pytest.raises(ValueError, match="channels must be"):
        await store.subscribe(Subscription("4101", "a", ("pigeon",)))
    assert await store.for_alarm("4101") == []


async def test_subscriptions_expire(redis: Redis) -> None:
    short = SubscriptionStore(redis, ttl_s=1, max_per_alarm=1)
    await short.subscribe(Subscription("4101", "a", ("chat",)))
    await asyncio.sleep(2.1)
    assert await short.for_alarm("4101") == []
    await short.subscribe(Subscription("4101", "b", ("chat",)))  # the expired one no longer counts


async def test_stop_removes_only_that_conversations_subscriptions(store: SubscriptionStore) -> None:
    await store.subscribe(Subscription("4101", "a", ("chat",)))
    await store.subscribe(Subscription("4103", "a", ("chat",)))
    await store.subscribe(Subscription("4101", "b", ("chat",)))
    assert await store.stop("a") == 2
    assert [s.conversation_id for s in await store.for_alarm("4101")] == ["b"]
    assert await store.for_alarm("4103") == []
    assert await store.stop("a") == 0
