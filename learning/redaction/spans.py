"""The span every finder returns: a region of the original text and the placeholder type that replaces it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    label: str
    """Placeholder type without brackets: ``PHONE``, ``EMAIL``, ``NAME``..."""
