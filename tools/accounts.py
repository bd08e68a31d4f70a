"""Manage accounts from a shell: ``python -m tools.accounts {set-user,set-name,disable,set-queues,list}``.

The password is read from standard input (asked for without echo on a terminal), never from the command line,
so it stays out of shell history and process lists.

    python -m tools.accounts set-user alice --role agent --display-name "Alice"  # create, or change role and password
    python -m tools.accounts set-name alice "Alice B"                 # the name customers see (default: from the login)
    python -m tools.accounts disable alice                            # ends alice's sessions too
    python -m tools.accounts set-queues alice technical,billing          # the handoff queues an agent serves
    python -m tools.accounts list
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from bot.auth.accounts import AccountError, Accounts
from bot.auth.bootstrap import ALL_QUEUES
from bot.auth.passwords import MIN_PASSWORD_CHARS
from bot.auth.roles import Role
from core.redis.connect import connect
from core.settings import SettingsError, load_settings


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise AccountError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    redis = connect(settings.effective_redis_url)
    accounts = Accounts(redis, settings.accounts_session_ttl_s)
    try:
        if args.command == "set-user":
            password = _read_password()
            if len(password) < MIN_PASSWORD_CHARS:
                raise AccountError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
            user = await accounts.set_user(args.name, Role(args.role), password, args.display_name)
            print(f"{user.name}: {user.role.value}, shown to customers as {await accounts.display_name(user.name)}")
        elif args.command == "set-name":
            shown = await accounts.set_display_name(args.name, args.display_name)
            print(f"{args.name}: shown to customers as {shown}")
        elif args.command == "set-queues":
            wanted = [q.strip() for q in args.queues.split(",") if q.strip()]
            unknown = sorted(set(wanted) - set(ALL_QUEUES))
            if unknown:
                raise AccountError(f"unknown queue {', '.join(unknown)} (queues: {', '.join(ALL_QUEUES)})")
            await accounts.set_queues(args.name, wanted)
            print(f"{args.name}: {', '.join(sorted(set(wanted)))}")
        elif args.command == "disable":
            await accounts.disable(args.name)
            print(f"{args.name}: disabled")
        else:
            for name in await accounts.names():
                found = await accounts.get(name)
                queues = ",".join(await accounts.queues(name))
                shown = await accounts.display_name(name)
                print(f"{name}\t{found.role.value if found else 'disabled'}\t{queues}\t{shown}")
    finally:
        await redis.aclose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.accounts", description="Manage the gateway's accounts.")
    commands = parser.add_subparsers(dest="command", required=True)
    set_user = commands.add_parser("set-user", help="create a user, or set their role and password")
    set_user.add_argument("name")
    set_user.add_argument("--role", choices=[role.value for role in Role], required=True)
    set_user.add_argument("--display-name", help='the name customers see, e.g. "Dana" (default: from the login)')
    set_name = commands.add_parser("set-name", help="set the name customers see for a user")
    set_name.add_argument("name")
    set_name.add_argument("display_name")
    commands.add_parser("disable", help="disable a user and end their sessions").add_argument("name")
    set_queues = commands.add_parser("set-queues", help="set the handoff queues an agent serves")
    set_queues.add_argument("name")
    set_queues.add_argument("queues", help=f"comma-separated: {','.join(ALL_QUEUES)}")
    commands.add_parser("list", help="list users, roles, queues and the names customers see")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except (AccountError, SettingsError) as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
