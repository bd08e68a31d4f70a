"""The insights from a shell, for scripts and scheduled jobs: ``python -m bot.insights <command>``.

    python -m bot.insights export records --format csv -o records.csv [--from 2025-06-01 --trigger abandoned]
    python -m bot.insights export themes --format json
    python -m bot.insights export nlu --all -o candidates.yml          # or --theme <id> (repeatable)
    python -m bot.insights themes                                      # a readable summary
    python -m bot.insights watch                                       # reopen fixed backlog items that recur
    python -m bot.insights retention                                   # apply the retention period now
    python -m bot.insights delete --customer AC10000042                # or --conversation <id>
    python -m bot.insights replay --conversations 300                  # fill a fresh installation

Exports go to standard output unless ``-o`` names a file; they are written as they are read.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from redis.asyncio import Redis

from bot.errors import GatewayError
from bot.insights import backlog, exports
from bot.insights.filters import Filters, make_filters
from bot.insights.replay.driver import replay
from bot.insights.state import InsightsState, start_insights, stop_insights
from bot.insights.themes import mine
from bot.learning.maintenance import apply_retention, delete_conversations, delete_customer
from bot.learning.records import Trigger
from bot.settings import SettingsError, load_settings


def _filters(args: argparse.Namespace) -> Filters:
    def when(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None

    triggers = [Trigger(t) for t in args.trigger or []]
    return make_filters(when(args.start), when(args.end), triggers, args.flow, args.channel, args.finding)


async def _write(chunks: AsyncIterator[str], path: str | None) -> None:
    """Write chunks as they come (a file is opened and closed off the event loop)."""
    out: TextIO = await asyncio.to_thread(Path(path).open, "w", encoding="utf-8") if path else sys.stdout
    try:
        async for chunk in chunks:
            out.write(chunk)
    finally:
        if path:
            out.close()


async def _export(state: InsightsState, args: argparse.Namespace) -> None:
    filters = _filters(args)
    if args.what == "records":
        maker = exports.records_csv if args.format == "csv" else exports.records_json
        await _write(maker(state.store, filters), args.output)
        return
    run = await mine(state, filters)
    if args.what == "themes":
        await _write((exports.themes_csv if args.format == "csv" else exports.themes_json)(run), args.output)
        return
    chosen = [t for t in run["themes"] if args.all or t["id"] in (args.theme or [])]
    candidates: list[dict[str, Any]] = []
    for theme in chosen:
        for member in theme["members"]:
            intent = member.get("intent") or (None, 0.0)
            candidates.append({"text": member["text"], "intent": intent[0], "similarity": intent[1]})
    await _write(exports.nlu_yaml(candidates), args.output)


async def _themes(state: InsightsState, args: argparse.Namespace) -> None:
    run = await mine(state, _filters(args))
    print(
        f"{run['records']} records, {len(run['themes'])} themes shown, {run['hidden']['themes']} hidden (k={run['k']})"
    )
    for theme in run["themes"]:
        share = round(theme["escalation_share"] * 100)
        print(f"- {theme['label']}  [{theme['size']} records, {theme['customers']} customers, ", end="")
        print(f"{theme['trend']['direction']}, {share}% escalated]  id={theme['id']}")
        for fact in theme["findings"]:
            print(f"    {fact['text']}")


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.command == "replay":
        gateway = args.gateway or settings.gateway_url
        simulator = args.simulator or settings.effective_oss_base_url.removesuffix("/tmf-api")
        report = await replay(gateway, simulator, args.conversations, args.concurrency, args.seed)
        print("\n".join(report.lines()))
        return 0 if report.conversations else 1
    redis: Redis[bytes] = Redis.from_url(settings.effective_redis_url)
    state = await start_insights(settings, redis, in_process=True)
    try:
        if args.command == "export":
            await _export(state, args)
        elif args.command == "themes":
            await _themes(state, args)
        elif args.command == "watch":
            print("reopened:", ", ".join(await backlog.watch(state)) or "none")
        elif args.command == "retention":
            removed = await apply_retention(state.store)
            print(f"removed {removed} records older than {settings.learning_retention_days} days")
        elif args.command == "delete":
            if args.conversation:
                deleted = await delete_conversations(state.store, [args.conversation])
            else:
                deleted = await delete_customer(state.store, state.secret, args.customer)
            print(f"deleted {deleted.records} records of {deleted.conversations} conversations")
    finally:
        await stop_insights(state)
        await redis.close()
    return 0


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", help="ISO 8601 (default: 30 days before --to)")
    parser.add_argument("--to", dest="end", help="ISO 8601 (default: now)")
    parser.add_argument("--trigger", action="append", choices=[t.value for t in Trigger])
    parser.add_argument("--flow")
    parser.add_argument("--channel")
    parser.add_argument("--finding", help="key or key=value, e.g. order_fallout_step=number_port")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot.insights", description=__doc__.split("\n")[0])
    commands = root.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="records, themes or NLU training candidates")
    export.add_argument("what", choices=["records", "themes", "nlu"])
    export.add_argument("--format", choices=["csv", "json"], default="csv", help="records and themes")
    export.add_argument("--theme", action="append", help="nlu: a theme id (repeatable)")
    export.add_argument("--all", action="store_true", help="nlu: every theme shown")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    _add_filters(export)
    _add_filters(commands.add_parser("themes", help="print the themes"))
    commands.add_parser("watch", help="reopen fixed backlog items whose theme keeps arriving")
    commands.add_parser("retention", help="remove records older than the retention period")
    delete = commands.add_parser("delete", help="delete a customer's records on request")
    who = delete.add_mutually_exclusive_group(required=True)
    who.add_argument("--conversation")
    who.add_argument("--customer", help="customer id, account number or phone number")
    play = commands.add_parser("replay", help="drive realistic conversations through the running gateway")
    play.add_argument("--gateway", help="default: the gateway of the settings")
    play.add_argument("--simulator", help="default: the OSS/BSS simulator of the settings (for failures)")
    play.add_argument("--conversations", type=int, default=300)
    play.add_argument("--concurrency", type=int, default=4)
    play.add_argument("--seed", type=int, default=7)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except (SettingsError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except GatewayError as exc:
        print(exc.message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
