"""Two of everything stateless on one Redis: conversations stay whole whichever replica takes each message.

Replica A is the session's ``product`` (gateway, Rasa, action server). Replica B is a second gateway, Rasa
server and action server started here on the product's Redis and simulator: gateway B talks only to Rasa B,
and Rasa B only to action server B. A customer who alternates gateways therefore has consecutive messages
understood, decided and acted on by different processes, with only Redis in common: Rasa's
``RedisTrackerStore`` carries the slots, its ``RedisLockStore`` serialises each conversation, and the chat
history and handoff cases are in Redis for every gateway.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from simulator.scenarios import BY_KEY
from tests.faults.services import RASA_START_TIMEOUT_S, Service, base_environment, http_up
from tests.faults.turns import say_text
from tests.fixtures.gateway import ExtraGateway, extra_gateway
from tests.fixtures.ports import free_port
from tests.fixtures.product import Product
from tests.fixtures.socket_chat import SocketChat, texts
from tools.runner.environment import rasa_store_variables
from tools.training import model_path

pytestmark = pytest.mark.e2e

CONVERSATIONS = 6
# Rasa's ticket lock lives 60 s from when a message queues for it, so the turns queued at once must finish within
# that on a loaded 2-core machine. The gateway sends Rasa one message at a time per conversation, so the product
# never queues more than one.
CONCURRENT_MESSAGES = 6
DEMO_AGENT = ("agent", "triage-demo")
ROUTER = BY_KEY["router_fault"]
TRIAGE = ["my internet isn't working", ROUTER.account_id, ROUTER.postcode, "yes, it's working again"]


@dataclass
class ReplicaB:
    actions: Service
    rasa: Service
    gateway: ExtraGateway

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa.env['TRIAGE_RASA_PORT']}"


@pytest.fixture(scope="module")
def replica_b(product: Product, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaB]:
    action_port, rasa_port = free_port(), free_port()
    env = base_environment(
        tmp_path_factory.mktemp("replica-b"),
        product.redis_url,
        model_path(),
        action_port=str(action_port),
        rasa_port=str(rasa_port),
        simulator_port=str(product.port("simulator")),
    )
    env.update(rasa_store_variables(product.redis_url), RASA_ACTION_ENDPOINT=f"http://127.0.0.1:{action_port}/webhook")
    actions = Service("actions", env, http_up(f"http://127.0.0.1:{action_port}/health"))
    rasa = Service("rasa", env, http_up(f"http://127.0.0.1:{rasa_port}/"), RASA_START_TIMEOUT_S)
    gateway = extra_gateway(product, rasa_url=f"http://127.0.0.1:{rasa_port}")
    try:
        actions.start()
        rasa.start()
        actions.wait_ready()
        rasa.wait_ready()
        gateway.start()
        yield ReplicaB(actions, rasa, gateway)
    finally:
        gateway.close()
        for service in (rasa, actions):
            service.kill()


def user_events(tracker: dict[str, Any]) -> list[str]:
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


async def round_robin_conversation(gateways: list[str]) -> tuple[str, list[str]]:
    """The triage script, message ``i`` sent through ``gateways[i % 2]`` on a new connection each time."""
    session_id: str | None = None
    conversation_id = ""
    said: list[str] = []
    for i, text in enumerate(TRIAGE):
        async with SocketChat(gateways[i % len(gateways)]) as chat:
            ack = await chat.session(session_id)
            session_id, conversation_id = ack["session_id"], ack["conversation_id"]
            said.append(await say_text(chat, text))
    return conversation_id, said


async def test_messages_round_robined_across_replicas_keep_each_conversation_whole(
    product: Product, replica_b: ReplicaB
) -> None:
    gateways = [product.gateway_url, replica_b.gateway.url]
    orders = [gateways if n % 2 else gateways[::-1] for n in range(CONVERSATIONS)]  # half start on each
    results = await asyncio.gather(*(round_robin_conversation(order) for order in orders))
    async with httpx.AsyncClient(timeout=30) as http:
        for conversation_id, said in results:
            asked_postcode, confirmed, glad = said[1], said[2], said[3]
            # one replica kept the account number in the tracker, the other read it and verified the customer
            assert "postcode" in asked_postcode, said
            assert f"Thanks {ROUTER.name.split()[0]}" in confirmed and "restart" in confirmed, said
            assert "glad" in glad, said
            for rasa_url in (product.rasa_url, replica_b.rasa_url):  # both replicas see the same tracker
                tracker = (await http.get(f"{rasa_url}/conversations/{conversation_id}/tracker")).json()
                assert user_events(tracker) == TRIAGE
                assert tracker["slots"]["verified"] is True


async def test_one_conversation_hit_on_both_rasa_replicas_at_once_loses_no_message(
    product: Product, replica_b: ReplicaB
) -> None:
    """Without the lock store, two replicas would each load the tracker, append, and save over each other."""
    sender = f"scale-{secrets.token_hex(6)}"
    messages = [f"hello number {i}" for i in range(CONCURRENT_MESSAGES)]
    urls = [product.rasa_url, replica_b.rasa_url]
    async with httpx.AsyncClient(timeout=120) as http:

        async def send(i: int) -> list[dict[str, Any]]:
            response = await http.post(
                f"{urls[i % 2]}/webhooks/rest/webhook", json={"sender": sender, "message": messages[i]}
            )
            response.raise_for_status()
            replies: list[dict[str, Any]] = response.json()
            return replies

        replies = await asyncio.gather(*(send(i) for i in range(CONCURRENT_MESSAGES)))
        assert all(replies), "a message got no answer"
        tracker = (await http.get(f"{product.rasa_url}/conversations/{sender}/tracker")).json()
    assert sorted(user_events(tracker)) == sorted(messages)  # no replica saved over the other's events
    turns: list[list[dict[str, Any]]] = []
    for event in tracker["events"]:
        if event["event"] == "user":
            turns.append([])
        elif turns:
            turns[-1].append(event)
    for turn in turns:  # each message handled whole before the next: its replies, then back to listening
        assert any(e["event"] == "bot" for e in turn), turn
        assert turn[-1]["event"] == "action" and turn[-1]["name"] == "action_listen", turn


async def test_a_handoff_raised_on_one_gateway_is_worked_by_an_agent_on_the_other(
    product: Product, replica_b: ReplicaB
) -> None:
    async with SocketChat(product.gateway_url) as customer, httpx.AsyncClient(base_url=replica_b.gateway.url) as b:
        ack = await customer.session()
        assert "passing you to a person" in await say_text(customer, "can I speak to an agent please")

        login = await b.post("/api/auth/login", json={"username": DEMO_AGENT[0], "password": DEMO_AGENT[1]})
        b.headers["Authorization"] = f"Bearer {login.json()['token']}"
        waiting = (await b.get("/api/agent/queue")).json()["waiting"]
        [case] = [c for c in waiting if c["conversation_id"] == ack["conversation_id"]]
        mark = len(customer.events)
        assert (await b.post(f"/api/agent/cases/{case['case_id']}/accept")).status_code == 200
        sent = await b.post(
            f"/api/agent/cases/{case['case_id']}/messages",
            json={"client_id": secrets.token_hex(8), "text": "Hi, I'm Dana from customer care."},
        )
        assert sent.status_code == 200, sent.text
        joined = await customer.wait_for("handoff", mark, timeout=30, type="agent_joined")
        assert joined["agent_name"]
        said = await customer.until(lambda: texts(customer.uttered(mark)), "the agent's message", 30)
        assert "Dana" in said and customer.uttered(mark)[-1]["metadata"]["from"] == "agent"

        reply = await customer.send("thanks Dana, my bill is wrong")
        history = (await b.get(f"/api/agent/cases/{case['case_id']}/history", params={"after_seq": 0})).json()
        assert history["entries"][-1]["seq"] == reply["seq"]
        assert history["entries"][-1]["text"] == "thanks Dana, my bill is wrong"
