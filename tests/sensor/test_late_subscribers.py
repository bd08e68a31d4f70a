"""Customers who say "yes, text me" after the sensor already handed an incident's subscribers on (the incident
went quiet, or a real alarm came to cover it): the notifier's reconciliation does the same hand-on for them."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
import pytest

from core.incident_board import incident
from notify.notifier import Notifier
from notify.service import NotifierService
from notify.subscriptions import Subscription
from sensor.service import SensorService
from tests.fixtures.simulator import RunningSimulator
from tests.notify.conftest import ChatRecorder
from tests.sensor.test_service import Clock
from tests.sensor.test_subscribers import AT, MERGE, open_one, parts, raise_real

__all__ = ["parts"]  # the fixture, shared with the hand-on tests

Parts = tuple[SensorService, Notifier, ChatRecorder, Clock]


async def late(sensor: SensorService, notify_key: str, conversation: str = "conv-late") -> None:
    await sensor.subscriptions.subscribe(Subscription(notify_key, conversation, ("chat",)))


async def test_a_late_subscriber_of_a_quiet_incident_hears_the_investigation_ended_at_the_next_pass(
    parts: Parts,
) -> None:
    sensor, notifier, chat, clock = parts
    opened = await open_one(sensor, clock, "CAB-N1-01", "N1")
    clock.now = AT + 3 * 60 + 1800
    await sensor.step(block_ms=None)
    await notifier.sweep()
    assert [c for c, _ in chat.said] == ["conv-waiting"]
    await late(sensor, opened.notify_key)
    service = NotifierService(notifier, sensor.redis, "http://127.0.0.1:9/unused", interval_s=0.2)
    delivering = asyncio.create_task(service.deliver_forever())  # as the notifier process runs, hub or not
    try:
        for _ in range(50):
            if len(chat.said) == 2:
                break
            await asyncio.sleep(0.1)
    finally:
        delivering.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await delivering
    conversation, text = chat.said[1]
    assert conversation == "conv-late" and text.startswith("Our network team has finished investigating")
    await notifier.reconcile()
    await notifier.sweep()
    assert len(chat.said) == 2, "each told once"


async def test_a_late_subscriber_of_a_covered_incident_waits_for_the_real_alarm_to_clear(
    parts: Parts, noc_simulator: RunningSimulator
) -> None:
    sensor, notifier, chat, clock = parts
    opened = await open_one(sensor, clock, "CAB-M1-02", "M1")
    real_id = await raise_real(noc_simulator, "CAB-M1-02")
    clock.now += 60
    await sensor.step(block_ms=None)
    await late(sensor, opened.notify_key)
    await notifier.reconcile_incidents()
    assert await sensor.subscriptions.for_alarm(opened.notify_key) == []
    assert sorted(s.conversation_id for s in await sensor.subscriptions.for_alarm(real_id)) == [
        "conv-late",
        "conv-waiting",
    ]
    await notifier.sweep()
    assert chat.said == [], "the real fault is not fixed yet"
    async with httpx.AsyncClient(timeout=10) as http:
        url = f"{noc_simulator.api_url('alarmManagement')}/alarm/{real_id}"
        (await http.patch(url, json={"state": "cleared"}, headers=MERGE)).raise_for_status()
    assert await notifier.alarm_changed(real_id) is True
    await notifier.sweep()
    assert sorted(c for c, _ in chat.said) == ["conv-late", "conv-waiting"]
    assert all(text.startswith("Your service is back") for _, text in chat.said)


async def test_a_late_subscriber_of_a_real_alarm_that_already_cleared_is_told_at_once(
    parts: Parts, noc_simulator: RunningSimulator
) -> None:
    sensor, notifier, chat, clock = parts
    opened = await open_one(sensor, clock, "CAB-M1-01", "M1")
    real_id = await raise_real(noc_simulator, "CAB-M1-01", "Street cabinet power failure")
    clock.now += 60
    await sensor.step(block_ms=None)
    record = await incident(sensor.redis, opened.id)
    assert record is not None and record.real_alarm is not None and record.real_alarm.id == real_id
    async with httpx.AsyncClient(timeout=10) as http:
        url = f"{noc_simulator.api_url('alarmManagement')}/alarm/{real_id}"
        (await http.patch(url, json={"state": "cleared"}, headers=MERGE)).raise_for_status()
    assert await notifier.alarm_changed(real_id) is True
    await notifier.sweep()
    assert [c for c, _ in chat.said] == ["conv-waiting"]
    await late(sensor, opened.notify_key)  # its hub event long passed
    await notifier.reconcile_incidents()
    await notifier.sweep()
    assert [c for c, _ in chat.said] == ["conv-waiting", "conv-late"]
    assert chat.said[1][1].startswith("Your service is back")


async def test_late_subscribers_of_an_open_or_unknown_incident_are_left_alone(
    parts: Parts, caplog: pytest.LogCaptureFixture
) -> None:
    sensor, notifier, chat, clock = parts
    opened = await open_one(sensor, clock, "CAB-B1-01", "B1")
    await late(sensor, "incident:INC-0badf00d", "conv-expired")
    with caplog.at_level(logging.WARNING, "notify.notifier"):
        await notifier.reconcile_incidents()
    await notifier.sweep()
    assert chat.said == []
    assert len(await sensor.subscriptions.for_alarm(opened.notify_key)) == 1, "still open: still waiting"
    assert len(await sensor.subscriptions.for_alarm("incident:INC-0badf00d")) == 1, "left to expire"
    assert "incident:INC-0badf00d is unknown" in caplog.text
