"""Which web pages may talk to the gateway: its own, and the sites an operator lists in ``allowed_origins``.

Browsers send ``Origin`` on cross-site requests and on every WebSocket handshake. The socket.io channel checks
it on connect (a page elsewhere must not open a customer's chat with the customer's own browser), and the
HTTP API answers CORS preflights for the listed sites only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send


class OriginPolicy:
    def __init__(self, allowed: list[str]) -> None:
        self._any = "*" in allowed
        self._allowed = frozenset(allowed)

    def allows(self, origin: str | None, host: str | None) -> bool:
        """No ``Origin`` (not a browser page), the gateway's own origin, or a listed one."""
        if not origin or self._any or origin in self._allowed:
            return True
        return bool(host) and origin in (f"http://{host}", f"https://{host}")

    def __call__(self, origin: str | None, environ: Mapping[str, Any]) -> bool:
        """python-engineio's ``cors_allowed_origins`` hook."""
        return self.allows(origin, environ.get("HTTP_HOST"))


class ApiCORS:
    """CORS headers for the HTTP API when other sites are allowed; the socket.io path sets its own."""

    def __init__(self, app: ASGIApp, /, allowed: list[str], socketio_path: str) -> None:
        self._app = app
        self._cors = CORSMiddleware(
            app,
            allow_origins=["*"] if "*" in allowed else allowed,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
        self._socketio_prefix = socketio_path.rstrip("/") + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(self._socketio_prefix):
            await self._cors(scope, receive, send)
        else:
            await self._app(scope, receive, send)
