"""Domain errors the actions act on: the API is unavailable, the thing is not there, or the request was refused.

Every failure of a call ends as one of these; transport errors, odd statuses and malformed bodies never
escape the client as anything else.
"""

from __future__ import annotations

from typing import ClassVar


class OssError(Exception):
    outcome: ClassVar[str] = "error"

    def __init__(
        self, api: str, operation: str, message: str, *, status: int | None = None, code: str | None = None
    ) -> None:
        super().__init__(f"{api}.{operation}: {message}")
        self.api = api
        self.operation = operation
        self.message = message
        self.status = status
        self.code = code


class OssUnavailable(OssError):
    """The API could not give an answer: say so, offer a later check or a hand-off.

    ``cause`` is one of ``timeout``, ``connect``, ``server_error``, ``malformed``, ``circuit_open``,
    ``unauthorized``, ``unexpected_status``.
    """

    outcome = "unavailable"
    RETRYABLE: ClassVar[frozenset[str]] = frozenset({"timeout", "connect", "server_error", "malformed"})

    def __init__(self, api: str, operation: str, cause: str, message: str = "", *, status: int | None = None) -> None:
        detail = f"{cause}: {message}" if message and message != cause else cause
        super().__init__(api, operation, detail, status=status, code=cause)
        self.cause = cause

    @property
    def retryable(self) -> bool:
        return self.cause in self.RETRYABLE


class OssNotFound(OssError):
    """No such customer, service, bill, order or ticket: ask again for the identifier."""

    outcome = "not_found"


class OssRejected(OssError):
    """The API refused the request as invalid (4xx); ``code`` is the TMF error code when it sent one."""

    outcome = "rejected"
