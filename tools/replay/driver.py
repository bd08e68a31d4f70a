"""Drives scripted conversations through the running gateway (``POST /api/messages``), as customers would.

Conversations run a few at a time; those that need an OSS/BSS failure run last, one by one, with a fault set
on the simulator for the API in question (``PUT /admin/faults/<api>``) and cleared afterwards.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tools.replay.templates import Script, Templates

TIMEOUT_S = 90.0
"""Rasa may be slow to answer while it is busy; a reply later than this counts as a failed turn."""


@dataclass
class ReplayReport:
    conversations: int = 0
    turns: int = 0
    failed_turns: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = f"{self.conversations} conversations, {self.turns} turns, {self.failed_turns} failed turns"
        kinds = [f"  {kind}: {count}" for kind, count in sorted(self.kinds.items())]
        return [head, *kinds, *(f"  error: {e}" for e in self.errors[:10])]


async def _converse(client: httpx.AsyncClient, gateway: str, script: Script, report: ReplayReport) -> None:
    conversation_id: str | None = None
    token: str | None = None
    for text in script.turns:
        body: dict[str, str] = {"text": text}
        headers = {}
        if conversation_id and token:
            body["conversation_id"] = conversation_id
            headers["Authorization"] = f"Bearer {token}"
        report.turns += 1
        try:
            response = await client.post(f"{gateway}/api/messages", json=body, headers=headers, timeout=TIMEOUT_S)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            report.failed_turns += 1
            report.errors.append(f"{script.kind}: {type(exc).__name__} {exc}"[:200])
            return
        data = response.json()
        conversation_id = data["conversation_id"]
        token = data.get("token") or token
    report.conversations += 1
    report.kinds[script.kind.partition(":")[0]] += 1


async def _with_fault(
    client: httpx.AsyncClient, gateway: str, simulator: str, script: Script, report: ReplayReport
) -> None:
    fault_url = f"{simulator}/admin/faults/{script.fault}"
    try:
        (await client.put(fault_url, json={"mode": "error", "status": 503}, timeout=10)).raise_for_status()
    except httpx.HTTPError as exc:
        report.errors.append(f"could not set a fault on the simulator ({exc}); skipped {script.kind}")
        return
    try:
        await _converse(client, gateway, script, report)
    finally:
        await client.delete(fault_url, timeout=10)


async def replay(gateway: str, simulator: str | None, count: int, concurrency: int, seed: int) -> ReplayReport:
    scripts = Templates(seed).mix(count)
    report = ReplayReport()
    plain = [s for s in scripts if not s.fault]
    faulty = [s for s in scripts if s.fault]
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient() as client:

        async def run(script: Script) -> None:
            async with limit:
                await _converse(client, gateway, script, report)

        await asyncio.gather(*(run(script) for script in plain))
        if simulator:
            for script in faulty:
                await _with_fault(client, gateway, simulator.rstrip("/"), script, report)
    return report
