"""The bot's existing intents as centres in the theme space, to suggest where new examples belong."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import yaml

_ENTITY_MARKUP = re.compile(r"\[([^\]]+)\]\([^)]+\)|\[([^\]]+)\]\{[^}]+\}")
NOT_SUGGESTED = frozenset({"nlu_fallback"})


def training_examples(nlu_dir: Path) -> dict[str, list[str]]:
    """Examples per intent from ``data/nlu/*.yml`` (entity markup removed: ``[AC1](account_number)`` → ``AC1``)."""
    examples: dict[str, list[str]] = defaultdict(list)
    for path in sorted(nlu_dir.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in document.get("nlu") or []:
            intent = item.get("intent") if isinstance(item, dict) else None
            if not intent or intent in NOT_SUGGESTED:
                continue
            for line in str(item.get("examples") or "").splitlines():
                text = line.strip()
                if text.startswith("- "):
                    examples[intent].append(_ENTITY_MARKUP.sub(lambda m: m.group(1) or m.group(2), text[2:]))
    return dict(examples)
