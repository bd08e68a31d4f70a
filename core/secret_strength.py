"""Whether a secret is fit for production: not a placeholder from an example file, not short, not repetitive.

The example files (deploy/.env.example, deploy/k8s/secret.example.yaml) ship values such as ``change-me`` so that
a deployment copied as is would start on secrets anybody can read. Production refuses those by name.
"""

from __future__ import annotations

import math
import re
from collections import Counter

MIN_SECRET_CHARS = 16
MIN_ENTROPY_BITS = 60.0
"""Of the characters' own distribution (a rough, generous estimate): ``aaaaaaaaaaaaaaaaaaaa`` has none."""
PLACEHOLDER = re.compile(r"change[-_ ]?me|changeit|replace[-_ ]?me|placeholder|example|your[-_ ]|secret[-_ ]?here"
                         r"|^(?:password|secret|token|admin|test|demo)\d*$|xxxx|todo|fixme", re.IGNORECASE)  # fmt: skip


def entropy_bits(value: str) -> float:
    counts = Counter(value)
    return -sum(n * math.log2(n / len(value)) for n in counts.values())


def weakness(value: str) -> str | None:
    """Why ``value`` is not a production secret, or ``None`` when it may be one."""
    if PLACEHOLDER.search(value):
        return "is a placeholder from an example file"
    if len(value) < MIN_SECRET_CHARS:
        return f"is shorter than {MIN_SECRET_CHARS} characters"
    if entropy_bits(value) < MIN_ENTROPY_BITS:
        return "is too predictable (too few different characters)"
    return None
