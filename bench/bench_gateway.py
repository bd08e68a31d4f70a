"""Customer message round trip through the gateway's socket.io channel, beside the same messages sent to Rasa.

For each level of concurrency (10, 50 and 100 conversations by default) it runs rounds of two batches, one
after the other, alternating which goes first so drifting machine load falls on both alike:

* ``gateway``: N conversations over the socket.io channel on a WebSocket, as the web chat page talks to it
  (session_request, then user_uttered for each message); a round trip ends when the bot has finished its
  turn (every bot_uttered sent, then ``typing: false``);
* ``direct``: N conversations posting the same messages to Rasa's REST channel; a round trip ends with the
  response, which carries every reply.

Each conversation sends the same script, one message at a time. Target: gateway p95 <= 1.2 x direct p95.
It starts its own product (``python -m bot.runner`` on free loopback ports, embedded Redis in a temporary
directory) unless given ``--gateway`` and ``--rasa`` URLs of a running one, and stops within ``--time-limit``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ["hello", "are you a bot?", "what's the best recipe for banana bread", "bye"]
TARGET_RATIO = 1.2
READY_LINE = "The telecom triage bot is up"
TURN_TIMEOUT_S = 120.0
ROW = "{:>13} {:<8} {:>8} {:>6} {:>8} {:>8} {:>8} {:>8} {:>7}"


@dataclass
class Batch:
    path: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    wall_s: float = 0.0

    def line(self, level: int) -> str:
        lat = self.latencies_ms
        p50, p95, p99 = pct(lat, 0.50), pct(lat, 0.95), pct(lat, 0.99)
        mean = sum(lat) / len(lat) if lat else float("nan")
        rate = len(lat) / self.wall_s if self.wall_s else float("nan")
        cells = (f"{p50:.0f}", f"{p95:.0f}", f"{p99:.0f}", f"{mean:.0f}", f"{rate:.1f}")
        return ROW.format(level, self.path, len(lat), self.errors, *cells)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# ---------------------------------------------------------------- a socket.io customer over a WebSocket


class SocketCustomer:
    """Engine.IO v4 / Socket.IO v5 frames over one WebSocket: what the web chat page sends and reads."""

    def __init__(self, ws: websockets.WebSocketClientProtocol) -> None:
        self._ws = ws
        self._ack = 0

    @classmethod
    async def connect(cls, gateway_url: str) -> SocketCustomer:
        url = gateway_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        customer = cls(await websockets.connect(url, max_size=2**20, ping_interval=None))
        await customer._frame(lambda f: f.startswith("0"))
        await customer._ws.send("40")
        await customer._frame(lambda f: f.startswith("40"))
        return customer

    async def call(self, event: str, data: dict[str, object]) -> object:
        self._ack += 1
        await self._ws.send(f"42{self._ack}{json.dumps([event, data])}")
        frame = await self._frame(lambda f: f.startswith(f"43{self._ack}["))
        return json.loads(frame[len(f"43{self._ack}") :])[0]

    async def turn(self, session_id: str, text: str) -> None:
        """Send one message; return when the bot has finished answering it."""
        message = {"message": text, "session_id": session_id, "client_id": uuid.uuid4().hex}
        ack = await self.call("user_uttered", message)
        if not isinstance(ack, dict) or "error" in ack:
            raise RuntimeError(f"refused: {ack}")
        await self._frame(_end_of_turn)

    async def _frame(self, wanted: Callable[[str], bool]) -> str:
        return await asyncio.wait_for(self._next(wanted), TURN_TIMEOUT_S)

    async def _next(self, wanted: Callable[[str], bool]) -> str:
        while True:
            frame = str(await self._ws.recv())
            if frame == "2":
                await self._ws.send("3")
            elif wanted(frame):
                return frame

    async def close(self) -> None:
        await self._ws.close()


def _end_of_turn(frame: str) -> bool:
    """``42["typing", {"typing": false, ...}]``: the gateway sends it after the turn's last ``bot_uttered``."""
    if not frame.startswith('42["typing"'):
        return False
    return json.loads(frame[2:])[1].get("typing") is False


async def gateway_conversation(gateway_url: str, batch: Batch) -> None:
    try:
        customer = await SocketCustomer.connect(gateway_url)
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException):
        batch.errors += len(SCRIPT)
        return
    try:
        session = await customer.call("session_request", {"session_id": None})
        session_id = str(session["session_id"]) if isinstance(session, dict) else ""
        for text in SCRIPT:
            started = time.perf_counter()
            try:
                await customer.turn(session_id, text)
            except (RuntimeError, asyncio.TimeoutError, websockets.WebSocketException):
                batch.errors += 1
                continue
            batch.latencies_ms.append((time.perf_counter() - started) * 1000)
    finally:
        await customer.close()


async def direct_conversation(http: httpx.AsyncClient, batch: Batch) -> None:
    sender = f"bench-{uuid.uuid4().hex}"
    for text in SCRIPT:
        started = time.perf_counter()
        try:
            response = await http.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
            response.raise_for_status()
        except httpx.HTTPError:
            batch.errors += 1
            continue
        batch.latencies_ms.append((time.perf_counter() - started) * 1000)


async def run_batch(path: str, conversations: int, gateway_url: str, rasa_url: str) -> Batch:
    batch = Batch(path)
    started = time.perf_counter()
    limits = httpx.Limits(max_connections=conversations, max_keepalive_connections=conversations)
    async with httpx.AsyncClient(base_url=rasa_url, timeout=TURN_TIMEOUT_S, limits=limits) as http:
        if path == "gateway":
            work = [gateway_conversation(gateway_url, batch) for _ in range(conversations)]
        else:
            work = [direct_conversation(http, batch) for _ in range(conversations)]
        await asyncio.gather(*work)
    batch.wall_s = time.perf_counter() - started
    return batch


async def run(args: argparse.Namespace, gateway_url: str, rasa_url: str) -> int:
    deadline = time.monotonic() + args.time_limit
    await run_batch("direct", 5, gateway_url, rasa_url)  # warm up both paths (models, pools, caches)
    await run_batch("gateway", 5, gateway_url, rasa_url)
    print(ROW.format("conversations", "path", "messages", "errors", "p50 ms", "p95 ms", "p99 ms", "mean ms", "msg/s"))
    verdicts = []
    for level in args.levels:
        merged = {"direct": Batch("direct"), "gateway": Batch("gateway")}
        for round_ in range(args.rounds):
            if time.monotonic() > deadline:
                print(f"time limit reached: {level} conversations ran {round_} of {args.rounds} rounds")
                break
            order = ["direct", "gateway"] if round_ % 2 == 0 else ["gateway", "direct"]
            for path in order:
                batch = await run_batch(path, level, gateway_url, rasa_url)
                merged[path].latencies_ms += batch.latencies_ms
                merged[path].errors += batch.errors
                merged[path].wall_s += batch.wall_s
        for path in ("direct", "gateway"):
            print(merged[path].line(level))
        ratio = pct(merged["gateway"].latencies_ms, 0.95) / pct(merged["direct"].latencies_ms, 0.95)
        verdicts.append((level, ratio))
        sys.stdout.flush()
    for level, ratio in verdicts:
        verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
        print(f"{level:>4} conversations: gateway p95 / direct p95 = {ratio:.2f} (target <= {TARGET_RATIO}): {verdict}")
    return 0


# ---------------------------------------------------------------- a product of its own


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def own_product() -> Iterator[tuple[str, str]]:
    """The whole product as `make run` starts it, on free ports; stopped with Ctrl-C's signal at the end."""
    with tempfile.TemporaryDirectory(prefix="bench-gateway-") as var:
        ports = {name: free_port() for name in ("GATEWAY", "RASA", "ACTION", "SIMULATOR", "REDIS")}
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_") and k != "REDIS_URL"}
        env.update({f"TRIAGE_{name}_PORT": str(port) for name, port in ports.items()})
        # The benchmark's conversations come from one client: the per-conversation limit stays, raised above
        # the script's length so it never refuses a benchmark message.
        env.update(TRIAGE_VAR_DIR=var, TRIAGE_ENV="test", TRIAGE_CHAT_RATE_LIMIT="1000")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.runner"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert process.stdout is not None
        try:
            for line in process.stdout:
                if READY_LINE in line:
                    break
                if re.search(r"Not ready after|Traceback", line):
                    raise RuntimeError(f"the product did not start: {line.strip()}")
            else:
                raise RuntimeError(f"the product exited with {process.wait()}")
            drain = subprocess.Popen(["cat"], stdin=process.stdout, stdout=subprocess.DEVNULL)
            yield f"http://127.0.0.1:{ports['GATEWAY']}", f"http://127.0.0.1:{ports['RASA']}"
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            if "drain" in locals():
                drain.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")], default=[10, 50, 100])
    parser.add_argument("--rounds", type=int, default=2, help="alternating batch pairs per level")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds; later rounds are skipped")
    parser.add_argument("--gateway", help="URL of a running gateway (with --rasa)")
    parser.add_argument("--rasa", help="URL of the Rasa server that gateway uses")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"gateway benchmark: loopback, {os.cpu_count()} CPUs, load average {load:.2f} at start")
    print(f"script per conversation: {len(SCRIPT)} messages {SCRIPT}; {args.rounds} rounds per level")
    if args.gateway and args.rasa:
        return asyncio.run(run(args, args.gateway.rstrip("/"), args.rasa.rstrip("/")))
    with own_product() as (gateway_url, rasa_url):
        return asyncio.run(run(args, gateway_url, rasa_url))


if __name__ == "__main__":
    sys.exit(main())
