"""The event broker's overflow on local disk: redacted summaries that did not fit in memory while Redis was slow.

Segments are JSON-lines files in a directory owned by one process (held with ``flock``), named by a signed
sequence number so they drain oldest first: appended segments count up, and what is put in front (the memory
queue at shutdown, older than anything spilled) counts down. A directory whose owner died (its lock is free)
is adopted at start, so a crash of Rasa never loses what was spilled. Only redacted summaries are written here.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

SEGMENT_LINES = 1000
"""Summaries per segment file: a segment is drained (read, written to Redis, removed) as one unit."""
LOCK_NAME = "owner.lock"


class Spool:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.directory = root / uuid.uuid4().hex
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock: IO[str] = (self.directory / LOCK_NAME).open("w")
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._writer: IO[str] | None = None
        self._writer_lines = 0
        self._tail = 0
        self._head = 0
        self._adopt_orphans()

    def _next_path(self) -> Path:
        self._tail += 1
        return self.directory / f"{self._tail}.jsonl"

    @staticmethod
    def _ordered(paths: Iterator[Path]) -> list[Path]:
        return sorted(paths, key=lambda path: int(path.stem))

    def _adopt_orphans(self) -> None:
        """Move the segments of dead owners into this spool, ahead of anything this process writes."""
        for other in sorted(p for p in self.root.iterdir() if p.is_dir() and p != self.directory):
            lock_path = other / LOCK_NAME
            try:
                with lock_path.open("a") as lock:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    for segment in self._ordered(other.glob("*.jsonl")):
                        segment.rename(self._next_path())
                    lock_path.unlink()
                other.rmdir()
            except (BlockingIOError, FileNotFoundError, OSError):
                continue  # a live process owns it, or another adopter was faster

    def prepend(self, summaries: list[dict[str, Any]]) -> None:
        """Put ``summaries`` ahead of everything spooled (they are older), as one segment."""
        self._head -= 1
        with (self.directory / f"{self._head}.jsonl").open("w", encoding="utf-8") as segment:
            segment.writelines(json.dumps(summary, separators=(",", ":")) + "\n" for summary in summaries)
            segment.flush()
            os.fsync(segment.fileno())

    def append(self, summaries: list[dict[str, Any]]) -> None:
        for summary in summaries:
            if self._writer is None or self._writer_lines >= SEGMENT_LINES:
                self._close_writer()
                self._writer = self._next_path().open("w", encoding="utf-8")
                self._writer_lines = 0
            self._writer.write(json.dumps(summary, separators=(",", ":")) + "\n")
            self._writer_lines += 1
        if self._writer is not None:
            self._writer.flush()

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.flush()
            os.fsync(self._writer.fileno())
            self._writer.close()
            self._writer = None

    def segments(self) -> Iterator[Path]:
        """Segments oldest first; the one being written is closed first so it can be drained too."""
        self._close_writer()
        yield from self._ordered(self.directory.glob("*.jsonl"))

    def empty(self) -> bool:
        return self._writer is None and not any(self.directory.glob("*.jsonl"))

    @staticmethod
    def read(segment: Path) -> list[dict[str, Any]]:
        with segment.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]

    def close(self) -> None:
        """Keep the segments (the next owner drains them); drop the directory when nothing is left."""
        self._close_writer()
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()
        if not any(self.directory.glob("*.jsonl")):
            (self.directory / LOCK_NAME).unlink(missing_ok=True)
            self.directory.rmdir()
