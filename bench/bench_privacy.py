"""Privacy figures of the learning store's redactor on the privacy table (``tests/learning/privacy_table.yml``).

Prints recall (share of the table's personal data items removed), over-redaction (share of the words that must
stay which were lost), the rows that miss either, and the time to redact one message (the learning consumer
redacts every customer and bot text before it is stored; the table's texts one at a time, then in one batch).
With ``--baseline REF`` the redactor of that git revision is loaded from ``git show`` and measured the same way
in the same process, timings interleaved, so the two are compared on equal terms on a busy machine.

    .venv/bin/python bench/bench_privacy.py [--table PATH] [--repeat 5] [--baseline HEAD] [--json]
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.settings import Settings  # noqa: E402
from learning.redaction import build_redactor  # noqa: E402
from tests.learning.privacy_table import Row, Score, load_table, score  # noqa: E402

TABLE = ROOT / "tests" / "learning" / "privacy_table.yml"


PACKAGE = "learning/redaction"
_BASELINE_DIR = tempfile.TemporaryDirectory(prefix="bench-privacy-")
"""Where the baseline's modules are written; removed when the benchmark ends."""
Build = Callable[[str | None, str | None], Any]


def baseline_builder(ref: str) -> Build:
    """``build_redactor`` of the redaction package as it was at git revision ``ref`` (imported from a copy)."""
    names = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{ref}:{PACKAGE}"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    folder = Path(_BASELINE_DIR.name) / "baseline_redaction"
    folder.mkdir()
    for name in (n for n in names if n.endswith(".py")):
        source = subprocess.run(
            ["git", "show", f"{ref}:{PACKAGE}/{name}"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        (folder / name).write_text(source.replace("learning.redaction", "baseline_redaction"), encoding="utf-8")
    sys.path.insert(0, str(folder.parent))
    return importlib.import_module("baseline_redaction").build_redactor  # type: ignore[no-any-return]


def _timings(redactors: dict[str, Any], texts: list[str], repeat: int) -> dict[str, dict[str, float]]:
    """Per redactor: one message at a time (p50, p95) and batched; the redactors take turns text by text."""
    for redactor in redactors.values():
        redactor.redact_many(texts)  # warm: spaCy, name lists, validators
    singles: dict[str, list[float]] = {name: [] for name in redactors}
    batched: dict[str, float] = dict.fromkeys(redactors, 0.0)
    for _ in range(repeat):
        for text in texts:
            for name, redactor in redactors.items():
                started = time.perf_counter()
                redactor.redact(text)
                singles[name].append((time.perf_counter() - started) * 1000)
        for name, redactor in redactors.items():
            started = time.perf_counter()
            redactor.redact_many(texts)
            batched[name] += (time.perf_counter() - started) * 1000 / (repeat * len(texts))
    result = {}
    for name, times in singles.items():
        ordered = sorted(times)
        result[name] = {
            "one_message_ms_p50": statistics.median(ordered),
            "one_message_ms_p95": ordered[int(0.95 * (len(ordered) - 1))],
            "batched_ms_per_message": batched[name],
        }
    return result


def _print(name: str, table: Path, rows: list[Row], figures: Score, timing: dict[str, float]) -> None:
    print(f"{name}: privacy table {table} ({len(rows)} rows)")
    for miss in figures.misses:
        print(f"  MISS {miss}")
    print(f"  recall: {figures.recall:.3f} ({figures.removed}/{figures.go_total} personal data items removed)")
    print(f"  over-redaction: {figures.over_redaction:.3f} ({figures.lost}/{figures.stay_total} kept words lost)")
    print(f"  rows fully right: {figures.rows_right}/{len(rows)}")
    print(
        f"  time per message: {timing['one_message_ms_p50']:.2f} ms p50, {timing['one_message_ms_p95']:.2f} ms p95 "
        f"one at a time; {timing['batched_ms_per_message']:.2f} ms in a batch"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--table", type=Path, default=TABLE, help="privacy table (YAML list of text/go/stay)")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the table for the timings")
    parser.add_argument("--baseline", metavar="REF", help="also measure the redactor of this git revision")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    rows: list[Row] = load_table(args.table)
    texts = [row.text for row in rows]
    builders: dict[str, Build] = {"current": build_redactor}
    if args.baseline:
        builders = {f"baseline {args.baseline}": baseline_builder(args.baseline), **builders}
    spacy_model = str(Settings().spacy_model)
    redactors = {name: build(spacy_model, str(ROOT / "data" / "nlu")) for name, build in builders.items()}
    figures = {name: score(rows, redactor.redact_many(texts)) for name, redactor in redactors.items()}
    timings = _timings(redactors, texts, args.repeat)
    if args.json:
        print(json.dumps({name: {**figures[name].as_dict(), **timings[name]} for name in redactors}, indent=2))
        return
    for name in redactors:
        _print(name, args.table, rows, figures[name], timings[name])


if __name__ == "__main__":
    main()
