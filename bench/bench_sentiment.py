"""Sentiment scorer on labelled customer messages: a script that prints figures, not a test.

Each message of ``tests/data/sentiment_labelled.tsv`` (written for the project; tuned on) and
``tests/data/sentiment_heldout.tsv`` (written before the scorer was changed; never tuned on) carries a label,
negative / neutral / positive. A score is read as its sign with a neutral band (``|score| < NEUTRAL_BAND`` is
neutral), and the figures are accuracy and macro-F1 of that reading, plus the share of negative messages at or
below the handoff's frustration threshold (``TRIAGE_HANDOFF_NEGATIVE_SENTIMENT``'s default, -0.35) and of
positive ones above 0.

``--baseline REV`` scores the same sets with ``bot/handoff/sentiment.py`` as it was at a git revision too, for
a before/after table: ``.venv/bin/python bench/bench_sentiment.py --baseline 779a8bf``. ``--errors`` lists the
messages read wrong.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.handoff.sentiment import NEUTRAL_BAND, score  # noqa: E402
from core.settings import Settings  # noqa: E402

SETS = {"labelled": ROOT / "tests/data/sentiment_labelled.tsv", "held out": ROOT / "tests/data/sentiment_heldout.tsv"}
LABELS = ("negative", "neutral", "positive")


def load(path: Path) -> list[tuple[str, str]]:
    """``(label, text)`` rows of a labelled TSV with a ``label<TAB>text`` header."""
    rows = [line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    return [(label, text) for label, text in rows]


def reading(value: float) -> str:
    if value <= -NEUTRAL_BAND:
        return "negative"
    return "positive" if value >= NEUTRAL_BAND else "neutral"


def figures(rows: list[tuple[str, str]], scorer: Callable[[str], float], threshold: float) -> dict[str, float]:
    """Accuracy, macro-F1 (three classes), negatives at or below the threshold, positives above 0."""
    scores = [(label, scorer(text)) for label, text in rows]
    predicted = [(label, reading(value)) for label, value in scores]
    f1s = []
    for name in LABELS:
        tp = sum(1 for gold, guess in predicted if gold == guess == name)
        fp = sum(1 for gold, guess in predicted if guess == name != gold)
        fn = sum(1 for gold, guess in predicted if gold == name != guess)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    negatives = [value for label, value in scores if label == "negative"]
    positives = [value for label, value in scores if label == "positive"]
    return {
        "accuracy": sum(gold == guess for gold, guess in predicted) / len(predicted),
        "macro_f1": sum(f1s) / len(f1s),
        "negative_below_threshold": sum(v <= threshold for v in negatives) / len(negatives),
        "positive_above_0": sum(v > 0 for v in positives) / len(positives),
    }


def scorer_at(revision: str) -> Callable[[str], float]:
    """``score`` of bot/handoff/sentiment.py as it was at a git revision."""
    source = subprocess.run(["git", "show", f"{revision}:bot/handoff/sentiment.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    module = types.ModuleType(f"sentiment_{revision}")
    exec(compile(source, f"sentiment@{revision}", "exec"), module.__dict__)  # noqa: S102 - the project's own code
    found: Callable[[str], float] = module.__dict__["score"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="git revision whose scorer is measured beside the current one")
    parser.add_argument("--errors", action="store_true", help="list the messages the current scorer reads wrong")
    args = parser.parse_args()
    threshold = Settings.__fields__["handoff_negative_sentiment"].default
    scorers: dict[str, Callable[[str], float]] = {}
    if args.baseline:
        scorers[f"at {args.baseline}"] = scorer_at(args.baseline)
    scorers["current"] = score
    print(f"neutral band |score| < {NEUTRAL_BAND}; frustration threshold {threshold}")
    print(f"{'set':10} {'scorer':14} {'n':>4} {'accuracy':>9} {'macro-F1':>9} {'neg<=thr':>9} {'pos>0':>7}")
    for set_name, path in SETS.items():
        rows = load(path)
        for name, scorer in scorers.items():
            got = figures(rows, scorer, threshold)
            print(f"{set_name:10} {name:14} {len(rows):>4} {got['accuracy']:>9.3f} {got['macro_f1']:>9.3f} "
                  f"{got['negative_below_threshold']:>9.3f} {got['positive_above_0']:>7.3f}")  # fmt: skip
    if args.errors:
        for set_name, path in SETS.items():
            for label, text in load(path):
                value = score(text)
                if reading(value) != label:
                    print(f"{set_name:10} {label:9} {value:+.3f}  {text}")


if __name__ == "__main__":
    main()
