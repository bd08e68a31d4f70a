"""Sentiment per customer turn, and the signs of a customer who needs extra care: small lexicons, no model.

Why a lexicon: the score is one input to a case's priority and to the frustration trigger, read by a person
next to the words themselves, so it must be predictable and explainable ("furious", "third time") rather than
subtle. :func:`score` sums word weights (-3..+3), flips a weight after a negation within three words
("not happy"), scales it after an intensifier ("really bad"), adds weight for shouting (a message mostly in
capitals, "!!") and squashes the sum into -1..1 with ``x / sqrt(x^2 + 15)`` (VADER's normalisation).
"""

from __future__ import annotations

import math
import re

WORD = re.compile(r"[a-z']+|[!?]{2,}|[\U0001F300-\U0001FAFF\u2600-\u27BF]")
NORMALISE_ALPHA = 15.0  # VADER's constant: a sum of about 4 maps to about 0.7
NEGATION_WINDOW = 3  # words after "not" whose weight is flipped

LEXICON: dict[str, float] = {
    # strongly negative
    "furious": -3, "disgusting": -3, "disgraceful": -3, "useless": -3, "appalling": -3, "ridiculous": -2.5,
    "unacceptable": -3, "joke": -2, "pathetic": -3, "awful": -2.5, "terrible": -2.5, "horrible": -2.5,
    "worst": -3, "hate": -2.5, "angry": -2.5, "livid": -3, "rubbish": -2.5, "shocking": -2.5, "scam": -3,
    "fed": -1.5, "sick": -1.5, "fuming": -3, "outrageous": -3, "incompetent": -3, "lied": -2.5, "liar": -3,
    # negative
    "annoyed": -2, "annoying": -2, "frustrated": -2, "frustrating": -2, "upset": -2, "disappointed": -2,
    "bad": -1.5, "poor": -1.5, "wrong": -1, "broken": -1, "problem": -0.5, "again": -0.5, "still": -0.5,
    "waiting": -0.5, "complain": -1.5, "complaint": -1.5, "cancel": -1, "leave": -0.5, "slow": -1,
    "overcharged": -2, "unhappy": -2, "worried": -1.5, "stressed": -2, "nightmare": -2.5, "hopeless": -2.5,
    "ages": -1, "never": -1, "nothing": -0.5, "fail": -1.5, "failed": -1.5, "sucks": -2, "wtf": -2.5,
    "\U0001F621": -3, "\U0001F620": -2.5, "\U0001F624": -2, "\U0001F62D": -2, "\U0001F61E": -1.5,
    # positive
    "thanks": 1.5, "thank": 1.5, "great": 2, "good": 1.5, "excellent": 3, "perfect": 2.5, "brilliant": 2.5,
    "happy": 2, "helpful": 2, "love": 2.5, "lovely": 2, "fine": 0.5, "ok": 0.3, "okay": 0.3, "sorted": 1.5,
    "works": 1, "working": 0.5, "fixed": 1.5, "appreciate": 2, "cheers": 1.5, "awesome": 2.5, "pleased": 2,
    "\U0001F642": 1.5, "\U0001F600": 2, "\U0001F44D": 1.5,
}  # fmt: skip
NEGATIONS = frozenset({"not", "no", "never", "isn't", "isnt", "don't", "dont", "doesn't", "doesnt", "didn't",
                       "didnt", "can't", "cant", "won't", "wont", "aren't", "wasn't", "nothing"})  # fmt: skip
INTENSIFIERS = {"very": 1.5, "really": 1.5, "so": 1.3, "extremely": 2.0, "absolutely": 1.8, "totally": 1.5,
                "completely": 1.5, "utterly": 2.0}  # fmt: skip

# Circumstances that call for extra care (Ofcom's treatment of vulnerable customers): a phrase found in any
# customer turn raises the case's priority and is shown to the agent.
VULNERABILITY = re.compile(
    r"\b(disabled|disability|wheelchair|elderly|pensioner|(hard of |can't |cannot )hear(ing)?|deaf|blind|"
    r"partially sighted|carer|care home|medical (device|alarm|equipment)|life ?line|telecare|oxygen|dialysis|"
    r"hospital|terminal(ly)? ill|cancer|chemo|bereave(d|ment)|passed away|died|domestic abuse|"
    r"mental health|suicidal|pregnan(t|cy)|newborn|can't afford|cannot afford|lost my job|vulnerable)\b",
    re.IGNORECASE,
)


def score(text: str) -> float:
    """Sentiment of one message, -1 (very negative) to 1 (very positive); 0 when nothing is said either way."""
    lowered = text.lower()
    words = WORD.findall(lowered)
    total = 0.0
    for i, word in enumerate(words):
        weight = LEXICON.get(word)
        if word.startswith(("!!", "??")) or set(word) <= {"!", "?"}:
            total -= 0.6 if total <= 0 else -0.3
            continue
        if weight is None:
            continue
        before = words[max(0, i - NEGATION_WINDOW) : i]
        if any(w in NEGATIONS for w in before):
            weight = -weight * 0.75
        if i and words[i - 1] in INTENSIFIERS:
            weight *= INTENSIFIERS[words[i - 1]]
        total += weight
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.7:
        total -= 1.0  # SHOUTING
    if total == 0:
        return 0.0
    return round(total / math.sqrt(total * total + NORMALISE_ALPHA), 3)


def vulnerability(text: str) -> str | None:
    """The phrase that suggests the customer needs extra care, or ``None``."""
    found = VULNERABILITY.search(text)
    return found.group(0) if found else None
