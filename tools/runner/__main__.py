"""`make run`: check, then start every process of the product with honcho and stop them all on Ctrl-C."""

from __future__ import annotations

import sys

from honcho.environ import parse_procfile
from honcho.manager import Manager
from honcho.printer import Printer

from core.settings import PROJECT_ROOT, Settings, SettingsError, load_settings
from tools.runner.environment import child_environment
from tools.runner.preflight import (
    PreflightError,
    acquire_run_lock,
    check_built,
    check_engine,
    check_ports_free,
    check_redis,
    redis_server_binary,
    resolve_free_ports,
)
from tools.training import ENGINE_SPACY_MODEL, engine_python, model_path


def skipped_processes(settings: Settings) -> set[str]:
    """Processes standing in for something configured elsewhere: Redis, the SMTP server, the SMS gateway."""
    skipped = set()
    if not settings.embedded_redis:
        skipped.add("redis")
    if not settings.smtp_sink:
        skipped.add("mailsink")
    if not settings.sms_sink:
        skipped.add("smsgateway")
    return skipped


def main() -> int:
    try:
        settings = resolve_free_ports(load_settings())
        lock = acquire_run_lock(settings)
        check_ports_free(settings)
        check_redis(settings)
        check_engine(engine_python(), PROJECT_ROOT / ENGINE_SPACY_MODEL)
        model = model_path()
        check_built(settings, model)
        redis_server = redis_server_binary() if settings.embedded_redis else None
    except (SettingsError, PreflightError) as exc:
        print(exc, file=sys.stderr)
        return 2
    if redis_server:
        (settings.var_dir / "redis").mkdir(parents=True, exist_ok=True)

    env = child_environment(settings, model, redis_server)
    procfile = parse_procfile((PROJECT_ROOT / "Procfile").read_text())
    manager = Manager(Printer(sys.stdout))
    for name, command in procfile.processes.items():
        if name in skipped_processes(settings):
            continue
        manager.add_process(name, command, env=env, cwd=str(PROJECT_ROOT))
    manager.loop()
    lock.close()
    return int(manager.returncode or 0)


if __name__ == "__main__":
    sys.exit(main())
