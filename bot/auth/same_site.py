"""One rule for every write that a session cookie authenticates: it must come from one of this site's own pages.

SameSite=Strict already keeps the cookie off requests that other sites start; this is the second lock, and the
one that still holds if a cookie ever travels. A browser says where a request comes from in two headers:

- ``Sec-Fetch-Site`` (every current browser): ``same-origin`` passes, anything else (``cross-site``,
  ``same-site`` — a sibling subdomain — or ``none``) is refused. It does not depend on the page's referrer policy.
- ``Origin``, when ``Sec-Fetch-Site`` is missing: it must name this site; ``null`` (a sandboxed frame, a
  ``data:`` page or a page sent with ``Referrer-Policy: no-referrer``) is refused.

A request with neither header is not from a browser page (curl, a script): the cookie is its own credential.
Requests authenticated by ``Authorization: Bearer`` are not affected (no browser attaches that by itself).
JSON endpoints (``/api/...``) also refuse a cookie-authenticated body that is not ``application/json``: no HTML
form can send that type, and a page script that tries needs the CORS preflight the gateway refuses to other sites.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.auth.accounts import SESSION_COOKIE
from bot.auth.pages import page, respond
from bot.errors import error_body

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CROSS_SITE_MESSAGE = "This must be sent from this site's own page: reload the page and try again."


def from_this_site(headers: Mapping[str, str]) -> bool:
    """Whether a browser request says it comes from a page of this very origin (or says nothing: not a browser)."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = headers.get("origin")
    if origin is None:
        return True
    if origin == "null":
        return False
    return urlsplit(origin).netloc == headers.get("host", "")


def _has_session_cookie(headers: Headers) -> bool:
    return any(part.strip().startswith(f"{SESSION_COOKIE}=") for part in headers.get("cookie", "").split(";"))


def _has_bearer(headers: Headers) -> bool:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


def _is_json(headers: Headers) -> bool:
    return headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    return headers.get("transfer-encoding") is not None or (length is not None and length.strip() != "0")


class CookieWriteGuard:
    """ASGI middleware applying the rule above to every cookie-authenticated POST, PUT, PATCH and DELETE."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            refusal = self._refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self._app(scope, receive, send)

    def _refusal(self, scope: Scope) -> Response | None:
        headers = Headers(scope=scope)
        if _has_bearer(headers) or not _has_session_cookie(headers):
            return None
        api = str(scope["path"]).startswith("/api/")
        if not from_this_site(headers):
            if api:
                return JSONResponse(error_body("cross_site", CROSS_SITE_MESSAGE), status_code=403)
            return _page_refusal()
        if api and _has_body(headers) and not _is_json(headers):
            message = "Send this as JSON (Content-Type: application/json)."
            return JSONResponse(error_body("unsupported_media_type", message), status_code=415)
        return None


def _page_refusal() -> Response:
    body = (
        f'<h1>Not sent from this site</h1><p class="error">{CROSS_SITE_MESSAGE}</p><p><a href="/login">Log in</a></p>'
    )
    return respond(page("Refused", body), status_code=403)
