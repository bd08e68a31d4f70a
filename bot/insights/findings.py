"""OSS/BSS findings as facts a theme's conversations share, said in words a product owner reads."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

MIN_SHARE = 0.2
"""A fact shared by fewer of a theme's conversations than this is noise, not a root cause."""
FACTS_KEPT = 4
# Findings whose value is the fact ("held at number_port"); the others count by presence ("a bill difference").
VALUED = {
    "order_fallout_step": "an order held at {value}",
    "order_state": "an order that is {value}",
    "line_test": "a line test verdict of {value}",
    "registration_test": "a failed mobile registration ({value})",
    "retest": "a re-test verdict of {value}",
    "diagnosis": "the diagnosis {value}",
    "alarm_severity": "a {value} network alarm",
    "failed_reason": "a failed payment ({value})",
    "ticket_status": "a fault ticket that is {value}",
    "home_fix": "home fix steps that {value}",
    "oss_unavailable": "{value} unreachable during the diagnosis",
}
PRESENT = {
    "alarm": "an active network alarm in their area",
    "bill_difference": "a bill higher than the one before",
    "oss_error": "an OSS/BSS error during the diagnosis",
    "measured_mbps": "a measured line speed",
}


def facts(findings: dict[str, Any]) -> list[str]:
    found = []
    for key, value in findings.items():
        if key in VALUED and value not in (None, ""):
            found.append(f"{key}={value}")
        elif key in PRESENT and value not in (None, "", False):
            found.append(key)
    return found


def words(value: str) -> str:
    """``number_port`` and ``numberPort`` (TMF spells values in camelCase) both read "number port"."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", value).replace("_", " ").lower()


def describe(fact: str) -> str:
    key, _, value = fact.partition("=")
    template = VALUED.get(key) if value else PRESENT.get(key)
    return (template or fact).format(value=words(value))


def _specificity(fact: str) -> int:
    """Among equally shared facts, the more telling first (the order of ``VALUED``, then ``PRESENT``)."""
    order = [*VALUED, *PRESENT]
    key = fact.partition("=")[0]
    return order.index(key) if key in order else len(order)


def shared(per_conversation: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Facts shared by at least ``MIN_SHARE`` of the conversations, most shared first."""
    conversations = list(per_conversation)
    counts: Counter[str] = Counter(fact for findings in conversations for fact in set(facts(findings)))
    result: list[dict[str, Any]] = []
    for fact, count in sorted(counts.items(), key=lambda item: (-item[1], _specificity(item[0]))):
        share = count / max(len(conversations), 1)
        if share < MIN_SHARE or len(result) >= FACTS_KEPT:
            break
        percent = round(share * 100)
        text = f"{percent}% of this theme's conversations have {describe(fact)}"
        result.append({"fact": fact, "share": round(share, 3), "conversations": count, "text": text})
    return result
