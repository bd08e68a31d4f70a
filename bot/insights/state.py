"""What the insights routers share (``app.state.insights``), and the worker process that mines themes.

Mining is CPU work of seconds; in the gateway's own process it would hold the GIL and slow every customer's
chat. :class:`MiningPool` runs it in one worker process (spawned at the first mining, kept warm, stopped
with the gateway), one mining at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import multiprocessing
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar, cast

from fastapi import Request
from redis.asyncio import Redis

from core.settings import PROJECT_ROOT, Settings
from learning.mining.engine import MinedGroups, mine_texts
from learning.store import LearningStore

T = TypeVar("T")

PR_SET_PDEATHSIG = 1
"""Linux prctl(2) option: the signal a process receives when its parent dies."""


def _end_with_the_gateway() -> None:
    """In the worker: a gateway killed outright (SIGKILL, OOM) takes its mining worker with it instead of leaving
    an orphan holding hundreds of MB. Elsewhere than Linux the worker ends when its task pipe closes, as before."""
    libc_name = ctypes.util.find_library("c")
    if libc_name:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(libc_name, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class MiningPool:
    def __init__(self, model_path: Path | None, nlu_dir: Path | None, in_process: bool = False) -> None:
        self.model_path = str(model_path) if model_path else None
        self.nlu_dir = str(nlu_dir) if nlu_dir else None
        self._in_process = in_process
        self._executor: ProcessPoolExecutor | None = None
        self._lock = asyncio.Lock()

    async def mine(self, texts: list[str], probes: list[str] | None = None) -> MinedGroups:
        return await self.run(partial(mine_texts, texts, self.model_path, self.nlu_dir, probes=probes or []))

    async def run(self, job: Callable[[], T]) -> T:
        """Run ``job`` in the mining worker (a thread in tests and the CLI), one job at a time: mining and placing
        records into themes are the same CPU-heavy work and must not run side by side."""
        async with self._lock:
            if self._in_process:
                return await asyncio.to_thread(job)
            if self._executor is None:
                spawn = multiprocessing.get_context("spawn")
                self._executor = ProcessPoolExecutor(max_workers=1, mp_context=spawn, initializer=_end_with_the_gateway)
            return await asyncio.get_running_loop().run_in_executor(self._executor, job)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


@dataclass
class InsightsState:
    settings: Settings
    store: LearningStore
    pool: MiningPool
    nlu_dir: Path = field(default=PROJECT_ROOT / "data" / "nlu")

    @property
    def k_min_customers(self) -> int:
        return self.settings.learning_k_min_customers

    @property
    def secret(self) -> str:
        return self.settings.learning_pseudonym_secret.get_secret_value()


async def start_insights(settings: Settings, redis: Redis, *, in_process: bool = False) -> InsightsState:
    """Open the insights' shared state; ``in_process`` mines in a thread (tests, the CLI)."""
    store = LearningStore(redis, settings.learning_retention_days)
    nlu_dir = PROJECT_ROOT / "data" / "nlu"
    model = settings.spacy_model if (settings.spacy_model / "vocab").exists() else None
    return InsightsState(settings, store, MiningPool(model, nlu_dir, in_process), nlu_dir)


async def stop_insights(state: InsightsState) -> None:
    state.pool.close()


def get_insights(request: Request) -> InsightsState:
    return cast(InsightsState, request.app.state.insights)
