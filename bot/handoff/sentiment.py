"""Sentiment per customer turn, and the signs of a customer who needs extra care: small lexicons, no model.

Why a lexicon: the score is one input to a case's priority and to the frustration trigger, read by a person
next to the words themselves, so it must be predictable and explainable ("furious", "third time") rather than
subtle. :func:`score` sums word weights (-3..+3), flips a weight after a negation within three words
("not happy"), scales it after an intensifier ("really bad"), adds weight for shouting (a message mostly in
capitals, "!!") and squashes the sum into -1..1 with ``x / sqrt(x^2 + 15)`` (VADER's normalisation).

Customers who are let down rarely say so plainly, so two readings come before the words:

* **Phrases** ("thanks for nothing", "you said it would be", "days ago", "third time", "what a surprise") carry
  their own weight, and the words inside them are not scored again.
* **Sarcasm and broken promises.** Praise next to a fault that is not fixed ("oh brilliant, internet down
  AGAIN", "great job guys, third outage this week") is sarcasm: the praise counts against, and thanks count
  half against. A promise next to a sign that it was not kept ("u said it would be fixed days ago") is a
  broken promise. In both, words of a fixed state ("fixed", "sorted", "working") count only when negated.

A plain report of a fault ("my internet is down") stays neutral: a fault alone is not a feeling.
``bench/bench_sentiment.py`` measures the scorer on labelled messages (``tests/data/``).
"""

from __future__ import annotations

import math
import re

WORD = re.compile(r"[a-z']+|[!?]{2,}|[\U0001F300-\U0001FAFF\u2600-\u27BF]")
NORMALISE_ALPHA = 15.0  # VADER's constant: a sum of about 4 maps to about 0.7
NEGATION_WINDOW = 3  # words after "not" whose weight is flipped
NEUTRAL_BAND = 0.2  # a score weaker than this either way reads as neutral (bench and tests)
SARCASTIC_THANKS = 0.5  # thanks around an unfixed fault are half praise turned round ("thanks, still broken")
BROKEN_PROMISE = -2.5  # "you said it would be fixed" with "still", "ago", "nobody came": the strongest complaint

LEXICON: dict[str, float] = {
    # strongly negative
    "furious": -3, "disgusting": -3, "disgraceful": -3, "useless": -3, "appalling": -3, "ridiculous": -2.5,
    "unacceptable": -3, "joke": -2, "pathetic": -3, "awful": -2.5, "terrible": -2.5, "horrible": -2.5,
    "worst": -3, "hate": -2.5, "angry": -2.5, "livid": -3, "rubbish": -2.5, "shocking": -2.5, "scam": -3,
    "fed": -1.5, "sick": -1.5, "fuming": -3, "outrageous": -3, "incompetent": -3, "lied": -2.5, "liar": -3,
    "shambles": -2.5, "shambolic": -2.5, "ruined": -2.5, "disgrace": -3, "hopeless": -2.5, "nightmare": -2.5,
    # negative; words that only name a fault ("slow", "failed") stay within 0.7, so a plain report of it
    # stays inside the neutral band
    "annoyed": -2, "annoying": -2, "frustrated": -2, "frustrating": -2, "upset": -2, "disappointed": -2,
    "bad": -1.5, "poor": -1.5, "wrong": -1, "broken": -1, "problem": -0.5, "again": -1, "still": -0.5,
    "waiting": -0.5, "complain": -1.5, "complaint": -1.5, "cancel": -0.5, "leave": -0.5, "slow": -0.7,
    "overcharged": -2, "unhappy": -2, "worried": -1.5, "stressed": -2, "fobbed": -2, "hassle": -1.5,
    "ages": -1, "never": -1, "nothing": -0.5, "fail": -0.7, "failed": -0.7, "sucks": -2, "wtf": -2.5, "ugh": -1.5,
    "nobody": -1, "seriously": -1,
    "\U0001F621": -3, "\U0001F620": -2.5, "\U0001F624": -2, "\U0001F62D": -2, "\U0001F61E": -1.5,
    "\U0001F644": -2,
    # positive
    "thanks": 1.5, "thank": 1.5, "thx": 1.5, "ta": 1, "cheers": 1.5, "appreciate": 2, "appreciated": 2,
    "great": 2, "good": 1.5, "excellent": 3, "perfect": 2.5, "brilliant": 2.5, "happy": 2, "helpful": 2,
    "love": 2.5, "loving": 2, "lovely": 2, "fine": 0.5, "ok": 0.3, "okay": 0.3, "sorted": 1.5, "works": 1,
    "working": 0.5, "fixed": 1.5, "awesome": 2.5, "pleased": 2, "amazing": 2.5, "fantastic": 2.5,
    "wonderful": 2.5, "superb": 2.5, "fab": 2, "marvellous": 2.5, "impressive": 2, "nice": 1.5, "glad": 2,
    "super": 2, "yay": 2, "woohoo": 2, "hooray": 2, "joy": 1.5, "reliable": 1.5, "gem": 1.5, "star": 1,
    "legend": 1.5, "relief": 1.5, "kind": 1.5, "grateful": 2,
    "\U0001F642": 1.5, "\U0001F600": 2, "\U0001F44D": 1.5,
}  # fmt: skip
NEGATIONS = frozenset({"not", "no", "never", "isn't", "isnt", "don't", "dont", "doesn't", "doesnt", "didn't",
                       "didnt", "can't", "cant", "won't", "wont", "aren't", "wasn't", "nothing"})  # fmt: skip
INTENSIFIERS = {"very": 1.5, "really": 1.5, "so": 1.3, "extremely": 2.0, "absolutely": 1.8, "totally": 1.5,
                "completely": 1.5, "utterly": 2.0}  # fmt: skip
THANKS = frozenset({"thanks", "thank", "thx", "ta", "cheers", "appreciate", "appreciated", "grateful"})
FIXED_STATE = frozenset({"fixed", "sorted", "works", "working", "fine", "ok", "okay"})
# "again" after these is a greeting or thanks, not a repeat of a fault ("thanks again", "it's working again").
NOT_A_REPEAT = frozenset({"thanks", "thank", "you", "cheers", "hi", "hello", "hey", "working", "back", "online",
                          "on", "up", "fine", "connected", "me", "try", "check", "again"})  # fmt: skip
# Words that say "more of the same": a negation before them does not make them good ("no internet again").
REPEATS = frozenset({"again", "still", "never", "nothing", "nobody"})

# (pattern, weight): phrases whose meaning is not the sum of their words; their words are not scored again.
PHRASES: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern), weight)
    for pattern, weight in (
        (r"\b(?:thanks|thank you|thx|cheers|ta)(?: so much| a lot| a bunch| very much)? (?:for|4) no?thin[g']?", -3),
        (r"\bno (?:problem|probs|worries)\b", 0.5),
        (r"\bnever ?mind\b|\bnvm\b", 0),
        (r"\b(?:as always|as usual|as ever|every single time|yet again)\b", -1),
        (r"\b(?:\d+|two|three|four|five|six|several|many|few) (?:days|weeks|months) ago\b", -1.5),
        (r"\b(?:days|weeks|months) ago\b", -1.5),
        (r"\b(?:second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th)) (?:time|outage|week|month|night|day)\b", -1.5),
        (r"\b(?:on hold|waiting) for (?:an? |over an? |\d+ )?(?:hour|hours|ages|\d+ minutes)\b", -1.5),
        (r"\bkeeps? happening\b|\btoo much to ask\b|\bhow hard (?:can|is) it\b|\bdifferent story\b", -1.5),
        (
            r"\b(?:still|yet) (?:not|no|broken|down|off|waiting|nothing|the same|dead|can'?t|isn'?t|hasn'?t|won'?t)\b",
            -1.5,
        ),
        (
            r"\b(?:no one|nobody|no-one) (?:came|showed|turned up|rang|called|has)\b"
            r"|\bnever (?:came|showed|happened)\b",
            -1.5,
        ),
        (r"\bwell done\b|\b10/10\b|\bfive stars?\b|\btop notch\b|\bgood job\b|\bgreat job\b|\bnice one\b", 2),
        (r"\b(?:thanks|thank you|cheers) (?:a lot|a bunch|so much|very much) for\b", 2),
    )
)
# Sarcasm said outright ("what a surprise", "yeah right"): negative in itself, and it turns praise round.
SARCASM = re.compile(
    r"\b(?:what a|no) surprise\b|\bsurprise,? surprise\b|\bshock,? horror\b|\bfunny that\b|"
    r"\bwho(?:'d| would| could)? have (?:thought|guessed)\b|\bjust what i needed\b|\byeah,? right\b|"
    r"\bdon'?t make me laugh\b|\bheard (?:that|this)(?: one)? before\b|\bso much for\b|"
    r"\bout ?did (?:your|ur) ?sel(?:f|ves)\b|\bkeep it up\b|, not!?$"
)
SARCASM_WEIGHT = -1.5  # each outright marker
# A fault that is not fixed: praise beside it is sarcasm.
FAULT = re.compile(
    r"\b(?:down|outages?|break|broke|"
    r"no (?:internet|signal|service|wifi|broadband|connection|bars|reception|help|one|dial)|"
    r"not working|(?:doesn'?t|don'?t|never) work(?:s|ing)?|isn'?t working|broken|dead|dropped|drops|"
    r"cut(?:ting)? (?:me )?off|"
    r"buffering|gone (?:off|again)|packed in|goes off|went off|mistake|overcharged|charged (?:me )?twice|late|"
    r"cancell?ed|can'?t (?:make|get|call)|lost|on hold|nobody|outage|price rise|"
    r"still (?:not|no|broken|down|off|dead|the same|can'?t|isn'?t|hasn'?t|won'?t))\b"
)
FIXED = re.compile(
    r"\b(?:(?:working|loading|connecting) (?:now|again|fine)|works now|it works|(?:is|it'?s|'s) back|"
    r"back (?:on|up|online)|"
    r"fixed (?:it|now)|that (?:worked|fixed|did)|all good|sorted (?:it|now)|signal'?s back)\b"
)
# A promise (someone said something would happen) ...
PROMISE = re.compile(
    r"\b(?:said|told (?:me|us)|was told|were told|promised|supposed to|meant to|keep saying|guaranteed)\b"
)
PROMISE_CLAUSE = re.compile(PROMISE.pattern + r"[^,.;!?]*")  # what was promised, up to the next punctuation
# ... and a sign it was not kept.
NOT_KEPT = re.compile(
    r"\b(?:still|never|nothing|nobody|no one|no-one|not|isn'?t|its not|hasn'?t|didn'?t|wasn'?t|ago|it'?s been|"
    r"it'?s now|that was|yet)\b"
)

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
    lowered = text.lower().replace("\u2019", "'")
    # "i was told it would be back on by 5pm": a fixed state inside a promise is not a fixed state.
    fixed = FIXED.search(PROMISE_CLAUSE.sub(" ", lowered)) is not None
    broken_promise = PROMISE.search(lowered) is not None and NOT_KEPT.search(lowered) is not None and not fixed
    sarcasm = len(SARCASM.findall(lowered))
    let_down = broken_promise or sarcasm > 0 or (FAULT.search(lowered) is not None and not fixed)
    total = (BROKEN_PROMISE if broken_promise else 0.0) + SARCASM_WEIGHT * sarcasm
    lowered = SARCASM.sub(" ", lowered)
    for pattern, phrase_weight in PHRASES:
        for _ in pattern.finditer(lowered):
            total += -abs(phrase_weight) if let_down and phrase_weight > 0 else phrase_weight
        lowered = pattern.sub(" ", lowered)
    words = WORD.findall(lowered)
    for i, word in enumerate(words):
        if word.startswith(("!!", "??")) or set(word) <= {"!", "?"}:
            total -= 0.6 if total <= 0 else -0.3
            continue
        weight = LEXICON.get(word)
        if weight is None or (word == "again" and i and words[i - 1] in NOT_A_REPEAT):
            continue
        negated = word not in REPEATS and any(w in NEGATIONS for w in words[max(0, i - NEGATION_WINDOW) : i])
        if let_down and weight > 0:
            if word in FIXED_STATE and not negated:
                continue  # "you said it would be fixed": not a fixed state
            # Praise beside an unfixed fault is sarcasm; thanks there are at best polite.
            weight = -weight * (SARCASTIC_THANKS if word in THANKS else 1.0)
        elif negated:
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
