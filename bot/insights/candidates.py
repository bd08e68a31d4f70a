"""Rasa NLU training candidates from themes: an existing intent only when it is close enough, else "new intent?".

Each utterance is suggested its nearest existing intent only from ``SUGGEST_SIMILARITY``; the others are grouped
under a proposed ``new_intent_<theme>`` for the reviewer to name (Rasa refuses to train on an intent the domain
does not have, so nothing slips into a model unreviewed). Placeholders of entities the bot knows (``<PHONE>``,
``<ACCOUNT>``...) become annotated sample values. A phrase that still holds another placeholder (``<NAME>``,
``<EMAIL>``, ``<DOB>``...) is left out, and the file says how many: deleting the placeholder leaves a broken
sentence ("my name is and my esim…") and a made-up value teaches the model that names matter; a theme has other
phrases of the same need.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from typing import Any

from bot.insights.exports import training_text
from bot.insights.themes import SUGGEST_SIMILARITY, suggestion

LEFT_PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]{1,20}>")
"""What a redacted phrase holds where personal data was; after entity samples are put in, none may remain."""


def candidate(member: dict[str, Any], theme: dict[str, Any]) -> dict[str, Any] | None:
    """A theme member as a candidate (``None`` for a record without words of its own)."""
    if not member.get("text"):
        return None
    suggested = suggestion(member.get("intent"))
    return {
        "text": member["text"],
        "intent": suggested["name"] if suggested else None,
        "similarity": suggested["similarity"] if suggested else None,
        "theme": theme["id"],
        "theme_title": theme["label"],
    }


def phrase(text: str) -> str | None:
    """The training line for ``text``, or ``None`` when it holds data the bot has no entity for."""
    line = training_text(text)
    return None if LEFT_PLACEHOLDER.search(line) else line


def _block(name: str, lines: list[str]) -> str:
    return f"- intent: {name}\n  examples: |\n" + "".join(f"    - {line}\n" for line in lines)


async def nlu_yaml(candidates: Iterable[dict[str, Any] | None]) -> AsyncIterator[str]:
    """Rasa NLU YAML: suggested intents first (closest phrases first), then one proposed new intent per theme."""
    suggested: dict[str, list[tuple[float, str]]] = defaultdict(list)
    new: dict[str, list[str]] = defaultdict(list)
    titles: dict[str, str] = {}
    seen: set[str] = set()
    dropped = 0
    for found in candidates:
        if found is None:
            continue
        line = phrase(found["text"])
        if line is None:
            dropped += 1
            continue
        if line in seen:
            continue
        seen.add(line)
        if found["intent"]:
            suggested[found["intent"]].append((-float(found["similarity"]), line))
        else:
            new[found["theme"]].append(line)
            titles[found["theme"]] = found["theme_title"]
    yield (
        'version: "3.1"\n'
        "# Training candidates from the learning store (redacted utterances the bot did not resolve).\n"
        f"# An existing intent is suggested only from a similarity of {SUGGEST_SIMILARITY:.2f} to its training\n"
        "# examples; the other phrases are grouped per theme under new_intent_<theme>: new intent? Name it (or\n"
        "# move the phrases) before training. Review each line before moving it into data/nlu/.\n"
    )
    if dropped:
        yield (
            f"# {dropped} phrase{'s' if dropped > 1 else ''} left out: personal data the bot has no entity for\n"
            "# (a name, an e-mail address, a date of birth...) was redacted there.\n"
        )
    yield "nlu:\n" if suggested or new else "nlu: []\n"
    for intent in sorted(suggested):
        yield _block(intent, [line for _, line in sorted(suggested[intent])])
    for theme_id in sorted(new, key=lambda t: int(t[1:]) if t[1:].isdigit() else 0):
        title = " ".join(titles[theme_id].split())[:80]
        yield f"# new intent? theme {theme_id}: {title}\n" + _block(f"new_intent_{theme_id}", new[theme_id])
