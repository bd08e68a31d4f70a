"""Redaction of personal data: shaped identifiers by pattern, person names by NER and phrasing."""

from learning.redaction.redactor import PLACEHOLDERS, Redactor, build_redactor

__all__ = ["PLACEHOLDERS", "Redactor", "build_redactor"]
