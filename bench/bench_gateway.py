"""Customer message round trip through the gateway's socket.io channel, beside the same messages sent to Rasa.

For each level of concurrency (10, 50, 100 and 200 conversations by default) it runs rounds of two batches, one
after the other, alternating which goes first so drifting machine load falls on both alike:

* ``gateway``: N conversations over the socket.io channel on a WebSocket, as the web chat page talks to it
  (session_request, then user_uttered for each message); a round trip ends when the bot has finished its
  turn (every bot_uttered sent, then ``typing: false``);
* ``direct``: N conversations posting the same messages to Rasa's REST channel; a round trip ends with the
  response, which carries every reply.

Each conversation sends the same script, one message at a time. Target: gateway p95 <= 1.2 x direct p95.
A turn the gateway answered itself (``metadata.from == "system"``: Rasa did not answer within its timeout)
counts as an error, not as a fast answer. It starts its own product (``python -m tools.runner`` on free loopback
ports, embedded Redis in a temporary directory) unless given ``--gateway`` and ``--rasa`` URLs of a running
one, samples the resident memory of each of its processes while the load runs, and starts no new round after
``--time-limit`` (a level reached after it is reported as not measured, never as empty figures). ``--json FILE``
writes the figures for ``bench/report.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import TURN_TIMEOUT_S, SocketCustomer, own_product, pct
from processes import product_rss

SCRIPT = ["hello", "are you a bot?", "what's the best recipe for banana bread", "bye"]
TARGET_RATIO = 1.2
ROW = "{:>13} {:<8} {:>8} {:>6} {:>8} {:>8} {:>8} {:>8} {:>7}"


@dataclass
class Batch:
    path: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    wall_s: float = 0.0

    def figures(self) -> dict[str, float | int]:
        lat = self.latencies_ms
        return {
            "messages": len(lat),
            "errors": self.errors,
            "p50_ms": pct(lat, 0.50),
            "p95_ms": pct(lat, 0.95),
            "p99_ms": pct(lat, 0.99),
            "msgs_per_s": len(lat) / self.wall_s if self.wall_s else float("nan"),
        }

    def line(self, level: int) -> str:
        lat = self.latencies_ms
        p50, p95, p99 = pct(lat, 0.50), pct(lat, 0.95), pct(lat, 0.99)
        mean = sum(lat) / len(lat) if lat else float("nan")
        rate = len(lat) / self.wall_s if self.wall_s else float("nan")
        cells = (f"{p50:.0f}", f"{p95:.0f}", f"{p99:.0f}", f"{mean:.0f}", f"{rate:.1f}")
        return ROW.format(level, self.path, len(lat), self.errors, *cells)


async def gateway_conversation(gateway_url: str, batch: Batch) -> None:
    try:
        customer = await SocketCustomer.connect(gateway_url)
    except (TimeoutError, OSError, websockets.WebSocketException):
        batch.errors += len(SCRIPT)
        return
    try:
        session = await customer.call("session_request", {"session_id": None})
        session_id = str(session["session_id"]) if isinstance(session, dict) else ""
        for text in SCRIPT:
            started = time.perf_counter()
            try:
                await customer.turn(session_id, text)
            except (TimeoutError, RuntimeError, websockets.WebSocketException):
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


async def sample_memory(runner_pid: int | None, peaks: dict[str, float], stop: asyncio.Event) -> None:
    """Keep the highest RSS seen per process while the load runs (one sample a second)."""
    while runner_pid is not None and not stop.is_set():
        for name, mb in product_rss(runner_pid).items():
            peaks[name] = max(peaks.get(name, 0.0), mb)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


async def run(args: argparse.Namespace, gateway_url: str, rasa_url: str, runner_pid: int | None = None) -> int:
    deadline = time.monotonic() + args.time_limit
    report: dict[str, object] = {"script": SCRIPT, "rounds": args.rounds, "target_ratio": TARGET_RATIO, "levels": {}}
    await run_batch("direct", 5, gateway_url, rasa_url)  # warm up both paths (models, pools, caches)
    await run_batch("gateway", 5, gateway_url, rasa_url)
    print(ROW.format("conversations", "path", "messages", "errors", "p50 ms", "p95 ms", "p99 ms", "mean ms", "msg/s"))
    verdicts = []
    for level in args.levels:
        merged = {"direct": Batch("direct"), "gateway": Batch("gateway")}
        peaks: dict[str, float] = {}
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(runner_pid, peaks, stop))
        rounds_run = 0
        for round_ in range(args.rounds):
            if time.monotonic() > deadline:
                print(f"time limit reached: {level} conversations ran {round_} of {args.rounds} rounds")
                break
            rounds_run += 1
            order = ["direct", "gateway"] if round_ % 2 == 0 else ["gateway", "direct"]
            for path in order:
                batch = await run_batch(path, level, gateway_url, rasa_url)
                merged[path].latencies_ms += batch.latencies_ms
                merged[path].errors += batch.errors
                merged[path].wall_s += batch.wall_s
        stop.set()
        await sampler
        levels = report["levels"]
        assert isinstance(levels, dict)
        if not rounds_run:  # no figures rather than empty ones a report could read as met
            print(f"{level:>13} not measured: --time-limit {args.time_limit:.0f} s reached before this level")
            levels[str(level)] = {"not_measured": f"--time-limit {args.time_limit:.0f} s reached before it"}
            continue
        for path in ("direct", "gateway"):
            print(merged[path].line(level))
        ratio = pct(merged["gateway"].latencies_ms, 0.95) / pct(merged["direct"].latencies_ms, 0.95)
        verdicts.append((level, ratio))
        if peaks:
            print("  peak RSS MB: " + ", ".join(f"{name} {mb:.0f}" for name, mb in sorted(peaks.items())))
        levels[str(level)] = {
            "rounds": rounds_run,
            "direct": merged["direct"].figures(),
            "gateway": merged["gateway"].figures(),
            "p95_ratio": ratio,
            "peak_rss_mb": peaks,
        }
        sys.stdout.flush()
    for level, ratio in verdicts:
        verdict = "not measured (no answers)" if math.isnan(ratio) else "met" if ratio <= TARGET_RATIO else "NOT met"
        print(f"{level:>4} conversations: gateway p95 / direct p95 = {ratio:.2f} (target <= {TARGET_RATIO}): {verdict}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")], default=[10, 50, 100, 200])
    parser.add_argument("--rounds", type=int, default=2, help="alternating batch pairs per level")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds; later rounds are skipped")
    parser.add_argument("--gateway", help="URL of a running gateway (with --rasa)")
    parser.add_argument("--rasa", help="URL of the Rasa server that gateway uses")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"gateway benchmark: loopback, {os.cpu_count()} CPUs, load average {load:.2f} at start")
    print(f"script per conversation: {len(SCRIPT)} messages {SCRIPT}; {args.rounds} rounds per level")
    if args.gateway and args.rasa:
        return asyncio.run(run(args, args.gateway.rstrip("/"), args.rasa.rstrip("/")))
    with own_product() as (gateway_url, rasa_url, runner_pid, _):
        return asyncio.run(run(args, gateway_url, rasa_url, runner_pid))


if __name__ == "__main__":
    sys.exit(main())
