"""What the benchmarks that drive the whole product share: a product of their own, customers and a profiler.

``own_product()`` starts the product as ``make run`` does (``python -m tools.runner``) on free loopback ports, with
an embedded Redis in a temporary directory, and stops it with Ctrl-C's signal. ``SocketCustomer`` speaks the
gateway's socket.io channel over one WebSocket (Engine.IO v4 / Socket.IO v5 frames), as the web chat page does.
``SCRIPTS`` are triage conversations of the documented scenario customers as people type them, each message with
the words the bot's answer must hold. ``start_profile``/``profile_summary`` record a process with py-spy.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from simulator.scenarios import BY_KEY

ROOT = Path(__file__).resolve().parent.parent
READY_LINE = "The telecom triage bot is up"
TURN_TIMEOUT_S = 120.0  # far above any turn seen; a turn this late is an error, reported as such


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# ---------------------------------------------------------------- triage conversations as customers type them

GREETING, ASK_ID, ASK_POSTCODE, GOODBYE = "support assistant", "account number", "postcode", "Goodbye"


@dataclass(frozen=True)
class Script:
    name: str
    steps: tuple[tuple[str, str], ...]
    """(what the customer types, words the bot's answer to it holds)."""


def _scripts() -> tuple[Script, ...]:
    line, bill, outage = BY_KEY["router_fault"], BY_KEY["bill_roaming"], BY_KEY["outage_area"]
    order, mobile, ticket = BY_KEY["order_held_number_port"], BY_KEY["mobile_outage"], BY_KEY["ticket_within_sla"]
    return (
        Script("broken line", (
            ("hi", GREETING), ("my internet isn't working", ASK_ID), (line.account_id, ASK_POSTCODE),
            (line.postcode.lower(), "restart"), ("yes, it's working again", "glad that sorted it"), ("bye", GOODBYE),
        )),
        Script("bill", (
            ("hello", GREETING), ("why is my bill so much higher this month??", ASK_ID),
            (f"account {bill.account_id} postcode {bill.postcode}", "Roaming charges"),
            ("ok that makes sense, thanks", "anything else"), ("bye", GOODBYE),
        )),
        Script("outage by postcode", (
            ("hi there", GREETING), (f"is there an outage in {outage.postcode}?", "known fault"),
            ("yes please", "Which mobile number"), (outage.mobile, "I'll text"), ("thanks, bye", GOODBYE),
        )),
        # The bot hands a held order to the orders team: the conversation ends with the handoff.
        Script("order", (
            ("hello", GREETING), ("where is my order? it's been ages", ASK_ID), (order.mobile, ASK_POSTCODE),
            (order.postcode, "moving your number"),
        )),
        Script("mobile", (
            ("hi", GREETING), ("my mobile has no signal at all", ASK_ID), (mobile.mobile, ASK_POSTCODE),
            (mobile.postcode, "known fault affecting mobile"), ("no thanks", "No problem"), ("bye", GOODBYE),
        )),
        Script("ticket", (
            ("hello", GREETING), ("any update on my fault ticket?", ASK_ID), (ticket.account_id, ASK_POSTCODE),
            (ticket.postcode, str(ticket.ticket_id)), ("thanks", "welcome"), ("bye", GOODBYE),
        )),
    )  # fmt: skip


SCRIPTS = _scripts()
BY_NAME = {script.name: script for script in SCRIPTS}


# ---------------------------------------------------------------- a socket.io customer over a WebSocket


class GatewayAnswered(RuntimeError):
    """The gateway answered the turn itself (``metadata.from == "system"``): Rasa did not answer in time."""


class SocketCustomer:
    """Engine.IO v4 / Socket.IO v5 frames over one WebSocket: what the web chat page sends and reads."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
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

    async def session(self) -> str:
        """Open a new conversation; return its session id."""
        ack = await self.call("session_request", {"session_id": None})
        if not isinstance(ack, dict) or "error" in ack:
            raise RuntimeError(f"session refused: {ack}")
        return str(ack["session_id"])

    async def turn(self, session_id: str, text: str) -> list[dict[str, Any]]:
        """Send one message; return the ``bot_uttered`` bodies of the bot's turn once it has finished.

        Raises :class:`GatewayAnswered` when the gateway spoke instead of the bot, ``RuntimeError`` on a refusal.
        """
        message: dict[str, object] = {"message": text, "session_id": session_id, "client_id": uuid.uuid4().hex}
        ack = await self.call("user_uttered", message)
        if not isinstance(ack, dict) or "error" in ack:
            raise RuntimeError(f"refused: {ack}")
        uttered: list[dict[str, Any]] = []

        def end_of_turn(frame: str) -> bool:
            if frame.startswith('42["bot_uttered"'):
                uttered.append(json.loads(frame[2:])[1])
            return _end_of_turn(frame)

        await self._frame(end_of_turn)
        system = [body for body in uttered if (body.get("metadata") or {}).get("from") == "system"]
        if system:
            raise GatewayAnswered(f"the gateway answered, not the bot: {json.dumps(system[0])[:200]}")
        return uttered

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


# ---------------------------------------------------------------- a product of its own


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def own_product() -> Iterator[tuple[str, str, int, str]]:
    """The whole product as `make run` starts it, on free ports; stopped with Ctrl-C's signal at the end.

    Yields the gateway's and Rasa's URLs, the runner's pid (every product process descends from it) and the
    embedded Redis's URL.
    """
    with tempfile.TemporaryDirectory(prefix="bench-product-") as var:
        ports = {name: free_port() for name in ("GATEWAY", "RASA", "ACTION", "SIMULATOR", "REDIS")}
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_") and k != "REDIS_URL"}
        env.update({f"TRIAGE_{name}_PORT": str(port) for name, port in ports.items()})
        # A benchmark's conversations all come from one client address, as fast as the product answers: the
        # limits on messages per conversation and new conversations per address stay, raised out of its way.
        env.update(
            TRIAGE_VAR_DIR=var,
            TRIAGE_ENV="test",
            TRIAGE_CHAT_RATE_LIMIT="1000",
            TRIAGE_NEW_CONVERSATIONS_PER_ADDRESS="1000000",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "tools.runner"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert process.stdout is not None
        drain: subprocess.Popen[bytes] | None = None
        try:
            for line in process.stdout:
                if READY_LINE in line:
                    break
                if re.search(r"Not ready after|Traceback", line):
                    raise RuntimeError(f"the product did not start: {line.strip()}")
            else:
                raise RuntimeError(f"the product exited with {process.wait()}")
            drain = subprocess.Popen(["cat"], stdin=process.stdout, stdout=subprocess.DEVNULL)
            gateway, rasa = f"http://127.0.0.1:{ports['GATEWAY']}", f"http://127.0.0.1:{ports['RASA']}"
            yield gateway, rasa, process.pid, f"redis://127.0.0.1:{ports['REDIS']}/0"
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            if drain is not None:
                drain.wait(timeout=10)


# ---------------------------------------------------------------- a sampling profile with py-spy

PROFILE_TOP = 25  # functions printed, by own samples and by total samples
TRUNK_SHARE = 0.95  # a frame in this share of the samples or more is the server's trunk: not listed by total


@dataclass
class Profile:
    process: subprocess.Popen[str] | None
    output: Path
    pid: int | None
    reason: str = ""
    """Why there is no profile, when ``process`` is None."""


def start_profile(pid: int | None, directory: Path, seconds: float, label: str) -> Profile:
    """Record ``pid`` with py-spy for ``seconds``, by function, as collapsed stacks (its ``raw`` format, which
    speedscope and flamegraph.pl read), into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    output = directory / f"{label}-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    pyspy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if pid is None:
        return Profile(None, output, pid, "no process to profile (a product given by URL needs --runner-pid)")
    if pyspy is None:
        return Profile(None, output, pid, "py-spy is not installed in this venv (pip install py-spy==0.4.3)")
    duration = str(max(1, round(seconds)))
    command = [pyspy, "record", "--pid", str(pid), "--duration", duration, "--function", "--format", "raw"]
    process = subprocess.Popen(
        [*command, "--output", str(output)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    return Profile(process, output, pid)


def profile_summary(profile: Profile, top: int = PROFILE_TOP) -> dict[str, Any]:
    """Wait for py-spy, then print and return the functions seen most: own (running, at the top of the stack) and
    total (anywhere in the stack), as shares of all samples."""
    if profile.process is None:
        print(f"profile not measured: {profile.reason}")
        return {"not_measured": profile.reason}
    try:
        log, _ = profile.process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        profile.process.kill()
        log, _ = profile.process.communicate()
    if profile.process.returncode != 0 or not profile.output.exists():
        reason = f"py-spy exited with {profile.process.returncode}: {' '.join(log.split())[-400:]}"
        print(f"profile not measured: {reason}")
        return {"not_measured": reason}
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for line in profile.output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        own[frames[-1]] += int(count)
        for frame in set(frames):  # a recursive function counts once per sample
            total[frame] += int(count)
    samples = sum(own.values())
    if not samples:
        print(f"profile not measured: py-spy recorded no samples of pid {profile.pid}")
        return {"not_measured": f"py-spy recorded no samples of pid {profile.pid}"}

    def rows(ranked: list[tuple[str, int]]) -> list[dict[str, Any]]:
        return [{"function": name, "own_pct": 100 * own[name] / samples, "total_pct": 100 * total[name] / samples}
                for name, _ in ranked]  # fmt: skip

    branches = [(name, n) for name, n in total.most_common() if n < TRUNK_SHARE * samples]
    by_own, by_total = rows(own.most_common(top)), rows(branches[:top])
    print(f"py-spy: {samples} samples of pid {profile.pid}, collapsed stacks in {profile.output}")
    by_total_title = f"top {top} by total samples (below {TRUNK_SHARE:.0%}: the server's trunk left out)"
    for title, ranked in ((f"top {top} by own samples", by_own), (by_total_title, by_total)):
        print(f"  {title}:\n  {'own %':>6} {'total %':>7}  function (file:first line)")
        for row in ranked:
            print(f"  {row['own_pct']:6.1f} {row['total_pct']:7.1f}  {row['function']}")
    return {"file": str(profile.output), "pid": profile.pid, "samples": samples, "by_own": by_own, "by_total": by_total}
