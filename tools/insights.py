"""The insights from a shell, for scripts and scheduled jobs: ``python -m tools.insights <command>``.

    python -m tools.insights export records --format csv -o records.csv [--from 2025-06-01 --trigger abandoned]
    python -m tools.insights export themes --format json
    python -m tools.insights export nlu --all -o candidates.yml          # or --theme T12 (repeatable)
    python -m tools.insights themes                                      # a readable summary
    python -m tools.insights themes --refresh                            # forget the themes, mine afresh
    python -m tools.insights watch                                       # reopen fixed backlog items that recur
    python -m tools.insights retention                                   # apply the retention period now
    python -m tools.insights delete --customer AC10000042                # or --conversation <id>
    python -m tools.insights replay --conversations 300                  # fill a fresh installation
                                                                       # (injects faults into the simulator)

Exports go to standard output unless ``-o`` names a file; they are written as they are read.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.insights import backlog, candidates, exports, theme_model, theme_views
from bot.insights.filters import Filters, make_filters
from bot.insights.state import InsightsState, start_insights, stop_insights
from bot.insights.themes import mine
from core.errors import DomainError, NotFound
from core.redis.connect import connect
from core.settings import SettingsError, load_settings
from learning.maintenance import apply_retention, delete_conversations, delete_customer
from learning.records import Trigger
from tools.replay.driver import replay


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
    missing = set(args.theme or []) - {t["id"] for t in chosen}
    if missing:
        raise NotFound("theme_not_found", f"No theme {sorted(missing)[0]} shown in this window.")
    found = [candidates.candidate(member, theme) for theme in chosen for member in theme["members"]]
    await _write(candidates.nlu_yaml(found), args.output)


async def _themes(state: InsightsState, args: argparse.Namespace) -> None:
    if args.refresh:
        await theme_model.forget(state.store.redis)
    run = await mine(state, _filters(args))
    print(f"themes mined {theme_views.age(run['mined_at'])}; {theme_views.coverage_line(run)}")
    for theme in run["themes"]:
        share = round(theme["escalation_share"] * 100)
        print(f"- {theme['id']} {theme_views.title(theme['label'])}  [{theme['size']} records, ", end="")
        print(f"{theme['customers']} customers, {theme['trend']['direction']}, {share}% escalated]")
        print(f"    key terms: {', '.join(theme['terms'])}")
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
    redis = connect(settings.effective_redis_url)
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
        await redis.aclose()
    return 0


def _add_filters(parser: argparse.ArgumentParser) -> None:
    window = parser.add_argument_group("window and filters (the same as the dashboard's)")
    window.add_argument("--from", dest="start", metavar="WHEN", help="ISO 8601 start (default: 30 days before --to)")
    window.add_argument("--to", dest="end", metavar="WHEN", help="ISO 8601 end (default: now)")
    window.add_argument("--trigger", action="append", choices=[t.value for t in Trigger],
                        help="only records of this trigger (repeatable)")  # fmt: skip
    window.add_argument("--flow", help="only records of this flow (a form or the problem's intent)")
    window.add_argument("--channel", help="only records from this channel (e.g. web)")
    window.add_argument("--finding", help="only conversations with this OSS/BSS finding: key or key=value, "
                        "e.g. order_fallout_step=number_port")  # fmt: skip


def _positive(text: str) -> int:
    number = int(text) if text.strip().isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return number


REPLAY_DESCRIPTION = """\
Drive scripted, realistic customer conversations through a running gateway (POST /api/messages), as customers
would, so that a fresh installation has learning records and themes to look at. The mix covers the bot's flows
and what it cannot resolve: unknown topics, odd wordings, out-of-scope requests, abandoned forms, failed
verification, requests for a person and OSS/BSS failures.

It injects faults into the OSS/BSS simulator: for the conversations that need a failing system it sets a fault
on the simulator's API in question (PUT <simulator>/admin/faults/<api>, answering 503), runs them one at a time
after the others, and clears the fault afterwards (DELETE). Never point --simulator at a real OSS/BSS. Without a
reachable simulator those conversations are skipped and reported.

Exit status 0 when at least one conversation completed, 1 otherwise."""


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m tools.insights",
        description="The insights from a shell, for scripts and scheduled jobs: exports, themes, the backlog "
        "watch, retention, deletion on request, and a traffic replay that fills a fresh installation.",
        epilog="Settings (Redis, gateway, simulator) come from the environment, as for `make run`; "
        "'python -m tools.insights <command> --help' describes each command.",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="command", help="one of:")
    export = commands.add_parser(
        "export",
        help="records, themes or NLU training candidates, as files",
        description="Write the window's records (csv or json), its themes (csv or json) or Rasa NLU training "
        "candidates from chosen themes (YAML). Written as read: any size fits.",
    )
    export.add_argument("what", choices=["records", "themes", "nlu"], help="what to export")
    export.add_argument("--format", choices=["csv", "json"], default="csv",
                        help="records and themes: csv (default) or json; nlu is always YAML")  # fmt: skip
    export.add_argument("--theme", action="append", metavar="ID",
                        help="nlu: a theme id shown by 'themes' (e.g. T12); repeatable")  # fmt: skip
    export.add_argument("--all", action="store_true", help="nlu: every theme shown in the window")
    export.add_argument("-o", "--output", metavar="FILE", help="file to write (default: standard output)")
    _add_filters(export)
    themes = commands.add_parser(
        "themes",
        help="print the themes of a window",
        description="Print the themes of the window (stable ids, a typical customer sentence as title, key "
        "terms, size, customers, trend, escalations, shared OSS/BSS findings) and which records they cover.",
    )
    themes.add_argument("--refresh", action="store_true",
                        help="forget the kept themes and mine the window afresh (theme ids change)")  # fmt: skip
    _add_filters(themes)
    commands.add_parser(
        "watch",
        help="reopen fixed backlog items whose theme keeps arriving",
        description="Check backlog items marked fixed: an item whose theme has arrived from at least k distinct "
        "customers since the fix is reopened, with a note saying how many. Takes no options.",
    )
    commands.add_parser(
        "retention",
        help="remove records older than the retention period",
        description="Delete learning records older than TRIAGE_LEARNING_RETENTION_DAYS now (the learning "
        "consumer also does it as it runs). Takes no options.",
    )
    delete = commands.add_parser(
        "delete",
        help="delete a customer's records on request",
        description="Delete every learning record of one conversation or of one customer (right to erasure).",
    )
    who = delete.add_mutually_exclusive_group(required=True)
    who.add_argument("--conversation", metavar="ID", help="a conversation id")
    who.add_argument("--customer", metavar="REF", help="customer id, account number or phone number")
    play = commands.add_parser(
        "replay",
        help="drive realistic conversations through the running gateway; injects faults into the simulator",
        description=REPLAY_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    play.add_argument("--gateway", metavar="URL",
                      help="the gateway to talk to (default: the gateway of the settings, "
                      "e.g. http://127.0.0.1:8000)")  # fmt: skip
    play.add_argument("--simulator", metavar="URL",
                      help="the OSS/BSS simulator whose faults are set and cleared (default: the simulator of "
                      "the settings, e.g. http://127.0.0.1:8080)")  # fmt: skip
    play.add_argument("--conversations", type=_positive, default=300, metavar="N",
                      help="how many conversations to run (default: 300)")  # fmt: skip
    play.add_argument("--concurrency", type=_positive, default=4, metavar="N",
                      help="conversations at once, except the faulty ones, which run one by one "
                      "(default: 4)")  # fmt: skip
    play.add_argument("--seed", type=int, default=7,
                      help="seed of the conversation mix: the same seed replays the same conversations "
                      "(default: 7)")  # fmt: skip
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except (SettingsError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
