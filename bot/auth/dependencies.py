"""FastAPI dependencies: who is asking (session cookie or bearer token) and whether their role may.

``require_roles(Role.product_owner)`` admits product owners and admins; anonymous requests get 401, other
roles 403, both in the gateway's JSON error shape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from bot.auth.accounts import User
from bot.auth.roles import Role
from bot.auth.state import AuthState, get_auth
from bot.errors import GatewayError

SESSION_COOKIE = "triage_session"

AuthDep = Annotated[AuthState, Depends(get_auth)]


def presented_token(request: Request) -> str | None:
    """The bearer token if one is sent, else the session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(SESSION_COOKIE) or None


async def optional_user(request: Request, auth: AuthDep) -> User | None:
    token = presented_token(request)
    return await auth.accounts.session_user(token) if token else None


OptionalUserDep = Annotated[User | None, Depends(optional_user)]


def require_roles(*roles: Role) -> Callable[..., Awaitable[User]]:
    """A dependency that returns the user when their role is one of ``roles`` (admins always are)."""

    async def dependency(user: OptionalUserDep) -> User:
        if user is None:
            raise GatewayError(401, "unauthenticated", "Log in first (POST /api/auth/login).")
        if not user.has_role(*roles):
            wanted = " or ".join(role.value for role in roles)
            raise GatewayError(403, "forbidden", f"This needs the role {wanted}; you are {user.role.value}.")
        return user

    return dependency
