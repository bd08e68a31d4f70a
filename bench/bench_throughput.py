"""Full triage turns per second of one Rasa process, straight to its REST channel and through the gateway (#20).

``--customers`` customers (10) run closed loops with no think time: each goes through the documented scenario
customers' conversations (``simulator.scenarios``: broken line, bill, outage by postcode, order, mobile, ticket;
4-6 messages each, typed as a customer types them), one after another with a new sender id per conversation, for
``--duration`` seconds (60) after ``--warmup`` seconds (10). Two modes, measured in the same run one after the
other:

* ``direct``: POST Rasa's REST channel ``/webhooks/rest/webhook``; a turn ends with the response;
* ``gateway``: the gateway's socket.io channel, as the web chat page talks to it; a turn ends at ``typing: false``.

Every reply is checked. A transport failure, a refusal, an empty turn or a notice of the gateway in place of the
bot's answer is an error; a bot answer without the words the script expects next is off script. Either ends
that conversation (its state is unknown) and the customer starts the next one; a handoff to a person ends the
order conversation, as the script expects. Per mode it prints full turns per second (turns the bot answered,
over the window), p50/p95/max turn latency, CPU milliseconds per message of each product process (utime + stime
from /proc over the window, divided by the messages sent in it) and each process's peak resident memory.

``--profile DIR`` records Rasa with py-spy during the direct window (collapsed stacks, which speedscope and
flamegraph.pl read) and prints the top functions; ``--tracker`` times each turn of one 60-message conversation and
reads the tracker's size in Redis at messages 5 and 60. It starts its own product (``python -m tools.runner`` on
free loopback ports, embedded Redis in a temporary directory) unless given ``--gateway`` and ``--rasa`` URLs
(CPU and memory then need ``--runner-pid``, the tracker's size ``--redis``). ``--json FILE`` writes the figures
for ``bench/report.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio
import redis.exceptions
import websockets
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (
    BY_NAME,
    ROOT,
    SCRIPTS,
    TURN_TIMEOUT_S,
    Script,
    SocketCustomer,
    own_product,
    pct,
    profile_summary,
    start_profile,
)
from processes import cpu_snapshot, cpu_used, named_processes, product_rss

from bot.chat.delivery import NO_ANSWER

MODES = ("direct", "gateway")
ERROR_PAUSE_S = 0.5  # a customer whose turn failed waits this long before the next conversation: no hot loop
EXAMPLES = 3  # errors and off-script answers printed per mode


@dataclass
class Window:
    """What one mode's customers did in one window."""

    latencies_ms: list[float] = field(default_factory=list)
    messages: int = 0
    errors: int = 0
    off_script: int = 0
    handoffs: int = 0
    conversations: int = 0
    wall_s: float = 0.0
    examples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(f"error: {what}")

    def answered(self, script: Script, step: int, bodies: list[dict[str, Any]], started: float) -> bool:
        """Judge one turn's replies; return whether the conversation goes on."""
        elapsed_ms = (time.perf_counter() - started) * 1000
        texts = "\n".join(str(body.get("text") or "") for body in bodies)
        if not bodies or NO_ANSWER in texts:  # Rasa's turn failed inside (the gateway says so in the bot's place)
            self.error(f"{script.name}, message {step + 1}: no answer from the bot")
            return False
        self.latencies_ms.append(elapsed_ms)
        said, expected = script.steps[step]
        if expected not in texts:
            self.off_script += 1
            if len(self.examples) < EXAMPLES:
                self.examples.append(f"off script: {script.name} > {said!r} expected {expected!r}, got {texts!r}")
            return False
        if any("handoff" in (body.get("custom") or {}) for body in bodies):
            self.handoffs += 1
            return False
        return True

    def figures(self) -> dict[str, Any]:
        lat = self.latencies_ms
        return {
            "turns": len(lat),
            "messages": self.messages,
            "errors": self.errors,
            "off_script": self.off_script,
            "handoffs": self.handoffs,
            "conversations": self.conversations,
            "wall_s": round(self.wall_s, 2),
            "turns_per_s": len(lat) / self.wall_s if self.wall_s else float("nan"),
            "p50_ms": pct(lat, 0.50),
            "p95_ms": pct(lat, 0.95),
            "max_ms": max(lat) if lat else float("nan"),
        }


# ---------------------------------------------------------------- the customers


async def direct_conversation(http: httpx.AsyncClient, script: Script, window: Window, deadline: float) -> None:
    """One conversation straight to Rasa, with a sender id of its own."""
    sender = f"bench-{uuid.uuid4().hex}"
    for step, (text, _) in enumerate(script.steps):
        if time.monotonic() >= deadline:
            return
        window.messages += 1
        started = time.perf_counter()
        try:
            response = await http.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
            response.raise_for_status()
            bodies = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            window.error(f"{script.name}, message {step + 1}: {type(exc).__name__}: {exc}")
            return
        if not isinstance(bodies, list):
            window.error(f"{script.name}, message {step + 1}: not a list of replies: {str(bodies)[:200]}")
            return
        if not window.answered(script, step, bodies, started):
            return


async def gateway_conversation(gateway_url: str, script: Script, window: Window, deadline: float) -> None:
    """One conversation over the gateway's socket.io channel, on a page (a WebSocket) opened for it."""
    try:
        customer = await SocketCustomer.connect(gateway_url)
    except (TimeoutError, OSError, websockets.WebSocketException) as exc:
        window.error(f"connecting: {type(exc).__name__}: {exc}")
        return
    try:
        session_id = await customer.session()
        for step, (text, _) in enumerate(script.steps):
            if time.monotonic() >= deadline:
                return
            window.messages += 1
            started = time.perf_counter()
            bodies = await customer.turn(session_id, text)
            if not window.answered(script, step, bodies, started):
                return
    except (TimeoutError, RuntimeError, OSError, websockets.WebSocketException) as exc:
        window.error(f"{script.name}: {type(exc).__name__}: {exc}")
    finally:
        with contextlib.suppress(OSError, websockets.WebSocketException):
            await customer.close()


async def load(mode: str, customers: int, seconds: float, gateway_url: str, rasa_url: str) -> Window:
    """``customers`` closed loops for ``seconds``; a turn under way at the end is finished and counted."""
    window = Window()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=customers, max_keepalive_connections=customers)

    async def customer(index: int, http: httpx.AsyncClient) -> None:
        upcoming = index  # customers start on different scenarios
        while time.monotonic() < deadline:
            script = SCRIPTS[upcoming % len(SCRIPTS)]
            upcoming += 1
            window.conversations += 1
            errors = window.errors
            if mode == "direct":
                await direct_conversation(http, script, window, deadline)
            else:
                await gateway_conversation(gateway_url, script, window, deadline)
            if window.errors > errors:
                await asyncio.sleep(ERROR_PAUSE_S)

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=rasa_url, timeout=TURN_TIMEOUT_S, limits=limits) as http:
        await asyncio.gather(*(customer(i, http) for i in range(customers)))
    window.wall_s = time.perf_counter() - started
    return window


# ---------------------------------------------------------------- what the product spent


class Meter:
    """CPU time of each product process over a window, and the highest RSS sampled once a second."""

    def __init__(self, runner_pid: int | None) -> None:
        self._runner_pid = runner_pid
        self._before = cpu_snapshot(runner_pid) if runner_pid else {}
        self._self_before = _own_cpu_s()
        self.peaks_mb: dict[str, float] = {}
        self._stop = asyncio.Event()
        self._sampler = asyncio.create_task(self._sample())

    async def _sample(self) -> None:
        while self._runner_pid is not None and not self._stop.is_set():
            for name, mb in product_rss(self._runner_pid).items():
                self.peaks_mb[name] = max(self.peaks_mb.get(name, 0.0), mb)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), 1.0)

    async def stop(self) -> tuple[dict[str, float], float]:
        """CPU seconds per product process (empty without a runner pid), and this script's own."""
        self._stop.set()
        await self._sampler
        used = cpu_used(self._before, cpu_snapshot(self._runner_pid)) if self._runner_pid else {}
        return used, _own_cpu_s() - self._self_before


def _own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------- one long conversation

TRACKER_TURNS = 60
EARLY, LATE = slice(2, 7), slice(55, 60)  # turns 3-7 and 56-60: the same five messages (tracker_script)
SIZE_AT = (5, 60)  # turns after which the tracker's size is read


def tracker_script() -> list[str]:
    """One customer's 60 messages in one conversation. Turns 3-7 and 56-60 are the same five (an outage check by
    postcode and small talk, which need no identification), so the two medians compare like with like; whole
    scenario conversations repeat between them (not the order's: its handoff ends the bot's part)."""
    block = [BY_NAME["outage by postcode"].steps[1][0], "no thanks", "are you a bot?", "thanks", "bye"]
    between = ["broken line", "bill", "outage by postcode", "mobile", "bill", "outage by postcode", "ticket", "bill",
               "outage by postcode"]  # fmt: skip
    lines = ["hi", "are you a bot?", *block, *(text for name in between for text, _ in BY_NAME[name].steps), *block]
    assert len(lines) == TRACKER_TURNS, len(lines)
    return lines


def tracker_key(sender: str) -> str | None:
    """Where Rasa 3.6's RedisTrackerStore keeps a conversation (``<key_prefix>:tracker:<sender>``), from the
    endpoints.yml Rasa runs with; None when its tracker store is not Redis."""
    store = (yaml.safe_load((ROOT / "endpoints.yml").read_text()) or {}).get("tracker_store") or {}
    kind = str(store.get("type") or "")
    if kind != "redis" and not kind.endswith("RedisTrackerStore"):  # Rasa's, or engine/tracker_store.py's subclass
        return None
    prefix = str(store.get("key_prefix") or "")
    return (f"{prefix}:tracker:" if prefix.isalnum() else "tracker:") + sender  # Rasa ignores other prefixes


async def tracker_growth(rasa_url: str, redis_url: str | None) -> dict[str, Any]:
    """Time each turn of one 60-message conversation straight to Rasa; read the tracker's size at 5 and 60."""
    sender = f"bench-tracker-{uuid.uuid4().hex}"
    key = tracker_key(sender)
    store = redis.asyncio.Redis.from_url(redis_url) if redis_url and key else None
    turn_ms: list[float] = []
    sizes: dict[str, dict[str, int]] = {}
    try:
        async with httpx.AsyncClient(base_url=rasa_url, timeout=TURN_TIMEOUT_S) as http:
            for turn, text in enumerate(tracker_script(), 1):
                started = time.perf_counter()
                try:
                    response = await http.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
                    answered = response.status_code == 200 and bool(response.json())
                    outcome = f"{response.status_code} {response.text[:200]}"
                except (httpx.HTTPError, ValueError) as exc:
                    answered, outcome = False, f"{type(exc).__name__}: {exc}"
                if not answered:
                    reason = f"turn {turn} ({text!r}) was not answered: {outcome}"
                    print(f"tracker: not measured, {reason}")
                    return {"not_measured": {"tracker growth": reason}}
                turn_ms.append((time.perf_counter() - started) * 1000)
                if store is not None and key is not None and turn in SIZE_AT:
                    stored = await store.get(key)
                    events = len(json.loads(stored)["events"]) if stored else 0
                    sizes[str(turn)] = {"bytes": len(stored or b""), "events": events}
    except redis.exceptions.RedisError as exc:
        reason = f"Redis did not answer: {type(exc).__name__}: {exc}"
        print(f"tracker: not measured, {reason}")
        return {"not_measured": {"tracker growth": reason}}
    finally:
        if store is not None:
            await store.aclose()
    early, late = statistics.median(turn_ms[EARLY]), statistics.median(turn_ms[LATE])
    print(f"tracker: one conversation of {TRACKER_TURNS} messages straight to Rasa; median turn {early:.0f} ms at "
          f"messages 3-7, {late:.0f} ms at 56-60 ({late / early:.2f}x)")  # fmt: skip
    for first in range(0, TRACKER_TURNS, 10):
        cells = " ".join(f"{ms:5.0f}" for ms in turn_ms[first : first + 10])
        print(f"  turns {first + 1:>2}-{first + 10:<2} ms: {cells}")
    result: dict[str, Any] = {"turn_ms": turn_ms, "median_3_7_ms": early, "median_56_60_ms": late, "size": sizes}
    if sizes:
        print("  tracker in Redis: " + ", ".join(f"after message {turn}: {s['bytes']:,} bytes, {s['events']} events"
                                                  for turn, s in sizes.items()))  # fmt: skip
    else:
        reason = "no Redis URL (--redis)" if key else "Rasa's tracker store is not Redis (endpoints.yml)"
        print(f"  tracker size not measured: {reason}")
        result["not_measured"] = {"tracker size": reason}
    return result


# ---------------------------------------------------------------- the run


ROW = "{:<8} {:>6} {:>6} {:>10} {:>8} {:>8} {:>7} {:>7} {:>7}"


async def measure(mode: str, args: argparse.Namespace, urls: tuple[str, str], runner_pid: int | None) -> dict[str, Any]:
    gateway_url, rasa_url = urls
    if args.warmup > 0:
        await load(mode, args.customers, args.warmup, gateway_url, rasa_url)
    load_average = os.getloadavg()[0]
    profiler = None
    if mode == "direct" and args.profile:
        rasa = [pid for pid, name in named_processes(runner_pid).items() if name == "rasa"] if runner_pid else []
        profiler = start_profile(rasa[0] if rasa else None, args.profile, args.duration, "rasa-direct")
    meter = Meter(runner_pid)
    window = await load(mode, args.customers, args.duration, gateway_url, rasa_url)
    cpu, own_cpu = await meter.stop()
    figures = window.figures()
    sent = max(window.messages, 1)
    figures |= {
        "load_average_at_start": load_average,
        "cpu_ms_per_msg": {name: s * 1000 / sent for name, s in sorted(cpu.items(), key=lambda kv: -kv[1])},
        "load_generator_cpu_ms_per_msg": own_cpu * 1000 / sent,
        "peak_rss_mb": dict(sorted(meter.peaks_mb.items(), key=lambda kv: -kv[1])),
        "profiled": profiler is not None and profiler.process is not None,
        "examples": window.examples,
    }
    timings = (f"{figures[key]:.0f}" for key in ("p50_ms", "p95_ms", "max_ms"))
    rate = f"{figures['turns_per_s']:.2f}"
    print(ROW.format(mode, figures["turns"], window.errors, window.off_script, window.handoffs, rate, *timings))
    print(f"         {window.messages} messages in {window.conversations} conversations over {window.wall_s:.1f} s,"
          f" load average {load_average:.2f} at the start of the window")  # fmt: skip
    if cpu:
        print("         CPU ms per message: " + ", ".join(f"{n} {v:.1f}" for n, v in figures["cpu_ms_per_msg"].items()))
        print("         peak RSS MB: " + ", ".join(f"{n} {v:.0f}" for n, v in figures["peak_rss_mb"].items()))
    print(f"         load generator (this script) CPU ms per message: {figures['load_generator_cpu_ms_per_msg']:.1f}")
    for example in window.examples:
        print(f"         {example[:300]}")
    if profiler is not None:
        if figures["profiled"]:
            print("         (py-spy pauses Rasa for every sample: this window's figures carry its cost)")
        figures["profile"] = profile_summary(profiler)
    sys.stdout.flush()
    return figures


async def unreachable(urls: tuple[str, str]) -> str | None:
    """Why the gateway or Rasa cannot be benchmarked (a sentence), or None when both answer."""
    async with httpx.AsyncClient(timeout=10) as http:
        for name, url in (("gateway", f"{urls[0]}/healthz"), ("Rasa", f"{urls[1]}/")):
            try:
                (await http.get(url)).raise_for_status()
            except httpx.HTTPError as exc:
                return f"the {name} at {url} does not answer ({type(exc).__name__}: {exc})"
    return None


async def run(args: argparse.Namespace, urls: tuple[str, str], runner_pid: int | None, redis_url: str | None) -> int:
    if reason := await unreachable(urls):
        print(f"not measured: {reason}", file=sys.stderr)
        return 2
    report: dict[str, Any] = {
        "customers": args.customers,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "scripts": {s.name: [text for text, _ in s.steps] for s in SCRIPTS},
        "modes": {},
        "not_measured": {},
    }
    if runner_pid is None:
        reason = "a product given by URL without --runner-pid"
        report["not_measured"] |= {"CPU per message": reason, "resident memory": reason}
    print(ROW.format("mode", "turns", "errors", "off script", "handoffs", "turns/s", "p50 ms", "p95 ms", "max ms"))
    for mode in MODES:
        report["modes"][mode] = await measure(mode, args, urls, runner_pid)
    if args.tracker:
        report["tracker"] = await tracker_growth(urls[1], redis_url)
        for figure, reason in report["tracker"].pop("not_measured", {}).items():
            report["not_measured"][figure] = reason
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=10, help="concurrent customers (closed loops)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured per mode")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of the same load before each window")
    parser.add_argument("--profile", type=Path, help="record Rasa with py-spy during the direct window, into DIR")
    parser.add_argument("--tracker", action="store_true", help="time one 60-message conversation, tracker sizes")
    parser.add_argument("--gateway", help="URL of a running gateway (with --rasa)")
    parser.add_argument("--rasa", help="URL of the Rasa server that gateway uses")
    parser.add_argument("--runner-pid", type=int, help="pid of the running product's tools.runner: CPU and memory")
    parser.add_argument("--redis", help="URL of the running product's Redis: the tracker's size")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    if args.customers < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("--customers must be at least 1, --duration above 0 and --warmup at least 0")
    if bool(args.gateway) != bool(args.rasa):
        parser.error("--gateway and --rasa go together")
    if (args.runner_pid or args.redis) and not args.gateway:
        parser.error("--runner-pid and --redis describe a running product: give its --gateway and --rasa too")
    if args.runner_pid and not Path(f"/proc/{args.runner_pid}").is_dir():
        parser.error(f"--runner-pid {args.runner_pid}: no such process")
    if args.profile and args.profile.exists() and not args.profile.is_dir():
        parser.error(f"--profile {args.profile}: not a folder")
    if args.json and not args.json.parent.is_dir():
        parser.error(f"--json {args.json}: its folder does not exist")
    print(f"throughput benchmark: loopback, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start;"
          f" {args.customers} customers, {args.warmup:.0f} s warm-up and {args.duration:.0f} s per mode")  # fmt: skip
    if args.gateway and args.rasa:
        urls = (args.gateway.rstrip("/"), args.rasa.rstrip("/"))
        return asyncio.run(run(args, urls, args.runner_pid, args.redis))
    with own_product() as (gateway_url, rasa_url, runner_pid, redis_url):
        return asyncio.run(run(args, (gateway_url, rasa_url), runner_pid, redis_url))


if __name__ == "__main__":
    sys.exit(main())
