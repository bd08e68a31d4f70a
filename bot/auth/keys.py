"""Redis keys of accounts and sessions (``triage:auth:*``)."""

from __future__ import annotations

PREFIX = "triage:auth"
USERS = f"{PREFIX}:users"
"""Set of every user name."""


def user(name: str) -> str:
    return f"{PREFIX}:user:{name}"


def session(token_digest: str) -> str:
    return f"{PREFIX}:session:{token_digest}"


def user_sessions(name: str) -> str:
    """Set of the session digests of one user, so disabling a user ends their sessions."""
    return f"{PREFIX}:user:{name}:sessions"


# Failed-login counters: bot/auth/throttle.py (``triage:auth:failures:*``).
