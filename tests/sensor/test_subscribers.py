"""Customers who asked to hear about a suspected incident: told the investigation ended when it goes quiet, or
handed to the real alarm that came to cover it and told their service is back when that clears."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Literal

import httpx
import pytest
from redis.asyncio import Redis

from core.contracts.sensor import DIAGNOSES_STREAM, Incident
from core.incident_board import incident, open_incidents
from core.oss.config import OssConfig
from notify.alarms import AlarmApi
from notify.email import EmailAdapter
from notify.notifier import Notifier
from notify.sms import SmsAdapter
from notify.subscriptions import Subscription, SubscriptionStore
from sensor.detector import DetectorConfig
from sensor.noc import Noc
from sensor.service import NOC_RETRY_S, SensorService
from tests.fixtures.ports import free_port
from tests.fixtures.simulator import RunningSimulator
from tests.notify.conftest import ChatRecorder
from tests.sensor.conftest import T0, diagnosis, network_tickets, sensor_alarms
from tests.sensor.test_service import Clock

AT = T0 + 18 * 3600
MERGE = {"Content-Type": "application/merge-patch+json"}
BILL = {"symptom": "bill_increase", "service_kind": None, "finding": "oneOffCharge", "bill_line": "Late payment fee"}


async def raise_real(simulator: RunningSimulator, node: str, problem: str = "Fibre feed to street cabinet cut") -> str:
    """The NOC's own alarm on ``node``, as its network raises one; returns its id."""
    body = {
        "alarmType": "communicationsAlarm",
        "perceivedSeverity": "major",
        "probableCause": "lossOfSignal",
        "specificProblem": problem,
        "state": "raised",
        "alarmedObject": {"id": node},
        "sourceSystemId": "NOC-OSS",
        "serviceAffecting": True,
    }
    async with httpx.AsyncClient(timeout=10) as http:
        created = await http.post(simulator.api_url("alarmManagement") + "/alarm", json=body)
        created.raise_for_status()
        return str(created.json()["id"])


def unreachable_noc(kind: Literal["alarm", "ticket"] = "alarm") -> Noc:
    return Noc(OssConfig(base_url=f"http://127.0.0.1:{free_port()}/tmf-api", timeout_s=1.0), kind)


@pytest.fixture
async def parts(
    redis: Redis, noc_simulator: RunningSimulator
) -> AsyncIterator[tuple[SensorService, Notifier, ChatRecorder, Clock]]:
    clock = Clock(AT)
    subscriptions = SubscriptionStore(redis, 3600, 100)
    noc = Noc(OssConfig(base_url=noc_simulator.root_url, timeout_s=3.0), "alarm")
    sensor = SensorService(
        redis, DetectorConfig(quiet_s=1800), noc, subscriptions, poll_s=60, noc_update_s=0, clock=clock
    )
    await sensor.start()
    chat = ChatRecorder([])
    api = AlarmApi(OssConfig(base_url=noc_simulator.root_url, timeout_s=3.0))
    sms = SmsAdapter(f"http://127.0.0.1:{free_port()}/v1/messages", "Triage")
    notifier = Notifier(subscriptions, api, chat, sms, EmailAdapter("127.0.0.1", free_port(), "alerts@triage.example"))
    yield sensor, notifier, chat, clock
    await noc.aclose()
    await api.aclose()
    await sms.aclose()


async def open_one(sensor: SensorService, clock: Clock, node: str | None, area: str, **fields: Any) -> Incident:
    """Four customers behind ``node``: an incident, and a customer who asked to hear when it ends."""
    for i in range(4):
        found = diagnosis(AT + i * 60, node, area, **fields)
        await sensor.redis.xadd(DIAGNOSES_STREAM, {"d": found.model_dump_json()})
    clock.now = AT + 4 * 60
    await sensor.step(block_ms=None)
    [opened] = await open_incidents(sensor.redis)
    await sensor.subscriptions.subscribe(Subscription(opened.notify_key, "conv-waiting", ("chat",)))
    return opened


async def test_a_subscriber_hears_the_investigation_ended_when_the_contacts_stop(
    parts: tuple[SensorService, Notifier, ChatRecorder, Clock],
) -> None:
    sensor, notifier, chat, clock = parts
    opened = await open_one(sensor, clock, "CAB-N1-01", "N1")
    assert (await notifier.sweep()).sent["chat"] == 0, "nothing to say while it is open"
    clock.now = AT + 3 * 60 + 1800
    await sensor.step(block_ms=None)
    record = await incident(sensor.redis, opened.id)
    assert record is not None and record.cleared_reason == "quiet"
    report = await notifier.sweep()
    assert report.sent["chat"] == 1
    [(conversation, text)] = chat.said
    assert conversation == "conv-waiting"
    assert text == (
        "Our network team has finished investigating the broadband problem customers near you in N1 reported. "
        "If your service still isn't working, reply here and we'll get you to a person."
    )
    assert "fixed" not in text and "back" not in text
    await notifier.sweep()
    assert len(chat.said) == 1, "said once"
    await notifier.reconcile()  # TMF642 knows no incident: nothing to check, nothing said


async def test_a_real_alarm_covering_the_incident_takes_its_subscribers_and_clears_the_sensors_alarm(
    parts: tuple[SensorService, Notifier, ChatRecorder, Clock], noc_simulator: RunningSimulator
) -> None:
    sensor, notifier, chat, clock = parts
    opened = await open_one(sensor, clock, "CAB-M1-02", "M1")
    [ours] = await sensor_alarms(noc_simulator)
    url = noc_simulator.api_url("alarmManagement") + "/alarm"
    real_body = {
        "alarmType": "communicationsAlarm",
        "perceivedSeverity": "major",
        "probableCause": "lossOfSignal",
        "specificProblem": "Fibre feed to street cabinet cut",
        "state": "raised",
        "alarmedObject": {"id": "CAB-M1-02"},
        "sourceSystemId": "NOC-OSS",
        "serviceAffecting": True,
    }
    async with httpx.AsyncClient(timeout=10) as http:
        created = await http.post(url, json=real_body)
        created.raise_for_status()
        real_id = str(created.json()["id"])
        clock.now += 60
        await sensor.step(block_ms=None)
        record = await incident(sensor.redis, opened.id)
        assert record is not None and record.cleared_reason == "real_alarm"
        assert record.real_alarm is not None and record.real_alarm.id == real_id
        [ours_after] = await sensor_alarms(noc_simulator)
        assert ours_after["id"] == ours["id"] and ours_after["state"] == "cleared", "the sensor's own alarm ends"
        assert await sensor.subscriptions.for_alarm(opened.notify_key) == []
        [moved] = await sensor.subscriptions.for_alarm(real_id)
        assert moved.conversation_id == "conv-waiting"
        await notifier.sweep()
        assert chat.said == [], "the real fault is not fixed yet"
        (await http.patch(f"{url}/{real_id}", json={"state": "cleared"}, headers=MERGE)).raise_for_status()
    assert await notifier.alarm_changed(real_id) is True
    await notifier.sweep()
    [(conversation, text)] = chat.said
    assert conversation == "conv-waiting" and text.startswith("Your service is back")
    assert "Manchester M1" in text and "fibre feed to street cabinet cut" in text


async def test_subscribers_hear_the_investigation_ended_while_the_noc_is_unreachable(
    parts: tuple[SensorService, Notifier, ChatRecorder, Clock], noc_simulator: RunningSimulator
) -> None:
    """The contacts stop while TMF642 is down: the customer is told at once; the sensor's alarm is cleared once
    the NOC answers again."""
    sensor, notifier, chat, clock = parts
    opened = await open_one(sensor, clock, "CAB-N1-02", "N1")
    reachable, sensor.noc = sensor.noc, unreachable_noc()
    try:
        clock.now = AT + 3 * 60 + 1800
        await sensor.step(block_ms=None)
        assert (await notifier.sweep()).sent["chat"] == 1
        [(conversation, text)] = chat.said
        assert conversation == "conv-waiting" and text.startswith("Our network team has finished investigating")
        [ours] = await sensor_alarms(noc_simulator)
        assert ours["state"] != "cleared", "the NOC could not be told yet"
    finally:
        await sensor.noc.aclose()
        sensor.noc = reachable
    clock.now += NOC_RETRY_S
    await sensor.step(block_ms=None)
    [ours] = await sensor_alarms(noc_simulator)
    assert ours["state"] == "cleared" and ours["externalAlarmId"] == opened.id
    assert len(chat.said) == 1


async def test_a_trouble_ticket_outage_does_not_keep_subscribers_from_the_real_alarm(
    parts: tuple[SensorService, Notifier, ChatRecorder, Clock], noc_simulator: RunningSimulator
) -> None:
    """Ticket mode, TMF621 down when a real alarm comes to cover the incident: its subscribers move to the real
    alarm at once and hear when it clears; the ticket is resolved once TMF621 answers again."""
    sensor, notifier, chat, clock = parts
    alarm_noc, sensor.noc = sensor.noc, Noc(OssConfig(base_url=noc_simulator.root_url, timeout_s=3.0), "ticket")
    try:
        opened = await open_one(sensor, clock, "CAB-LS1-01", "LS1")
        [ticket] = await network_tickets(noc_simulator)
        real_id = await raise_real(noc_simulator, "CAB-LS1-01")
        with noc_simulator.fault("troubleTicket", "error", status=503):
            clock.now += 60
            await sensor.step(block_ms=None)
            [moved] = await sensor.subscriptions.for_alarm(real_id)
            assert moved.conversation_id == "conv-waiting"
            async with httpx.AsyncClient(timeout=10) as http:
                url = f"{noc_simulator.api_url('alarmManagement')}/alarm/{real_id}"
                (await http.patch(url, json={"state": "cleared"}, headers=MERGE)).raise_for_status()
            assert await notifier.alarm_changed(real_id) is True
            await notifier.sweep()
            [(conversation, text)] = chat.said
            assert conversation == "conv-waiting" and text.startswith("Your service is back")
        [still] = await network_tickets(noc_simulator)
        assert still["status"] == "acknowledged", "TMF621 could not be told yet"
        clock.now += NOC_RETRY_S
        await sensor.step(block_ms=None)
        [resolved] = await network_tickets(noc_simulator)
        assert resolved["id"] == ticket["id"] and resolved["status"] == "resolved"
        assert resolved["externalId"] == opened.id
    finally:
        await sensor.noc.aclose()
        sensor.noc = alarm_noc


async def test_a_charge_on_many_bills_ends_with_words_about_the_bill_not_the_network(
    parts: tuple[SensorService, Notifier, ChatRecorder, Clock],
) -> None:
    sensor, notifier, chat, clock = parts
    opened = await open_one(sensor, clock, None, "M1", **BILL)
    assert opened.scope == "bill_line"
    clock.now = AT + 3 * 60 + 1800
    await sensor.step(block_ms=None)
    await notifier.sweep()
    [(_, text)] = chat.said
    assert text == (
        "Our team has finished looking into the charge customers reported on their bills. If your bill still "
        "looks wrong, reply here and we'll get you to a person."
    )
    assert "network" not in text and "service" not in text
