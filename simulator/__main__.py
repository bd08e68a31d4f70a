"""``python -m simulator``: serve the TMF simulator on ``TRIAGE_HOST``:``TRIAGE_SIMULATOR_PORT``.

Flags override the settings for one run; ``--fault API=MODE[:ARG]`` (repeatable) starts with a fault set,
e.g. ``--fault paymentManagement=error:503 --fault alarmManagement=latency:800``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime

import uvicorn

from simulator.app import SimulatorConfig, create_app
from simulator.faults import FaultSpec, parse_fault_option
from simulator.seed import DEFAULT_SEED
from simulator.settings import SimulatorSettings, secret_value, settings_or_complain


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", help="bind address (default: TRIAGE_HOST)")
    parser.add_argument("--port", type=int, help="port (default: TRIAGE_SIMULATOR_PORT)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the dataset")
    parser.add_argument("--anchor", help="RFC 3339 time the data is relative to (default: now, to the hour)")
    parser.add_argument("--fault", action="append", default=[], metavar="API=MODE[:ARG]", help="inject a fault")
    parser.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    settings = settings_or_complain()
    if settings is None:
        return 2
    refusal = production_refusal(settings)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    try:
        faults = _faults(args.fault)
        anchor = datetime.fromisoformat(args.anchor.replace("Z", "+00:00")) if args.anchor else None
    except ValueError as exc:
        parser.error(str(exc))
    if anchor is not None and anchor.tzinfo is None:
        anchor = anchor.replace(tzinfo=UTC)
    host = args.host or settings.host
    port = args.port or settings.simulator_port
    public_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    config = SimulatorConfig(
        root_url=f"http://{public_host}:{port}/tmf-api",
        seed=args.seed,
        anchor=anchor,
        token=secret_value(settings.oss_token),
        admin_token=secret_value(settings.simulator_admin_token),
        faults=faults,
    )
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        log_level=args.log_level,
        access_log=args.log_level == "debug",
        ws="none",
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    return 0


def production_refusal(settings: SimulatorSettings) -> str | None:
    """Why the simulator must not start: in production only when asked explicitly, and never with an open admin
    API (it injects faults, resets data and lists the fake customers' names, accounts and phone numbers)."""
    if settings.development:
        return None
    if not settings.simulator_in_production:
        return (
            "Refusing to run the OSS/BSS simulator with TRIAGE_ENV=production: point TRIAGE_OSS_BASE_URL at the "
            "operator's TMF APIs, or set TRIAGE_SIMULATOR_IN_PRODUCTION=true for a demonstration."
        )
    if settings.simulator_admin_token is None:
        return "The simulator's /admin API needs its own token in production: set TRIAGE_SIMULATOR_ADMIN_TOKEN."
    return None


def _faults(options: list[str]) -> tuple[tuple[str, FaultSpec], ...]:
    merged: dict[str, FaultSpec] = {}
    for option in options:
        api, spec = parse_fault_option(option)
        previous = merged.get(api)
        if previous is not None:
            spec = previous.model_copy(update=spec.model_dump(exclude_defaults=True))
        merged[api] = spec
    return tuple(merged.items())


if __name__ == "__main__":
    sys.exit(main())
