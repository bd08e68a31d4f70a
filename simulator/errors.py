"""TMF error bodies (``code``, ``reason``, ``message``, ``status``) for every failure, never a bare 500.

A client's mistake is a 4xx with a code it can act on; only a bug in the simulator answers 500.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

JSON_TYPE = "application/json;charset=utf-8"
STARLETTE_CODES = {
    404: ("NOT_FOUND", "Resource not found"),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed"),
    413: ("BODY_TOO_LARGE", "Request body too large"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "Unsupported media type"),
}


class TmfError(Exception):
    """An error the API answers as a TMF error body with ``status``."""

    def __init__(self, status: int, code: str, reason: str, message: str = "") -> None:
        super().__init__(f"{status} {code}: {message or reason}")
        self.status = status
        self.code = code
        self.reason = reason
        self.message = message or reason


def bad_request(code: str, message: str) -> TmfError:
    return TmfError(400, code, "Bad request", message)


def not_found(resource: str, ident: str) -> TmfError:
    return TmfError(404, "NOT_FOUND", "Resource not found", f"{resource} {ident} does not exist")


def error_body(status: int, code: str, reason: str, message: str) -> bytes:
    body = {"code": code, "reason": reason, "message": message, "status": str(status), "@type": "Error"}
    return json.dumps(body).encode()


def error_response(status: int, code: str, reason: str, message: str) -> Response:
    return Response(error_body(status, code, reason, message), status_code=status, media_type=JSON_TYPE)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TmfError)
    async def _tmf(_: Request, exc: TmfError) -> Response:
        return error_response(exc.status, exc.code, exc.reason, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> Response:
        code, reason = STARLETTE_CODES.get(exc.status_code, ("HTTP_ERROR", "Request failed"))
        response = error_response(exc.status_code, code, reason, str(exc.detail))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return error_response(400, "INVALID_REQUEST", "Bad request", problems)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "INTERNAL_ERROR", "Internal server error", "The simulator failed; see its log")
