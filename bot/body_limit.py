"""No request body larger than ``max_request_bytes`` is read: refused by its declared length at once, or when
a chunked body passes the limit, before any route parses it (a 60 MB body was read whole into memory).

socket.io's own path is left to python-engineio, which limits its packets itself (``max_http_buffer_size``).
"""

from __future__ import annotations

from contextlib import suppress

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.errors import error_body


class _TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, exempt_prefix: str) -> None:
        self._app = app
        self._max = max_bytes
        self._exempt = exempt_prefix.rstrip("/") + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope["path"]).startswith(self._exempt):
            await self._app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self._max):
            await self._refuse(scope, receive, send)
            return
        seen = 0
        exceeded = refused = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self._max:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # A route may turn the interrupted read into its own error (FastAPI answers 400): answer 413 instead.
            nonlocal refused
            if not exceeded:
                await send(message)
            elif not refused:
                refused = True
                await self._refuse(scope, receive, send)

        with suppress(_TooLarge):
            await self._app(scope, counting_receive, guarded_send)
        if exceeded and not refused:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"A request body is at most {self._max} bytes."
        await JSONResponse(error_body("body_too_large", message), status_code=413)(scope, receive, send)
