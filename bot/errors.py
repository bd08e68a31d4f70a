"""The gateway's one exception handler: domain errors become HTTP answers here and nowhere else.

Every error the gateway returns has the same JSON shape: ``{"v": 1, "error": <code>, "message": <sentence>}``.
The domain raises :mod:`core.errors` kinds and never names a status; :data:`STATUS` decides which status a kind
gets, and pages that answer in HTML rather than JSON ask :func:`status_for` for the same one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    TooMany,
    Unauthenticated,
    Unavailable,
    Unprocessable,
)

STATUS: dict[type[DomainError], int] = {
    Invalid: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    Unprocessable: 422,
    TooMany: 429,
    Unavailable: 503,
}


def error_body(code: str, message: str) -> dict[str, object]:
    return {"v": 1, "error": code, "message": message}


def status_for(exc: DomainError) -> int:
    """The HTTP status of a domain error's kind (a subclass takes its nearest listed ancestor's)."""
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500


def _headers(exc: DomainError) -> dict[str, str] | None:
    if isinstance(exc, TooMany) and exc.retry_after > 0:
        return {"Retry-After": str(exc.retry_after)}
    return None


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(error_body(exc.code, exc.message), status_code=status_for(exc), headers=_headers(exc))


BODY_SENTENCES = {
    "json_invalid": "the body is not valid JSON",
    "model_attributes_type": "the body must be a JSON object",
    "dict_type": "the body must be a JSON object",
}
"""pydantic 2's words for a body that is not a JSON object, said the way a caller can act on."""

HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 415: "unsupported_media_type"}


def _sentence(err: Mapping[str, Any]) -> str:
    """A validator's own sentence as it wrote it (pydantic 2 prefixes ``Value error, ``)."""
    message = str(err["msg"])
    if err["type"] in BODY_SENTENCES:
        return BODY_SENTENCES[err["type"]]
    return message.removeprefix("Value error, ") if err["type"] == "value_error" else message


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"] if p != "body" and err["type"] not in BODY_SENTENCES) or "body"
        problems.append(f"{where}: {_sentence(err)}")
    return JSONResponse(error_body("invalid_request", "; ".join(problems)), status_code=422)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    """Starlette's own refusals (no such route, wrong method, an unreadable body) in the same shape as ours."""
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return JSONResponse(error_body(code, f"{exc.detail}."), status_code=exc.status_code, headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
