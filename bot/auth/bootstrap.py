"""Accounts at start: demo accounts in development, and a refusal to run production on default secrets.

Outside production, :func:`ensure_demo_accounts` creates ``agent``, ``supervisor`` and ``product_owner`` with
``TRIAGE_ACCOUNTS_DEMO_PASSWORD`` (default ``triage-demo``) and returns them, for `make run` to print. In
production :func:`check_production_accounts` raises :class:`UnsafeConfiguration` when the learning store's
pseudonym secret is the default, or any account still has a default or demo password.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.auth.accounts import Accounts
from bot.auth.passwords import MIN_PASSWORD_CHARS, verify_password
from bot.auth.roles import Role
from core.settings import Environment, Settings

DEMO_ROLES = (Role.agent, Role.supervisor, Role.product_owner)
DEMO_DISPLAY_NAMES = {Role.agent: "Dana", Role.supervisor: "Sam", Role.product_owner: "Priya"}
"""What customers see for the demo accounts: a person's name, never "Agent" (a login)."""
ALL_QUEUES = ("technical", "billing", "orders", "sales", "retention", "moves", "general")
"""The handoff queues (``bot.handoff.case.Queue``), named here so accounts need not import the handoff."""
ADMIN_NAME = "admin"


class UnsafeConfiguration(Exception):
    """Production would start with a default secret or password; the message names each and the fix."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role


def _default(settings: Settings, field: str) -> str:
    default = Settings.model_fields[field].default
    return str(default.get_secret_value() if hasattr(default, "get_secret_value") else default)


def demo_accounts(settings: Settings) -> list[DemoAccount]:
    """The demo credentials (no Redis needed): what `make run` prints in development."""
    if not settings.development:
        return []
    password = settings.accounts_demo_password.get_secret_value()
    return [DemoAccount(role.value, password, role) for role in DEMO_ROLES]


async def ensure_demo_accounts(settings: Settings, accounts: Accounts) -> list[DemoAccount]:
    """Create the demo accounts (or reset their password to the configured one); none in production.

    The demo agent serves every handoff queue, so any escalation reaches them. Each gets a display name unless
    one was set.
    """
    created = demo_accounts(settings)
    for demo in created:
        if not verify_password(await accounts.password_hash(demo.username), demo.password):
            await accounts.set_user(demo.username, demo.role, demo.password)
        if not await accounts.has_display_name(demo.username):
            await accounts.set_display_name(demo.username, DEMO_DISPLAY_NAMES[demo.role])
        if demo.role is Role.agent and not await accounts.queues(demo.username):
            await accounts.set_queues(demo.username, list(ALL_QUEUES))
    return created


async def ensure_admin(settings: Settings, accounts: Accounts) -> None:
    """``TRIAGE_ACCOUNTS_ADMIN_PASSWORD`` set: the ``admin`` account exists with it."""
    if settings.accounts_admin_password is None:
        return
    password = settings.accounts_admin_password.get_secret_value()
    if len(password) < MIN_PASSWORD_CHARS:
        raise UnsafeConfiguration(f"TRIAGE_ACCOUNTS_ADMIN_PASSWORD must have at least {MIN_PASSWORD_CHARS} characters")
    if not verify_password(await accounts.password_hash(ADMIN_NAME), password):
        await accounts.set_user(ADMIN_NAME, Role.admin, password)


async def check_production_accounts(settings: Settings, accounts: Accounts) -> None:
    """Raise :class:`UnsafeConfiguration` if production would run on a default secret or password."""
    if settings.env is not Environment.production:
        return
    problems = []
    if settings.learning_pseudonym_secret.get_secret_value() == _default(settings, "learning_pseudonym_secret"):
        problems.append("TRIAGE_LEARNING_PSEUDONYM_SECRET is the development default: set a long random value")
    weak = {_default(settings, "accounts_demo_password"), settings.accounts_demo_password.get_secret_value()}
    for name in await accounts.names():
        stored = await accounts.password_hash(name)
        if any(verify_password(stored, password) for password in weak):
            problems.append(f"account {name!r} has a demo password: change it (python -m tools.accounts set-user)")
    if problems:
        raise UnsafeConfiguration("Refusing to start in production: " + "; ".join(problems) + ".")
