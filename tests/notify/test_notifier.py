"""A cleared alarm reaches every subscribed conversation once, by chat, SMS and e-mail, through real sinks."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from core.contracts.sensor import INCIDENT_KEY, Incident
from notify.alarms import AlarmApiError
from notify.notifier import Notifier, UnknownAlarm
from notify.smtp_sink import read_inbox
from notify.subscriptions import Subscription, SubscriptionStore
from simulator.sms_gateway import read_outbox
from tests.fixtures.simulator import RunningSimulator
from tests.notify.conftest import ChatRecorder, Served

G1_ALARM = "4101"  # the seeded area-wide exchange outage in Glasgow G1
MERGE = {"Content-Type": "application/merge-patch+json"}


def clear(simulator: RunningSimulator, alarm_id: str) -> None:
    url = f"{simulator.api_url('alarmManagement')}/alarm/{alarm_id}"
    httpx.patch(url, json={"state": "cleared"}, headers=MERGE, timeout=10).raise_for_status()


async def test_a_cleared_alarm_is_sent_on_every_channel_once(
    notifier: tuple[Notifier, ChatRecorder],
    simulator: RunningSimulator,
    sms_gateway_server: tuple[Served, Path],
    smtp: tuple[int, Path],
) -> None:
    service, chat = notifier
    await service.store.subscribe(Subscription(G1_ALARM, "conv-sms", ("chat", "sms"), sms_to="+447700900321"))
    await service.store.subscribe(Subscription(G1_ALARM, "conv-mail", ("chat", "email"), email_to="a@example.com"))
    assert await service.alarm_changed(G1_ALARM) is False  # still raised: nothing is sent
    assert (await service.sweep()).sent == {"chat": 0, "sms": 0, "email": 0}

    clear(simulator, G1_ALARM)
    assert await service.alarm_changed(G1_ALARM) is True
    assert await service.alarm_changed(G1_ALARM) is True  # a duplicate event
    report = await service.sweep()
    await service.sweep()
    assert report.sent == {"chat": 2, "sms": 1, "email": 1} and report.retired == 2
    assert sorted(c for c, _ in chat.said) == ["conv-mail", "conv-sms"]
    text = chat.said[0][1]
    assert text.startswith("Your service is back") and "Glasgow G1" in text and "powerProblem" not in text
    [sms] = read_outbox(sms_gateway_server[1])
    assert sms["to"] == "+447700900321" and sms["text"].startswith("Your service is back")
    [mail] = read_inbox(smtp[1])
    assert mail["to"] == ["a@example.com"] and mail["subject"] == "Your service is back"
    assert "Glasgow G1" in mail["text"]
    assert await service.store.for_alarm(G1_ALARM) == [] and await service.store.cleared() == []


async def test_a_failed_send_is_kept_and_retried_without_repeating_the_others(
    notifier: tuple[Notifier, ChatRecorder], simulator: RunningSimulator, sms_gateway_server: tuple[Served, Path]
) -> None:
    service, chat = notifier
    await service.store.subscribe(Subscription(G1_ALARM, "conv", ("chat", "sms"), sms_to="+447700900321"))
    clear(simulator, G1_ALARM)
    await service.alarm_changed(G1_ALARM)
    chat.fail = True
    report = await service.sweep()
    assert report.sent["sms"] == 1 and report.failed == 1
    assert await service.store.cleared() == [G1_ALARM]  # still owed
    chat.fail = False
    report = await service.sweep()
    assert report.sent == {"chat": 1, "sms": 0, "email": 0}
    assert len(read_outbox(sms_gateway_server[1])) == 1


async def test_stopped_subscriptions_send_nothing(
    notifier: tuple[Notifier, ChatRecorder], simulator: RunningSimulator, sms_gateway_server: tuple[Served, Path]
) -> None:
    service, chat = notifier
    await service.store.subscribe(Subscription(G1_ALARM, "conv", ("chat", "sms"), sms_to="+447700900321"))
    assert await service.store.stop("conv") == 1
    clear(simulator, G1_ALARM)
    await service.alarm_changed(G1_ALARM)
    await service.sweep()
    assert chat.said == [] and read_outbox(sms_gateway_server[1]) == []


async def test_expired_subscriptions_send_nothing(
    notifier: tuple[Notifier, ChatRecorder], simulator: RunningSimulator, redis: object
) -> None:
    service, chat = notifier
    short = SubscriptionStore(service.store._redis, ttl_s=1, max_per_alarm=5)
    await short.subscribe(Subscription(G1_ALARM, "conv", ("chat",)))
    import asyncio

    await asyncio.sleep(2.1)
    clear(simulator, G1_ALARM)
    await service.alarm_changed(G1_ALARM)
    assert (await service.sweep()).sent["chat"] == 0 and chat.said == []


async def test_unknown_alarms_and_an_unreachable_alarm_api_are_errors(
    notifier: tuple[Notifier, ChatRecorder], simulator: RunningSimulator
) -> None:
    service, _ = notifier
    with pytest.raises(UnknownAlarm):
        await service.alarm_changed("999999")
    with simulator.fault("alarmManagement", "error", status=503), pytest.raises(AlarmApiError):
        await service.alarm_changed(G1_ALARM)


async def test_a_charge_on_many_bills_ends_with_a_text_and_mail_about_the_bill(
    notifier: tuple[Notifier, ChatRecorder], sms_gateway_server: tuple[Served, Path], smtp: tuple[int, Path]
) -> None:
    service, _ = notifier
    ended = Incident(
        id="INC-0b111111",
        key="bill_line:Late payment fee:bill_increase",
        scope="bill_line",
        target="Late payment fee",
        symptom="bill_increase",
        evidence='5 customers with the bill line "Late payment fee" reported a higher bill',
        first_contact_at=1_750_000_000,
        latest_contact_at=1_750_000_600,
        detected_at=1_750_000_300,
        contacts=5,
        customers=["a", "b", "c", "d", "e"],
        confidence=0.9,
        baseline_per_hour=0.01,
        state="cleared",
        cleared_at=1_750_004_000,
        cleared_reason="quiet",
    )
    await service.store.redis.set(INCIDENT_KEY.format(id=ended.id), ended.model_dump_json())
    sub = Subscription(ended.notify_key, "conv", ("sms", "email"), sms_to="+447700900321", email_to="a@example.com")
    await service.store.subscribe(sub)
    await service.store.mark_cleared(ended.notify_key)
    assert (await service.sweep()).sent == {"chat": 0, "sms": 1, "email": 1}
    [sms] = read_outbox(sms_gateway_server[1])
    assert sms["text"] == (
        "Our team has finished looking into the charge customers reported on their bills. If your bill still "
        "looks wrong, chat to us again and we'll get you to a person."
    )
    [mail] = read_inbox(smtp[1])
    assert mail["subject"] == "We've finished looking into the charge on your bill"
    assert "If your bill still looks wrong" in mail["text"] and "network" not in mail["text"]
