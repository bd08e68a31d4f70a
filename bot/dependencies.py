"""The gateway's FastAPI dependencies, all in one place: routers declare what they use by type.

What the lifespan opened (``StateDep``, ``AuthDep``, ``HandoffDep``, ``SupervisionDep``); who is asking: the
session cookie or a bearer token makes ``OptionalUserDep``; ``require_roles(Role.product_owner)`` admits product
owners and admins, answers 401 to nobody and 403 to another role (``StaffDep`` and ``SupervisorDep`` are the
console's two); and the console's shared parameters and body limit (``CaseId``, ``AfterSeq``, ``limit_body``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, cast

from fastapi import Depends, Path, Query, Request
from starlette.requests import HTTPConnection

from bot.auth.accounts import SESSION_COOKIE, User
from bot.auth.roles import Role
from bot.auth.state import AuthState
from bot.handoff.state import HandoffState
from bot.handoff.supervision import Supervision
from bot.state import GatewayState
from core.errors import Forbidden, TooLarge, Unauthenticated


def get_state(request: Request) -> GatewayState:
    return cast(GatewayState, request.app.state.gateway)


def get_auth(request: Request) -> AuthState:
    return cast(AuthState, request.app.state.auth)


def get_handoff(request: Request) -> HandoffState:
    return cast(HandoffState, request.app.state.handoff)


def get_supervision(request: Request) -> Supervision:
    """Opened by the supervisor router's own lifespan (``bot.routers.supervision``)."""
    return cast(Supervision, request.app.state.supervision)


StateDep = Annotated[GatewayState, Depends(get_state)]
AuthDep = Annotated[AuthState, Depends(get_auth)]
HandoffDep = Annotated[HandoffState, Depends(get_handoff)]
SupervisionDep = Annotated[Supervision, Depends(get_supervision)]


def presented_token(connection: HTTPConnection) -> str | None:
    """The bearer token if one is sent, else the session cookie (a request or a WebSocket)."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return connection.cookies.get(SESSION_COOKIE) or None


async def optional_user(request: Request, auth: AuthDep) -> User | None:
    token = presented_token(request)
    return await auth.accounts.session_user(token) if token else None


OptionalUserDep = Annotated[User | None, Depends(optional_user)]


def require_roles(*roles: Role) -> Callable[..., Awaitable[User]]:
    """A dependency that returns the user when their role is one of ``roles`` (admins always are)."""

    async def dependency(user: OptionalUserDep) -> User:
        if user is None:
            raise Unauthenticated("unauthenticated", "Log in first (POST /api/auth/login).")
        if not user.has_role(*roles):
            wanted = " or ".join(role.value for role in roles)
            raise Forbidden("forbidden", f"This needs the role {wanted}; you are {user.role.value}.")
        return user

    return dependency


StaffDep = Annotated[User, Depends(require_roles(Role.agent, Role.supervisor))]
SupervisorDep = Annotated[User, Depends(require_roles(Role.supervisor))]


MAX_CONSOLE_BODY_BYTES = 16 * 1024  # the largest legitimate body (a note) is 4,000 characters
CASE_ID = r"^CASE-[0-9A-F]{12}$"
CaseId = Annotated[str, Path(pattern=CASE_ID)]
AfterSeq = Annotated[int, Query(ge=0, le=2**53, description="The last sequence number the console has shown.")]


async def limit_body(request: Request) -> None:
    """The console's bodies, by the declared length; a chunked body declares none, so its size once read (nginx
    caps it before, in ``deploy/``)."""
    length = request.headers.get("content-length")
    if length is None and request.method in ("POST", "PUT", "PATCH"):
        length = str(len(await request.body()))
    if length and (not length.isdigit() or int(length) > MAX_CONSOLE_BODY_BYTES):
        raise TooLarge("body_too_large", f"A console request body is at most {MAX_CONSOLE_BODY_BYTES} bytes.")
