"""Login for people and API clients.

- ``POST /api/auth/login`` ``{"username", "password"}`` → ``{"v": 1, "token", "user", "expires_in"}`` and an
  HttpOnly, SameSite=Strict session cookie (Secure in production). API clients send the token as
  ``Authorization: Bearer <token>``; browsers send the cookie.
- ``POST /api/auth/logout``, ``GET /api/auth/me``.
- ``GET /login`` and ``POST /login`` (form): the same for the dashboard, then a redirect to ``next``.

SameSite=Strict keeps the cookie off cross-site requests, and every cookie-authenticated write must come from
the gateway's own pages (:mod:`bot.auth.same_site`); the login form itself is held to the same rule.
"""

from __future__ import annotations

from html import escape
from typing import Annotated
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from bot.auth.accounts import SESSION_COOKIE, Session, TooManyAttempts, User
from bot.auth.pages import page, respond
from bot.auth.roles import Role
from bot.auth.same_site import CROSS_SITE_MESSAGE, from_this_site
from bot.dependencies import AuthDep, OptionalUserDep, presented_token, require_roles
from bot.errors import status_for
from core.errors import DomainError, TooMany, Unauthenticated
from core.unicode_text import SCRUBBED, scrub

router = APIRouter(tags=["auth"])

MAX_FORM_BYTES = 4096


class LoginIn(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=64), SCRUBBED]
    password: Annotated[str, Field(min_length=1, max_length=1024), SCRUBBED]


class UserOut(BaseModel):
    name: str
    role: Role


class LoginOut(BaseModel):
    v: int = 1
    token: str
    user: UserOut
    expires_in: int = Field(..., description="Seconds until the session ends.")


def _set_cookie(response: Response, session: Session, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE, session.token, max_age=session.expires_in_s, httponly=True, samesite="strict", secure=secure,
        path="/",
    )  # fmt: skip


def client_address(request: Request) -> str:
    """The client's IP address (uvicorn takes it from X-Forwarded-For when the proxy is trusted)."""
    return request.client.host if request.client else "unknown"


async def _login(auth: AuthDep, username: str, password: str, address: str) -> Session | None:
    try:
        # A lone surrogate (JSON's "\ud800") cannot be hashed or stored: it only ever makes a wrong password.
        user = await auth.accounts.authenticate(scrub(username).strip().lower(), scrub(password), address)
    except TooManyAttempts as exc:
        message = f"Too many failed logins; try again in {exc.retry_after_s} s."
        raise TooMany("too_many_attempts", message, retry_after=exc.retry_after_s) from None
    return await auth.accounts.open_session(user) if user else None


@router.post("/api/auth/login", response_model=LoginOut)
async def login(body: LoginIn, request: Request, auth: AuthDep, response: Response) -> LoginOut:
    session = await _login(auth, body.username, body.password, client_address(request))
    if session is None:
        raise Unauthenticated("invalid_credentials", "The user name or the password is wrong.")
    _set_cookie(response, session, secure=not auth.settings.development)
    user = UserOut(name=session.user.name, role=session.user.role)
    return LoginOut(token=session.token, user=user, expires_in=session.expires_in_s)


@router.post("/api/auth/logout", status_code=204)
async def logout(request: Request, auth: AuthDep) -> Response:
    token = presented_token(request)
    if token:
        await auth.log_out(token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/auth/me", response_model=UserOut)
async def me(user: Annotated[User, Depends(require_roles(*Role))]) -> UserOut:
    return UserOut(name=user.name, role=user.role)


HOME = {Role.agent: "/agent", Role.supervisor: "/supervisor", Role.product_owner: "/insights", Role.admin: "/insights"}
"""Where a person lands after logging in without a page to go back to: the page of their role."""


def safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host, no ``//``) is a place to go after login."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return None
    return target


def _landing(target: str | None, user: User) -> str:
    return target or HOME[user.role]


def _login_page(next_path: str | None, error: str = "", username: str = "") -> str:
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    action = f"/login?{urlencode({'next': next_path})}" if next_path else "/login"
    form = (
        f'<div class="card" style="max-width:22rem"><h1>Log in</h1>{message}'
        f'<form method="post" action="{escape(action)}">'
        '<p><label>User name<br><input name="username" autocomplete="username" '
        f'value="{escape(username[:64])}" required{"" if username else " autofocus"}></label></p>'
        '<p><label>Password<br><input name="password" type="password" autocomplete="current-password" '
        f"required{' autofocus' if username else ''}>"
        "</label></p><p><button>Log in</button></p></form></div>"
    )
    return page("Log in", form)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
async def login_page(user: OptionalUserDep, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(_landing(safe_next(next), user), status_code=303)
    return respond(_login_page(safe_next(next)))


@router.post("/login", include_in_schema=False)
async def login_form(request: Request, auth: AuthDep, next: str | None = None) -> Response:
    target = safe_next(next)
    if not from_this_site(request.headers):
        return respond(_login_page(target, CROSS_SITE_MESSAGE), status_code=403)
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        return respond(_login_page(target, "That form is too large."), status_code=413)
    fields = parse_qs(raw.decode("utf-8", errors="replace"))
    username, password = fields.get("username", [""])[0], fields.get("password", [""])[0]
    try:
        address = client_address(request)
        session = await _login(auth, username, password, address) if username and password else None
    except DomainError as exc:
        return respond(_login_page(target, exc.message, username), status_code=status_for(exc))
    if session is None:
        return respond(_login_page(target, "The user name or the password is wrong.", username), status_code=401)
    response = RedirectResponse(_landing(target, session.user), status_code=303)
    _set_cookie(response, session, secure=not auth.settings.development)
    return response


@router.post("/logout", include_in_schema=False)
async def logout_form(request: Request, auth: AuthDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:  # CookieWriteGuard has refused it already unless it came from this site's own page
        await auth.log_out(token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
