"""Resident memory and CPU time of the product's processes, read from /proc (Linux), named as in the Procfile.

A process is named by its command line; one without a name of its own (the worker a Sanic server spawns, a
multiprocessing helper) counts with its nearest named ancestor, so the action server is its manager and its
worker together. The runner's own processes (honcho and the wrappers it forks per Procfile entry, which relay
every line the product logs) are ``runner``.
"""

from __future__ import annotations

import os
from pathlib import Path

NAMES = [  # first match wins: more specific command lines first
    ("redis-server", "redis"),
    ("engine.server", "rasa"),  # the engine venv's launcher of `rasa run` (Procfile)
    ("rasa run", "rasa"),
    ("rasa_sdk", "actions"),
    ("learning.consumer", "learning"),
    ("tools.runner.readiness", "ready"),
    ("simulator.sms_gateway", "smsgateway"),  # before "-m simulator", which its command line contains
    ("-m simulator", "simulator"),
    ("notify.smtp_sink", "mailsink"),  # before "-m notify"
    ("-m notify", "notifier"),
    ("-m bot", "gateway"),
    ("tools.runner", "runner"),
]

CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    pending, seen = [pid], []
    while pending:
        current = pending.pop()
        seen.append(current)
        pending += _children(current)
    return seen[1:]


def name_of(pid: int) -> str | None:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    return next((name for marker, name in NAMES if marker in command), None)


def named_processes(runner_pid: int) -> dict[int, str]:
    """Every process of the product, the runner included, with its name (inherited when it has none)."""
    names = {runner_pid: name_of(runner_pid) or "runner"}
    pending = [runner_pid]
    while pending:
        parent = pending.pop()
        for child in _children(parent):
            names[child] = name_of(child) or names[parent]
            pending.append(child)
    return names


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


def cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of every thread of ``pid`` so far (``None`` once it has gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name in parentheses may hold spaces
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS_PER_S  # utime, stime (fields 14 and 15 of stat)


def product_rss(runner_pid: int) -> dict[str, float]:
    """RSS in MB per named process under the runner (a name held by several processes is their sum).

    Not the runner's own: honcho's wrappers are forks of one Python, and the RSS of each counts their shared pages
    again; no deployment runs them (``deploy/`` starts each Procfile process on its own).
    """
    sizes: dict[str, float] = {}
    for pid, name in named_processes(runner_pid).items():
        if name != "runner":
            sizes[name] = sizes.get(name, 0.0) + rss_mb(pid)
    return sizes


def cpu_snapshot(runner_pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds so far of each product process: ``{pid: (name, seconds)}``."""
    snapshot = {}
    for pid, name in named_processes(runner_pid).items():
        seconds = cpu_s(pid)
        if seconds is not None:
            snapshot[pid] = (name, seconds)
    return snapshot


def cpu_used(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds per name between two snapshots; a process started in between counts from zero, and one that
    ended in between is missing (its last seconds cannot be read any more)."""
    used: dict[str, float] = {}
    for pid, (name, seconds) in after.items():
        start = before.get(pid, (name, 0.0))[1]
        used[name] = used.get(name, 0.0) + seconds - start
    return used
