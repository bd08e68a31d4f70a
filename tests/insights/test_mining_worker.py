"""The mining worker is a process of its own: a gateway killed outright must not leave it running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from core.settings import PROJECT_ROOT

GATEWAY_STAND_IN = """
import asyncio, os, sys
from bot.insights.state import MiningPool

async def main() -> None:
    pool = MiningPool(None, None)
    print(await pool.run(os.getpid), flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().split()[2] != "Z"


def test_a_gateway_killed_outright_takes_its_mining_worker_with_it() -> None:
    gateway = subprocess.Popen(
        [sys.executable, "-c", GATEWAY_STAND_IN], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert gateway.stdout is not None
        worker = int(gateway.stdout.readline())
        assert worker != gateway.pid and alive(worker)
        gateway.send_signal(signal.SIGKILL)
        gateway.wait(timeout=10)
        deadline = time.monotonic() + 10
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(worker), "the mining worker outlived its gateway"
    finally:
        gateway.kill()
