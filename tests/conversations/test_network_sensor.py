"""Issue 21 end to end, with the whole product running (the sensor process included) and customers on the web
chat's socket.io channel: a silent fault breaks every line behind one cabinet and raises no alarm; a handful of
customers behind it report their broadband down; the sensor raises exactly one alarm in the NOC's own system
(TMF642, probable cause customer-reported); and the next customer behind the cabinet hears that others reported
the same and the network team is investigating, and is offered a text, instead of a ticket and a queue."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from core import incident_board
from simulator.scenarios import SCENARIOS
from simulator.seed import DEFAULT_SEED
from simulator.seed.model import Person
from simulator.seed.network import node_in_outage
from simulator.seed.population import build_people
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat, texts

pytestmark = pytest.mark.e2e

NOT_TESTABLE = ("ticket_", "order_", "activation_", "outage_", "mobile_outage")
"""Archetypes whose broadband report takes another path first: an open ticket, an order, a seeded outage."""
DETECTED_BY = 5  # the target: detected by the 5th related contact
DETECTION_WAIT_S = 20  # the sensor reads its stream within a second; a loaded test machine gets more
INVESTIGATING = "Our network team is investigating"


@dataclass(frozen=True)
class Neighbour:
    account_id: str
    postcode: str


def cabinet_with_most_neighbours() -> tuple[str, list[Neighbour]]:
    """The street cabinet (in the simulator's seeded data) with the most customers whose broadband report reaches
    the line test, on none of the documented scenarios' nodes (other tests use those) and in no seeded outage."""
    people: list[Person] = build_people(DEFAULT_SEED, datetime.now(UTC))
    documented = {line.node for p in people if p.index <= len(SCENARIOS) for line in p.lines}
    behind: dict[str, list[Neighbour]] = defaultdict(list)
    for person in people:
        if person.archetype.startswith(NOT_TESTABLE):
            continue
        for line in person.lines:
            if line.kind == "broadband" and line.state == "active" and line.node.startswith("CAB-"):
                behind[line.node].append(Neighbour(person.account_id, person.postcode))
    candidates = {node: found for node, found in behind.items()
                  if node not in documented and node_in_outage(node.split("-")[1], node) is None}  # fmt: skip
    node = max(sorted(candidates), key=lambda n: len(candidates[n]))
    return node, candidates[node]


@pytest.fixture
async def silent_cabinet(product: Product) -> AsyncIterator[tuple[str, list[Neighbour]]]:
    node, neighbours = cabinet_with_most_neighbours()
    assert len(neighbours) > DETECTED_BY, neighbours
    async with httpx.AsyncClient(base_url=product.simulator_url, timeout=10) as http:
        (await http.post("/admin/reset")).raise_for_status()
        body = {"kind": "line", "fault_location": "network"}
        (await http.put(f"/admin/silent-faults/{node}", json=body)).raise_for_status()
        yield node, neighbours
        (await http.delete(f"/admin/silent-faults/{node}")).raise_for_status()


async def customer_reported_alarms(product: Product) -> list[dict[str, Any]]:
    url = f"{product.simulator_url}/tmf-api/alarmManagement/v4/alarm"
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(url, params={"probableCause": "customer-reported"})
    response.raise_for_status()
    return list(response.json())


async def report_broadband_down(chat: SocketChat, neighbour: Neighbour) -> str:
    """One customer behind the cabinet says their internet is down and identifies; returns the bot's reply to the
    identification (the diagnosis)."""
    await chat.session()
    asked = texts(await chat.say("my internet isn't working at all"))
    assert "account number" in asked, asked
    return texts(await chat.say(f"{neighbour.account_id} {neighbour.postcode}"))


def handoffs(chat: SocketChat) -> list[dict[str, Any]]:
    return [u["custom"]["handoff"] for u in chat.uttered() if "handoff" in (u.get("custom") or {})]


async def wait_for_alarm(product: Product, timeout_s: float) -> list[dict[str, Any]]:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not (found := await customer_reported_alarms(product)):
        if asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.5)
    return found


async def test_a_silent_fault_raises_one_alarm_and_the_next_customer_hears_investigating(
    product: Product, silent_cabinet: tuple[str, list[Neighbour]]
) -> None:
    node, neighbours = silent_cabinet
    assert await customer_reported_alarms(product) == []
    reported = 0
    alarms: list[dict[str, Any]] = []
    for neighbour in neighbours[:DETECTED_BY]:
        async with SocketChat(product.gateway_url) as chat:
            reply = await report_broadband_down(chat, neighbour)
        reported += 1
        assert "fault ticket" in reply and INVESTIGATING not in reply, reply  # alone, each gets their own ticket
        alarms = await wait_for_alarm(product, DETECTION_WAIT_S if reported >= 4 else 1)
        if alarms:
            break
    assert alarms, f"no alarm after {reported} customers behind {node}"

    async with SocketChat(product.gateway_url) as chat:
        reply = await report_broadband_down(chat, neighbours[reported])
        assert INVESTIGATING in reply and "Other customers near you have reported the same problem" in reply, reply
        assert "fault ticket" not in reply and "If you'd still like to talk to someone, just say so." in reply
        offer = [u for u in chat.uttered() if u.get("quick_replies") or u.get("buttons")][-1]
        assert [b["payload"] for b in offer.get("quick_replies") or offer.get("buttons") or []] == ["/affirm", "/deny"]
        assert handoffs(chat) == []  # no queue place for a problem the network team already has
        done = texts(await chat.say("/affirm", display="Yes please"))
        assert "when our team has finished looking into it" in done, done
        person = texts(await chat.say("can I speak to someone please"))  # never a dead end
        assert handoffs(chat), person
        case_findings = handoffs(chat)[-1]["findings"]

    [alarm] = await customer_reported_alarms(product)  # the sensor's one alarm, updated, not raised again
    assert alarm["alarmedObject"]["id"] == node and alarm["state"] in {"raised", "updated"}
    redis = Redis.from_url(product.redis_url)
    try:
        [incident] = [i for i in await incident_board.open_incidents(redis) if i.target == node]
    finally:
        await redis.aclose()
    assert case_findings["incident"] == incident.id and case_findings["node"] == node
    assert incident.told == 1 and incident.noc is not None and incident.noc.id == str(alarm["id"])
