"""Customer references turned into keyed pseudonyms (HMAC-SHA256), so the store can count distinct customers
and delete a customer's records on request without ever holding the identifier itself.

The same reference typed differently ("ac 1000 0042", "AC10000042"; "07700 900123", "+44 7700 900123") gives
the same pseudonym. The key is ``TRIAGE_LEARNING_PSEUDONYM_SECRET``; changing it orphans earlier pseudonyms
(their records still expire by retention).
"""

from __future__ import annotations

import hashlib
import hmac
import re

PSEUDONYM_HEX_CHARS = 32
"""128 bits: no collisions in any customer base, short enough for keys."""

_NOISE = re.compile(r"[\s\-().]")
_UK_NATIONAL = re.compile(r"0\d{9,10}")


def normalise_reference(reference: str) -> str:
    """Account numbers and customer ids upper-cased without spaces; UK phone numbers in E.164."""
    compact = _NOISE.sub("", reference.strip()).upper()
    if compact.startswith("0044"):
        compact = "+44" + compact[4:]
    if compact.startswith("+440"):
        compact = "+44" + compact[4:]
    if _UK_NATIONAL.fullmatch(compact):
        compact = "+44" + compact[1:]
    if compact.startswith("44") and compact.isdigit() and len(compact) == 12:
        compact = "+" + compact
    return compact


def pseudonym(secret: str, reference: str) -> str:
    normal = normalise_reference(reference)
    return hmac.new(secret.encode(), normal.encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]
