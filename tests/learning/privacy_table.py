"""The privacy table (``privacy_table.yml``): rows of text, the personal data that must go, the words that must
stay; and how a redactor's output scores against them. Shared by the table's test and ``bench/bench_privacy.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TABLE = Path(__file__).with_name("privacy_table.yml")
MIN_ROWS = 60


@dataclass(frozen=True)
class Row:
    text: str
    go: tuple[str, ...]
    """Personal data: none may remain (compared without regard to case)."""
    stay: tuple[str, ...]
    """Words product owners need: each must remain exactly."""


@dataclass
class Score:
    go_total: int = 0
    removed: int = 0
    stay_total: int = 0
    lost: int = 0
    rows_right: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.removed / self.go_total if self.go_total else 1.0

    @property
    def over_redaction(self) -> float:
        return self.lost / self.stay_total if self.stay_total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "recall": round(self.recall, 4),
            "over_redaction": round(self.over_redaction, 4),
            "go_total": self.go_total,
            "removed": self.removed,
            "stay_total": self.stay_total,
            "lost": self.lost,
            "rows_right": self.rows_right,
            "misses": self.misses,
        }


def load_table(path: Path = TABLE) -> list[Row]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Row(str(row["text"]), tuple(str(g) for g in row.get("go") or ()), tuple(str(s) for s in row.get("stay") or ()))
        for row in rows
    ]


def row_misses(row: Row, redacted: str) -> list[str]:
    """What is wrong with one row's redaction: personal data left, kept words lost (empty: right)."""
    left = [item for item in row.go if item.lower() in redacted.lower()]
    lost = [item for item in row.stay if item not in redacted]
    return [f"left {item!r}" for item in left] + [f"lost {item!r}" for item in lost]


def score(rows: list[Row], redacted: list[str]) -> Score:
    result = Score()
    for row, out in zip(rows, redacted, strict=True):
        misses = row_misses(row, out)
        result.go_total += len(row.go)
        result.stay_total += len(row.stay)
        result.removed += len(row.go) - sum(m.startswith("left ") for m in misses)
        result.lost += sum(m.startswith("lost ") for m in misses)
        if misses:
            result.misses.append(f"{row.text!r} -> {out!r}: {'; '.join(misses)}")
        else:
            result.rows_right += 1
    return result
