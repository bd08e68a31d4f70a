"""Warm handoff latency at N concurrent live chats (50 by default): a script that prints figures, not a test.

* escalation to visible on the console: each of N customers (socket.io over a WebSocket, as the web chat page
  talks) asks for a person; measured from the moment the customer's page receives the bot's handoff message
  (the escalation happened) to the moment an agent console's live channel shows the case. Target p95 <= 300 ms.
  The same from the customer's "send" is printed too (it includes Rasa understanding the message).
* relay: N agents each accept one chat (N live chats at once), then every chat exchanges ``--rounds``
  messages each way: agent -> customer (the console's POST until the customer's page receives it) and
  customer -> agent (the page's send until the console's live channel shows it). Target p95 <= 50 ms.
  Live chats are paced: in each chat the next message follows ``--pause`` seconds (default 1, jittered) after
  the previous one arrived, so the N chats together relay about N / pause messages a second. People type far
  slower than that (a line every 10-20 s), so this is already several times the traffic of N real chats.
  Then a stress figure without a target: every chat sends its next message the moment the previous one
  arrived (N messages always in flight), which measures the gateway's throughput more than its latency.

Run it against a running product (``make run``): ``python bench/bench_handoff.py --gateway http://127.0.0.1:8000
--redis redis://127.0.0.1:6380/0`` (the Redis is used to create the benchmark's agent accounts). Chats are
handed back to the bot at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import secrets
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.auth.accounts import Accounts
from bot.auth.roles import Role

PASSWORD = "bench-agent-password"  # noqa: S105 - accounts the benchmark creates for itself
ASK = "I want to talk to a person"
TIMEOUT_S = 120.0


def now_ms() -> float:
    return time.perf_counter() * 1000


class Customer:
    """The web chat page's protocol: Socket.IO v5 over Engine.IO v4 on a WebSocket."""

    def __init__(self, gateway: str) -> None:
        self.url = gateway.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws: Any = None
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next_ack = 1
        self.waiters: list[tuple[Any, asyncio.Future[float]]] = []
        self.conversation_id = ""
        self.reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.ws = await websockets.connect(self.url, max_size=2**22, open_timeout=TIMEOUT_S)
        assert str(await self.ws.recv()).startswith("0")
        await self.ws.send("40")
        while not str(await self.ws.recv()).startswith("40"):
            pass
        self.reader = asyncio.create_task(self._read())
        ack = await self.call("session_request", {"session_id": None})
        self.conversation_id = ack["conversation_id"]

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                frame = str(raw)
                if frame == "2":
                    await self.ws.send("3")
                elif frame.startswith("43"):
                    digits = ""
                    for ch in frame[2:]:
                        if not ch.isdigit():
                            break
                        digits += ch
                    future = self.acks.pop(int(digits), None)
                    if future and not future.done():
                        future.set_result(json.loads(frame[2 + len(digits) :])[0])
                elif frame.startswith("42"):
                    name, data = json.loads(frame[2:])[:2]
                    arrived = now_ms()
                    for check, future in list(self.waiters):
                        if not future.done() and check(name, data):
                            future.set_result(arrived)
                            self.waiters.remove((check, future))

    async def call(self, event: str, data: Any) -> Any:
        ident = self.next_ack
        self.next_ack += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.acks[ident] = future
        await self.ws.send(f"42{ident}" + json.dumps([event, data]))
        return await asyncio.wait_for(future, TIMEOUT_S)

    def expect(self, check: Any) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiters.append((check, future))
        return future

    async def close(self) -> None:
        if self.reader:
            self.reader.cancel()
        await self.ws.close()


@dataclass
class Agent:
    name: str
    gateway: str
    http: httpx.AsyncClient = field(init=False)
    ws: Any = None
    waiters: list[tuple[Any, asyncio.Future[float]]] = field(default_factory=list)
    cases: dict[str, str] = field(default_factory=dict)  # conversation id -> case id, from the live channel
    reader: asyncio.Task[None] | None = None
    beat: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.http = httpx.AsyncClient(base_url=self.gateway, timeout=TIMEOUT_S)
        login = await self.http.post("/api/auth/login", json={"username": self.name, "password": PASSWORD})
        login.raise_for_status()
        token = login.json()["token"]
        self.http.headers["Authorization"] = f"Bearer {token}"
        url = self.gateway.replace("http", "ws", 1) + "/api/agent/ws"
        self.ws = await websockets.connect(
            url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=TIMEOUT_S
        )
        self.reader = asyncio.create_task(self._read())
        self.beat = asyncio.create_task(self._beat())

    async def _beat(self) -> None:
        """As the console does, so the agent stays online (and keeps their chats) however long the run."""
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.sleep(5)
                await self.ws.send(json.dumps({"v": 1, "type": "beat"}))

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                frame = json.loads(raw)
                arrived = now_ms()
                if frame.get("type") == "case" and frame.get("event") == "queued":
                    self.cases[frame["case"]["conversation_id"]] = frame["case"]["case_id"]
                for check, future in list(self.waiters):
                    if not future.done() and check(frame):
                        future.set_result(arrived)
                        self.waiters.remove((check, future))

    def expect(self, check: Any) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiters.append((check, future))
        return future

    async def say(self, case_id: str, text: str) -> None:
        """Send as the console does. A kept-alive connection the server closed while idle is retried once with the
        same client id (the gateway keeps a message once per client id); the retry counts in the latency."""
        body = {"client_id": secrets.token_hex(8), "text": text}
        for attempt in (1, 2):
            try:
                response = await self.http.post(f"/api/agent/cases/{case_id}/messages", json=body)
                break
            except (httpx.ReadError, httpx.RemoteProtocolError):
                if attempt == 2:
                    raise
        response.raise_for_status()

    async def close(self) -> None:
        for task in (self.reader, self.beat):
            if task:
                task.cancel()
        await self.ws.close()
        await self.http.aclose()


def percentiles(values: list[float]) -> str:
    if not values:
        return "no samples"
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return f"n={len(ordered):>5}  p50={q[49]:7.1f}  p95={q[94]:7.1f}  p99={q[98]:7.1f}  max={ordered[-1]:7.1f} ms"


async def make_agents(redis_url: str, count: int) -> list[str]:
    client = redis.asyncio.Redis.from_url(redis_url)
    accounts = Accounts(client, 3600)
    names = [f"bench-agent-{i:03d}" for i in range(count)]
    try:
        for name in names:
            await accounts.set_user(name, Role.agent, PASSWORD)
            await accounts.set_queues(name, ["general"])
    finally:
        await client.close()
    return names


async def escalate(customer: Customer, agents: list[Agent]) -> tuple[float, float, str]:
    """(send -> console, handoff message -> console) in ms, and the case id."""
    cid = customer.conversation_id
    handoff = customer.expect(lambda name, data: name == "bot_uttered" and "handoff" in (data.get("custom") or {}))
    seen = [
        a.expect(lambda f, cid=cid: f.get("type") == "case" and f.get("case", {}).get("conversation_id") == cid)
        for a in agents
    ]
    sent = now_ms()
    await customer.call("user_uttered", {"message": ASK, "client_id": secrets.token_hex(8)})
    handed = await asyncio.wait_for(handoff, TIMEOUT_S)
    done, _ = await asyncio.wait(seen, timeout=TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED)
    visible = min(f.result() for f in done)
    case_id = next(a.cases[cid] for a in agents if cid in a.cases)
    for future in seen:
        future.cancel()
    for agent in agents:
        agent.waiters = [w for w in agent.waiters if not w[1].done()]
    return visible - sent, visible - handed, case_id


async def relay(
    customer: Customer, agent: Agent, case_id: str, rounds: int, pause: float
) -> tuple[list[float], list[float]]:
    """One live chat: ``rounds`` messages each way, ``pause`` seconds (jittered +-50 %) between them."""
    to_customer, to_agent = [], []
    rest = random.Random(case_id)
    for i in range(rounds):
        await asyncio.sleep(pause * rest.uniform(0.5, 1.5))
        text = f"agent says {i} {secrets.token_hex(4)}"
        arrived = customer.expect(lambda name, data, text=text: name == "bot_uttered" and data.get("text") == text)
        start = now_ms()
        await agent.say(case_id, text)
        to_customer.append(await asyncio.wait_for(arrived, TIMEOUT_S) - start)
        text = f"customer says {i} {secrets.token_hex(4)}"
        shown = agent.expect(
            lambda f, text=text: f.get("type") == "chat" and any(e.get("text") == text for e in f.get("entries", []))
        )
        await asyncio.sleep(pause * rest.uniform(0.5, 1.5))
        start = now_ms()
        await customer.call("user_uttered", {"message": text, "client_id": secrets.token_hex(8)})
        to_agent.append(await asyncio.wait_for(shown, TIMEOUT_S) - start)
    return to_customer, to_agent


async def loop_lag(samples: list[float]) -> None:
    """How late this process's own event loop wakes up: its lag adds to every figure measured here."""
    while True:
        start = now_ms()
        await asyncio.sleep(0.05)
        samples.append(now_ms() - start - 50)


async def main(args: argparse.Namespace) -> None:
    names = await make_agents(args.redis, args.chats)
    agents = [Agent(name, args.gateway) for name in names]
    for agent in agents:  # one login at a time: each verifies an Argon2 hash, which is meant to be slow
        await agent.open()
    customers = [Customer(args.gateway) for _ in range(args.chats)]
    await asyncio.gather(*(c.open() for c in customers))
    print(f"{args.chats} customers and {args.chats} agents connected to {args.gateway}")

    results = await asyncio.gather(*(escalate(c, agents) for c in customers))
    from_send = [r[0] for r in results]
    from_handoff = [r[1] for r in results]
    for agent, (_, _, case_id) in zip(agents, results, strict=True):
        (await agent.http.post(f"/api/agent/cases/{case_id}/accept")).raise_for_status()
    print(f"{args.chats} live chats accepted; relaying {args.rounds} messages each way in every chat")
    lag: list[float] = []
    monitor = asyncio.create_task(loop_lag(lag))
    chats = list(zip(customers, agents, [r[2] for r in results], strict=True))
    paced = await asyncio.gather(*(relay(c, a, case, args.rounds, args.pause) for c, a, case in chats))
    burst = await asyncio.gather(*(relay(c, a, case, args.rounds, 0.0) for c, a, case in chats))
    monitor.cancel()
    to_customer = [x for r in paced for x in r[0]]
    to_agent = [x for r in paced for x in r[1]]
    stress = [x for r in burst for d in r for x in d]

    print("\nescalation -> visible on a console (target p95 <= 300 ms)")
    print(f"  from the handoff message   {percentiles(from_handoff)}")
    print(f"  from the customer's send   {percentiles(from_send)}   (includes Rasa)")
    rate = args.chats / args.pause
    print(f"\nrelay at {args.chats} concurrent live chats, ~{rate:.0f} messages/s in all (target p95 <= 50 ms)")
    print(f"  agent -> customer          {percentiles(to_customer)}")
    print(f"  customer -> agent          {percentiles(to_agent)}")
    print(f"  both directions            {percentiles(to_customer + to_agent)}")
    print(f"\nstress, no target: all {args.chats} chats send again the moment their message arrived")
    print(f"  either way                 {percentiles(stress)}")
    print(f"  (the benchmark's own event loop lag while relaying: {percentiles(lag)})")

    for agent, (_, _, case_id) in zip(agents, results, strict=True):
        await agent.http.post(f"/api/agent/cases/{case_id}/hand-back")
    await asyncio.gather(*(c.close() for c in customers), *(a.close() for a in agents))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--redis", default="redis://127.0.0.1:6380/0", help="the product's Redis (agent accounts)")
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--pause", type=float, default=1.0, help="mean seconds between messages in one chat")
    asyncio.run(main(parser.parse_args()))
