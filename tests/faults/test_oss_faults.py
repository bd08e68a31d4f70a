"""OSS/BSS slow, failing, hanging or talking nonsense: the customer is told the truth and reaches a person with
the evidence the bot gathered; the circuit breaker stops hammering a broken system and lets it back in.

The breaker is per API and opens after 3 failed calls in a row (``conftest.py``): no API fails more than twice
in a row outside the breaker's own test, so one test's failures never open the breaker another relies on.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from simulator.scenarios import BY_KEY
from tests.faults.conftest import BREAKER_FAILURES, BREAKER_RESET_S, OSS_TIMEOUT_S
from tests.faults.services import Stack
from tests.fixtures.socket_chat import SocketChat, texts

pytestmark = pytest.mark.e2e

ROUTER = BY_KEY["router_fault"]
ROAMING = BY_KEY["bill_roaming"]
ORDER = BY_KEY["order_held_number_port"]
OUTAGE = BY_KEY["outage_area"]
ATTEMPTS = 3  # the first call and the client's two retries of an idempotent read


def set_fault(stack: Stack, api: str, **spec: Any) -> None:
    httpx.put(f"{stack.simulator_url}/admin/faults/{api}", json=spec, timeout=10).raise_for_status()


def requests_to(stack: Stack, api: str) -> int:
    counts = httpx.get(f"{stack.simulator_url}/admin/requests", timeout=10).json()
    return sum(counts.get(api, {}).values())


def handoff_of(turn: list[dict[str, Any]]) -> dict[str, Any]:
    handoffs = [u["custom"]["handoff"] for u in turn if isinstance(u.get("custom"), dict) and "handoff" in u["custom"]]
    assert len(handoffs) == 1, turn
    return handoffs[0]


def failed_calls(handoff: dict[str, Any], api: str) -> list[dict[str, Any]]:
    return [e for e in handoff["evidence"] if e["api"] == api and e["outcome"] == "unavailable"]


async def identified(chat: SocketChat, opening: str, customer_ref: str, postcode: str) -> list[dict[str, Any]]:
    """Say what's wrong, give the account or phone number, then the postcode; return the last turn."""
    await chat.session()
    await chat.say(opening)
    await chat.say(customer_ref)
    return await chat.say(postcode)


@pytest.mark.parametrize(
    ("api", "system", "fault", "cause", "attempts"),
    [
        ("serviceInventory", "service records", {"mode": "error", "status": 503}, "server_error", ATTEMPTS),
        ("alarmManagement", "network monitoring", {"mode": "timeout", "hang_s": 30}, "timeout", ATTEMPTS),
        ("serviceTestManagement", "line test system", {"mode": "malformed"}, "malformed", 1),  # a POST: no retry
        ("serviceInventory", "service records", {"mode": "wrong_shape"}, "malformed", ATTEMPTS),
        ("alarmManagement", "network monitoring", {"latency_ms": 2500}, "timeout", ATTEMPTS),  # slower than 1 s
    ],
    ids=["5xx", "timeout", "malformed", "wrong-shape", "too-slow"],
)
async def test_a_failing_system_during_a_diagnosis_is_told_and_escalated_with_the_evidence(
    healthy: Stack, api: str, system: str, fault: dict[str, Any], cause: str, attempts: int
) -> None:
    """The broadband diagnosis reads services, then alarms, then runs a line test: each may fail."""
    set_fault(healthy, api, **fault)
    async with SocketChat(healthy.gateway_url) as chat:
        turn = await identified(chat, "my internet isn't working", ROUTER.account_id, ROUTER.postcode)
    said = texts(turn)
    assert f"can't reach our {system}" in said and "passing you to a person" in said, said
    assert "restart" not in said  # no advice made up without the data
    handoff = handoff_of(turn)
    assert handoff["reason"] == "oss_unavailable" and handoff["queue"] == "technical"
    assert handoff["identity"]["customer_id"] and handoff["identity"]["method"] == "account number + postcode"
    failure = failed_calls(handoff, api)[-1]  # serviceInventory fails at identification too: its list stays empty
    assert failure["attempts"] == attempts and cause in failure["summary"], failure
    assert any(e["api"] == "customerManagement" and e["outcome"] == "ok" for e in handoff["evidence"])


async def test_a_slow_system_within_the_timeout_still_gets_a_diagnosis(healthy: Stack) -> None:
    set_fault(healthy, "serviceTestManagement", latency_ms=int(OSS_TIMEOUT_S * 1000) // 2)
    async with SocketChat(healthy.gateway_url) as chat:
        turn = await identified(chat, "my internet isn't working", ROUTER.account_id, ROUTER.postcode)
    assert "restart" in texts(turn), turn


async def test_customer_records_down_during_identification_reach_a_person(healthy: Stack) -> None:
    set_fault(healthy, "customerManagement", mode="error", status=500)
    async with SocketChat(healthy.gateway_url) as chat:
        turn = await identified(chat, "my internet isn't working", ROUTER.account_id, ROUTER.postcode)
        said = texts(turn)
        assert "can't reach our customer records" in said, said
        if "passing you to a person" not in said:  # the bot may first offer the choice
            said = texts(await chat.say("yes please, a person"))
        assert "passing you to a person" in said, chat.events


async def test_billing_answering_garbage_is_not_read_as_a_bill(healthy: Stack) -> None:
    set_fault(healthy, "customerBillManagement", mode="malformed")
    async with SocketChat(healthy.gateway_url) as chat:
        turn = await identified(chat, "why is my bill so high this month?", ROAMING.account_id, ROAMING.postcode)
    said = texts(turn)
    assert "can't reach our billing system" in said and "roaming" not in said, said
    handoff = handoff_of(turn)
    assert handoff["queue"] == "billing" and failed_calls(handoff, "customerBillManagement")


async def test_orders_timing_out_are_told_and_escalated(healthy: Stack) -> None:
    set_fault(healthy, "productOrderingManagement", mode="timeout", hang_s=30)
    async with SocketChat(healthy.gateway_url) as chat:
        turn = await identified(chat, "where is my order?", ORDER.mobile, ORDER.postcode)
    assert "can't reach our order system" in texts(turn), turn
    assert handoff_of(turn)["queue"] == "orders"


async def outage_check(stack: Stack) -> list[dict[str, Any]]:
    """One turn that makes exactly one alarmManagement call: an outage check by postcode."""
    async with SocketChat(stack.gateway_url) as chat:
        await chat.session()
        return await chat.say(f"is there an outage in {OUTAGE.postcode}?")


async def test_the_breaker_opens_after_repeated_failures_and_closes_when_the_system_is_back(healthy: Stack) -> None:
    assert "known fault" in texts(await outage_check(healthy))  # a success: the breaker counts from zero

    set_fault(healthy, "alarmManagement", mode="error", status=502)
    for _ in range(BREAKER_FAILURES):
        turn = await outage_check(healthy)
        assert "can't reach our network monitoring" in texts(turn), turn
        assert failed_calls(handoff_of(turn), "alarmManagement")[0]["attempts"] == ATTEMPTS

    before = requests_to(healthy, "alarmManagement")
    turn = await outage_check(healthy)  # open: the customer is told at once, the system is left alone
    assert "can't reach our network monitoring" in texts(turn), turn
    [refused] = failed_calls(handoff_of(turn), "alarmManagement")
    assert "circuit_open" in refused["summary"] and refused["attempts"] == 0 and refused["status"] is None
    assert requests_to(healthy, "alarmManagement") == before

    set_fault(healthy, "alarmManagement", mode="none")  # cleared
    await asyncio.sleep(BREAKER_RESET_S + 0.5)
    assert "known fault" in texts(await outage_check(healthy))  # the trial call went through and closed it
    assert "known fault" in texts(await outage_check(healthy))
