"""Accounts, login sessions and role checks for the gateway's people-facing pages and APIs.

Wire it in the gateway's lifespan: ``app.state.auth = await start_auth(settings, redis)`` and
``app.include_router(auth_router)``; protect a route with ``Depends(require_roles(Role.product_owner))``.
"""

from bot.auth.accounts import Accounts, User
from bot.auth.bootstrap import DemoAccount, UnsafeConfiguration, demo_accounts, ensure_demo_accounts
from bot.auth.dependencies import OptionalUserDep, require_roles
from bot.auth.roles import Role
from bot.auth.router import router
from bot.auth.state import AuthState, start_auth

__all__ = [
    "Accounts",
    "AuthState",
    "DemoAccount",
    "OptionalUserDep",
    "Role",
    "UnsafeConfiguration",
    "User",
    "demo_accounts",
    "ensure_demo_accounts",
    "require_roles",
    "router",
    "start_auth",
]
