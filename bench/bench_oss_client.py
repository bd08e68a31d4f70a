"""OSS client round trips and simulator throughput, on loopback, at 50 concurrent callers.

Starts its own simulator (``python -m simulator`` on a free port), then runs three bounded phases:

* ``paced``: 50 callers, each issuing a lookup every ``50 / rate`` seconds (a busy chat front end); the
  client's round-trip p50/p95 here is the figure the target (p95 <= 15 ms) applies to;
* ``saturated``: the same 50 callers back to back, no pause: latency under overload, the client's ceiling;
* ``raw``: the simulator alone, driven by a minimal HTTP/1.1 client over 50 keep-alive connections, so its
  throughput is not limited by httpx.

Lookups rotate through get_customer, find_customer (phone), list_services, list_alarms and list_bills over
the seeded customers. No injected latency. Every phase stops at its call budget or its time limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.oss import OssClient, OssConfig, OssError  # noqa: E402

TARGET_P95_MS = 15.0
PHASE_TIME_LIMIT_S = 30.0
CUSTOMERS = 240
ROW = "{:<10} {:>7} {:>6} {:>6} {:>8} {:>8} {:>8} {:>9}"


@dataclass
class Phase:
    name: str
    callers: int
    latencies_ms: list[float]
    errors: int
    wall_s: float

    def line(self) -> str:
        lat = sorted(self.latencies_ms)
        p50, p95, p99 = (_pct(lat, q) for q in (0.50, 0.95, 0.99))
        rate = len(lat) / self.wall_s if self.wall_s else 0.0
        return ROW.format(self.name, self.callers, len(lat), self.errors, f"{p50:.1f}", f"{p95:.1f}", f"{p99:.1f}",
                          f"{rate:.0f}")  # fmt: skip


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def _operations(client: OssClient) -> list[Callable[[int], Awaitable[object]]]:
    return [
        lambda i: client.get_customer(f"CUST-{1 + i % CUSTOMERS:06d}"),
        lambda i: client.find_customer(f"07700 900{1 + i % 25:03d}"),
        lambda i: client.list_services(f"CUST-{1 + i % CUSTOMERS:06d}"),
        lambda i: client.list_alarms(area=("G1", "M1", "B1", "LS1")[i % 4]),
        lambda i: client.list_bills(f"AC{10000001 + i % 25}"),
    ]


async def client_phase(name: str, client: OssClient, callers: int, calls: int, interval_s: float) -> Phase:
    operations = _operations(client)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + PHASE_TIME_LIMIT_S

    async def caller(number: int) -> None:
        nonlocal errors
        await asyncio.sleep(interval_s * number / callers)
        next_at = time.perf_counter()
        for k in range(calls):
            if time.perf_counter() > deadline:
                return
            i = number * calls + k
            started = time.perf_counter()
            try:
                await operations[i % len(operations)](i)
                latencies.append((time.perf_counter() - started) * 1000)
            except OssError:
                errors += 1
            next_at += interval_s
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    started = time.perf_counter()
    await asyncio.gather(*(caller(n) for n in range(callers)))
    return Phase(name, callers, latencies, errors, time.perf_counter() - started)


async def raw_phase(port: int, connections: int, calls: int) -> Phase:
    latencies: list[float] = []
    deadline = time.perf_counter() + PHASE_TIME_LIMIT_S

    async def connection(number: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for k in range(calls):
            if time.perf_counter() > deadline:
                break
            ident = f"CUST-{1 + (number * calls + k) % CUSTOMERS:06d}"
            request = f"GET /tmf-api/customerManagement/v4/customer/{ident} HTTP/1.1\r\nHost: bench\r\n\r\n"
            started = time.perf_counter()
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection(n) for n in range(connections)))
    return Phase("raw", connections, latencies, 0, time.perf_counter() - started)


def start_simulator() -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the simulator exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise TimeoutError("the simulator did not start within 60 s")


async def run(args: argparse.Namespace, port: int) -> list[Phase]:
    config = OssConfig(base_url=f"http://127.0.0.1:{port}/tmf-api", timeout_s=5.0, max_connections=args.connections)
    async with OssClient(config) as client:
        await client_phase("warm-up", client, 5, 20, 0.0)
        paced = await client_phase("paced", client, args.callers, args.calls, args.callers / args.rate)
        saturated = await client_phase("saturated", client, args.callers, args.calls, 0.0)
    raw = await raw_phase(port, args.callers, args.calls * 4)
    return [paced, saturated, raw]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--calls", type=int, default=40, help="calls per caller and client phase")
    parser.add_argument("--rate", type=float, default=200.0, help="total calls per second of the paced phase")
    parser.add_argument("--connections", type=int, default=OssConfig().max_connections, help="client pool size")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    process, port = start_simulator()
    try:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"OSS client benchmark: loopback, {os.cpu_count()} CPUs, load average {load:.2f} at start")
        print(f"paced phase: {args.callers} callers at {args.rate:g} calls/s in total; no injected latency")
        print(ROW.format("phase", "callers", "calls", "errors", "p50 ms", "p95 ms", "p99 ms", "calls/s"))
        phases = asyncio.run(run(args, port))
        for phase in phases:
            print(phase.line())
        paced = sorted(phases[0].latencies_ms)
        p95 = _pct(paced, 0.95)
        verdict = "met" if p95 <= TARGET_P95_MS else "NOT met"
        print(f"target paced p95 <= {TARGET_P95_MS:g} ms: {verdict} ({p95:.1f} ms)")
        throughput = len(phases[2].latencies_ms) / phases[2].wall_s
        print(f"simulator throughput (raw phase): {throughput:.0f} requests/s, "
              f"median {statistics.median(phases[2].latencies_ms):.1f} ms")  # fmt: skip
        if args.json:
            figures = {
                phase.name: {"callers": phase.callers, "calls": len(phase.latencies_ms), "errors": phase.errors,
                             "p50_ms": _pct(sorted(phase.latencies_ms), 0.5),
                             "p95_ms": _pct(sorted(phase.latencies_ms), 0.95),
                             "calls_per_s": len(phase.latencies_ms) / phase.wall_s}
                for phase in phases
            }  # fmt: skip
            figures["target_p95_ms"] = TARGET_P95_MS  # type: ignore[assignment]
            args.json.write_text(json.dumps(figures, indent=2))
        return 0
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    sys.exit(main())
