"""Issue 16, item 4, end to end over the web chat's socket.io channel with the whole product running: a
customer with no account identified asks about an outage, takes the text, gives a mobile number; the alarm is
cleared in the simulator; the conversation hears "your service is back" live and after a reconnect, and the
development SMS gateway got exactly one text for that number. Stopping the alerts means nothing is sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from simulator.scenarios import BY_KEY
from simulator.sms_gateway import read_outbox
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat, texts

pytestmark = pytest.mark.e2e

BACK = "Your service is back"
MERGE = {"Content-Type": "application/merge-patch+json"}
G1_ALARM = "4101"


@pytest.fixture
async def clean(product: Product) -> AsyncIterator[Path]:
    """Fresh seeded alarms before and after (clearing an alarm would change other tests' outage journeys)."""
    async with httpx.AsyncClient(timeout=10) as http:
        (await http.post(f"{product.simulator_url}/admin/reset")).raise_for_status()
        yield Path(product.env["TRIAGE_VAR_DIR"]) / "sms"
        (await http.post(f"{product.simulator_url}/admin/reset")).raise_for_status()


def clear_alarm(product: Product) -> None:
    url = f"{product.simulator_url}/tmf-api/alarmManagement/v4/alarm/{G1_ALARM}"
    httpx.patch(url, json={"state": "cleared"}, headers=MERGE, timeout=10).raise_for_status()


def texts_to(outbox: Path, number: str) -> list[dict[str, object]]:
    return [m for m in read_outbox(outbox) if m["to"] == number]


async def subscribe_in_chat(chat: SocketChat, number: str) -> None:
    outage = BY_KEY["outage_area"]
    reply = texts(await chat.say(f"is there an outage in {outage.postcode}?"))
    assert "Would you like a text when it's back?" in reply, chat.events
    reply = texts(await chat.say("/affirm", display="Yes please"))
    assert "Which mobile number should I text" in reply and "account" not in reply, reply
    reply = texts(await chat.say(f"my mobile is {number}"))
    assert "I'll text 07700 900321 as soon as the fault is cleared" in reply, reply


async def test_the_text_and_the_chat_message_are_really_sent_when_the_alarm_clears(
    product: Product, clean: Path
) -> None:
    async with SocketChat(product.gateway_url) as chat:
        session_id = (await chat.session())["session_id"]
        await subscribe_in_chat(chat, "+44 (0)7700 900321")
        mark = len(chat.events)
        clear_alarm(product)
        live = await chat.until(
            lambda: next((u for u in chat.uttered(mark) if str(u.get("text", "")).startswith(BACK)), None),
            "the service-back message",
            timeout=60,
        )
        assert "Glasgow G1" in live["text"] and live["metadata"]["from"] == "bot"

    async with SocketChat(product.gateway_url) as again:
        ack = await again.session(session_id, after_seq=0)
        kept = [e["body"]["text"] for e in ack["history"] if e["kind"] == "message" and "text" in e["body"]]
        assert sum(text.startswith(BACK) for text in kept) == 1

    await asyncio.sleep(2)  # a duplicate would arrive by now
    [sms] = texts_to(clean, "+447700900321")
    assert str(sms["text"]).startswith(BACK)


async def test_stopped_alerts_send_nothing(product: Product, clean: Path) -> None:
    before = len(texts_to(clean, "+447700900321"))
    async with SocketChat(product.gateway_url) as chat:
        await chat.session()
        await subscribe_in_chat(chat, "07700-900-321")
        reply = texts(await chat.say("please stop texting me"))
        assert "I won't send you any more alerts" in reply, reply
        mark = len(chat.events)
        clear_alarm(product)
        await asyncio.sleep(5)
        assert not any(str(u.get("text", "")).startswith(BACK) for u in chat.uttered(mark))
    assert len(texts_to(clean, "+447700900321")) == before
