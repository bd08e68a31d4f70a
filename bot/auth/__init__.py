"""Accounts, login sessions and roles of the people who use the gateway's pages and APIs.

Wire it in the gateway's lifespan: ``app.state.auth = await start_auth(settings, redis)``. The web side lives with
the rest of the web layer: the login routes in :mod:`bot.routers.auth`, ``require_roles`` and ``OptionalUserDep``
in :mod:`bot.dependencies`.
"""

from bot.auth.accounts import Accounts, User
from bot.auth.bootstrap import DemoAccount, UnsafeConfiguration, demo_accounts, ensure_demo_accounts
from bot.auth.roles import Role
from bot.auth.state import AuthState, start_auth

__all__ = [
    "Accounts",
    "AuthState",
    "DemoAccount",
    "Role",
    "UnsafeConfiguration",
    "User",
    "demo_accounts",
    "ensure_demo_accounts",
    "start_auth",
]
