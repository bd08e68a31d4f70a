"""A process of the product dies or becomes unreachable mid-conversation: the customer is told, never left in
silence, nothing they said is lost, and the conversation carries on where it was once the process is back.

The stack (``conftest.py``) runs every process on its own; the gateway reaches Rasa, and Rasa the action
server, through TCP proxies, so "unreachable" costs no restart. Kills are SIGKILL: no graceful shutdown.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import redis

from bot.chat.delivery import ASSISTANT_DOWN, OFFER_PERSON, OFFER_TICKET
from simulator.scenarios import BY_KEY
from tests.faults.services import Stack
from tests.faults.turns import answered, say, say_text, send
from tests.fixtures.redis_server import RedisServer
from tests.fixtures.socket_chat import SocketChat, texts

pytestmark = pytest.mark.e2e

ROUTER = BY_KEY["router_fault"]
FIRST_NAME = ROUTER.name.split()[0]
RECOVERY_TIMEOUT_S = 60
DURABLE_PREFIXES = (b"triage:chat:", b"triage:conv", b"triage:handoff:", b"triage:learning:")
TRANSPORT = {b"triage:learning:events", b"triage:learning:comments"}  # queues to the consumer, emptied once consumed
SHORT_LIVED_MS = 3_600_000  # locks, leases and rate-limit windows expire by design; conversations live longer


async def wait_until(check: Callable[[], bool], timeout_s: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


def tracker(stack: Stack, conversation_id: str) -> dict[str, Any]:
    response = httpx.get(f"{stack.rasa_url}/conversations/{conversation_id}/tracker", timeout=30)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def user_texts(stack: Stack, conversation_id: str) -> list[str]:
    return [e["text"] for e in tracker(stack, conversation_id)["events"] if e["event"] == "user"]


async def test_action_server_down_the_customer_is_told_and_offered_a_person(healthy: Stack) -> None:
    async with SocketChat(healthy.gateway_url) as chat:
        await chat.session()
        healthy.actions_proxy.down()  # connections refused, as when the action server is not running
        mark = len(chat.events)
        assert "error" not in await send(chat, "my internet isn't working")
        await chat.wait_for("typing", mark, typing=False)  # Rasa has finished the turn
        said = texts(chat.uttered(mark))
        assert "person" in said.lower(), f"the customer was told: {said!r}"
        offers = [r["payload"] for u in chat.uttered(mark) for r in u.get("quick_replies") or []]
        assert OFFER_PERSON in offers and OFFER_TICKET in offers, chat.uttered(mark)  # two ways out, as buttons


async def test_after_the_action_server_was_down_the_conversation_goes_on(healthy: Stack) -> None:
    async with SocketChat(healthy.gateway_url) as chat:
        ack = await chat.session()
        healthy.actions_proxy.down()
        mark = len(chat.events)
        assert "error" not in await send(chat, "my internet isn't working")
        await chat.wait_for("typing", mark, typing=False)

        healthy.actions_proxy.up()
        assert "account number" in await say_text(chat, "my internet isn't working")
        assert "postcode" in await say_text(chat, ROUTER.account_id)
        said = await say_text(chat, ROUTER.postcode)
        assert f"Thanks {FIRST_NAME}" in said and "restart" in said, chat.events
    assert user_texts(healthy, ack["conversation_id"]).count("my internet isn't working") == 2


async def test_gateway_killed_customers_reconnect_to_the_same_conversation_and_nothing_is_lost(
    healthy: Stack, fault_redis: RedisServer
) -> None:
    async with SocketChat(healthy.gateway_url) as chat:
        ack = await chat.session()
        assert "account number" in await say_text(chat, "my internet isn't working")
        healthy.rasa_proxy.down()  # the next message is kept, not yet answered, when the gateway dies
        assert ASSISTANT_DOWN in await say_text(chat, ROUTER.account_id)
        # Killed between deliveries: a gateway killed holding a conversation's delivery lock leaves it to expire
        # (2 x TRIAGE_RASA_TIMEOUT_S + 10 s) before another gateway delivers; that wait is by design.
        await wait_until(lambda: not fault_redis.client().exists(f"triage:chat:lock:{ack['conversation_id']}"))
        seen = max(d["metadata"]["seq"] for d in chat.uttered() if "seq" in d.get("metadata", {}))
        healthy.gateway.kill()
    healthy.rasa_proxy.up()
    healthy.gateway.start()
    healthy.gateway.wait_ready()

    async with SocketChat(healthy.gateway_url) as back:
        resumed = await back.session(ack["session_id"], after_seq=seen)
        assert resumed["resumed"] and resumed["conversation_id"] == ack["conversation_id"]

        if not any("postcode" in str(e.get("body", {}).get("text")) for e in resumed["history"]):
            assert "postcode" in texts(await answered(back, 0, RECOVERY_TIMEOUT_S))  # the kept message's answer
        said = await say_text(back, ROUTER.postcode)
        assert f"Thanks {FIRST_NAME}" in said and "restart" in said, back.events
        history = (await back.session(ack["session_id"], after_seq=0))["history"]
    customer = [e["text"] for e in history if e["kind"] == "customer"]
    assert customer == ["my internet isn't working", ROUTER.account_id, ROUTER.postcode]
    seqs = [e["seq"] for e in history]
    assert seqs == sorted(set(seqs))
    assert user_texts(healthy, ack["conversation_id"]) == customer  # each message reached Rasa once


def durable_state(client: redis.Redis) -> dict[bytes, tuple[str, Any]]:
    """Every key that must outlive Redis (chat, conversations, handoff, learning) with what it holds."""
    state: dict[bytes, tuple[str, Any]] = {}
    for key in client.scan_iter(count=1000):
        ttl = client.pttl(key)
        if not key.startswith(DURABLE_PREFIXES) or key in TRANSPORT or 0 < ttl < SHORT_LIVED_MS:
            continue
        kind = client.type(key).decode()
        if kind == "none":  # removed by a running service between SCAN and TYPE: it was transient
            continue
        reader = {
            "string": client.get,
            "hash": lambda k: set(client.hkeys(k)),
            "list": lambda k: client.lrange(k, 0, -1),
            "set": client.smembers,
            "zset": lambda k: set(client.zrange(k, 0, -1)),
            "stream": lambda k: [entry for entry in client.xrange(k)],
        }[kind]
        held = reader(key)
        if client.exists(key):  # not removed while it was being read
            state[key] = (kind, held)
    return state


def lost(before: dict[bytes, tuple[str, Any]], after: dict[bytes, tuple[str, Any]]) -> list[str]:
    """What ``after`` no longer has of ``before``: keys, stream entries, list items, members, hash fields.

    The services run on during the restart, so content may have grown; nothing may have gone.
    """
    problems = []
    for key, (kind, held) in before.items():
        if key not in after:
            problems.append(f"{key!r} is gone")
            continue
        now = after[key][1]
        if kind == "string" and now != held:
            problems.append(f"{key!r} changed")
        elif kind == "list" and now[: len(held)] != held:
            problems.append(f"{key!r} lost items")
        elif kind == "stream" and not {e[0] for e in held} <= {e[0] for e in now}:
            problems.append(f"{key!r} lost entries")
        elif kind in {"hash", "set", "zset"} and not held <= now:
            problems.append(f"{key!r} lost {sorted(held - now)[:3]}")
    return problems


async def test_redis_restarted_loses_nothing_and_every_service_reconnects(
    healthy: Stack, fault_redis: RedisServer
) -> None:
    client = fault_redis.client()
    async with SocketChat(healthy.gateway_url) as escalated:
        await escalated.session()
        assert "passing you to a person" in await say_text(escalated, "can I speak to an agent please")
    async with SocketChat(healthy.gateway_url) as chat:
        ack = await chat.session()
        await say(chat, "what's the best recipe for banana bread")  # a learning record (out of scope)
        healthy.rasa_proxy.down()
        assert ASSISTANT_DOWN in await say_text(chat, "my internet isn't working")  # kept in the pending list
        deadline = asyncio.get_running_loop().time() + RECOVERY_TIMEOUT_S
        while client.xlen("triage:learning:records") < 2:  # the learning consumer commits what it read
            assert asyncio.get_running_loop().time() < deadline, "no learning records before the restart"
            await asyncio.sleep(0.25)
        before = durable_state(client)
        records_before = client.xlen("triage:learning:records")
        assert records_before >= 2 and any(k.startswith(b"triage:handoff:case") for k in before), sorted(before)

        assert fault_redis.process is not None
        fault_redis.process.kill()  # no shutdown: only what the append-only file already has survives
        fault_redis.process.wait()
        await asyncio.to_thread(fault_redis.start)
        client = fault_redis.client()
        assert not (missing := lost(before, durable_state(client))), missing

        mark = len(chat.events)
        healthy.rasa_proxy.up()
        assert "account number" in texts(await answered(chat, mark, RECOVERY_TIMEOUT_S))  # the kept message
        # The gateway's pooled connections died with Redis: it reconnects by itself, the customer's first
        # message after the restart is kept at once (no "unavailable", no resend by the page).
        mark = len(chat.events)
        assert "error" not in await chat.send(ROUTER.account_id, client_id=secrets.token_hex(8))
        assert "postcode" in texts(await answered(chat, mark))
        await say(chat, "what's the weather like on mars")
    said = user_texts(healthy, ack["conversation_id"])
    assert said[-3:] == ["my internet isn't working", ROUTER.account_id, "what's the weather like on mars"]
    deadline = asyncio.get_running_loop().time() + RECOVERY_TIMEOUT_S
    while client.xlen("triage:learning:records") <= records_before:  # broker and consumer are back too
        assert asyncio.get_running_loop().time() < deadline, "no learning record after the restart"
        await asyncio.sleep(0.5)


async def test_rasa_killed_mid_conversation_resumes_from_the_redis_tracker_with_its_slots(healthy: Stack) -> None:
    async with SocketChat(healthy.gateway_url) as chat:
        ack = await chat.session()
        await say(chat, "my internet isn't working")
        assert "postcode" in await say_text(chat, ROUTER.account_id)
        slots = tracker(healthy, ack["conversation_id"])["slots"]
        assert slots["customer_ref"] == ROUTER.account_id and slots["problem"]

        healthy.rasa.kill()
        assert ASSISTANT_DOWN in await say_text(chat, ROUTER.postcode)
        mark = len(chat.events)
        healthy.rasa.start()
        await asyncio.to_thread(healthy.rasa.wait_ready)  # the customer's client stays connected meanwhile
        said = texts(await answered(chat, mark, wait_s=120))
        assert f"Thanks {FIRST_NAME}" in said and "restart" in said, chat.events
    slots = tracker(healthy, ack["conversation_id"])["slots"]
    assert slots["verified"] is True and slots["customer_ref"] == ROUTER.account_id
    said = ["my internet isn't working", ROUTER.account_id, ROUTER.postcode]
    assert user_texts(healthy, ack["conversation_id"]) == said
