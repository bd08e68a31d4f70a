"""Errors of the product's domain, by kind; the gateway's one exception handler maps each kind to an HTTP status.

Domain code raises ``NotFound("case_not_found", "That case is gone.")`` and never names a status: which status a
kind becomes is the web layer's decision (``bot/errors.py``), so the same code serves a CLI or a queue consumer.
Every error carries a stable machine ``code`` and a ``message`` a person can read.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain reports to a caller; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Invalid(DomainError):
    """A value the caller chose is not one the product knows (a bad date, an unknown filter, a window too long)."""


class Unprocessable(DomainError):
    """Well formed, but this content cannot be acted on: an empty message, a score out of range, the queue the case
    is in already, an agent who does not serve that queue. (The web answers these as it answers a body that fails
    validation, which is why it is a kind of its own and not :class:`Invalid`.)"""


class Unauthenticated(DomainError):
    """Nobody is signed in, or the credentials are wrong."""


class Forbidden(DomainError):
    """Signed in, but this person may not do this."""


class NotFound(DomainError):
    """What was named does not exist (or no longer does)."""


class Conflict(DomainError):
    """The state changed under the caller: taken by someone else, no longer waiting, already ended."""


class TooLarge(DomainError):
    """More than the product accepts in one request."""


class TooMany(DomainError):
    """Too many attempts in a window; ``retry_after`` is in seconds."""

    def __init__(self, code: str, message: str, retry_after: int = 0) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A system the answer needs (Redis, Rasa, OSS/BSS) is not answering; trying again later may work."""
