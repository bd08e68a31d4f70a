"""Resident memory of the product's processes, read from /proc (Linux), named as in the Procfile."""

from __future__ import annotations

from pathlib import Path

NAMES = [  # first match wins: more specific command lines first
    ("redis-server", "redis"),
    ("engine.server", "rasa"),  # the engine venv's launcher of `rasa run` (Procfile)
    ("rasa run", "rasa"),
    ("rasa_sdk", "actions"),
    ("learning.consumer", "learning"),
    ("tools.runner.readiness", "ready"),
    ("-m simulator", "simulator"),
    ("-m bot", "gateway"),
]


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


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


def product_rss(runner_pid: int) -> dict[str, float]:
    """RSS in MB per named process under the runner (a name seen twice is summed)."""
    sizes: dict[str, float] = {}
    for pid in descendants(runner_pid):
        name = name_of(pid)
        if name:
            sizes[name] = sizes.get(name, 0.0) + rss_mb(pid)
    return sizes
