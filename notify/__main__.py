"""Start the outage notifier: ``python -m notify`` (what `make run` does).

``TRIAGE_NOTIFIER_PORT`` 0 (the default) takes a free port: the notifier registers its own callback address on
the hub, so nobody else needs to know it (`make run` picks one up front, for its readiness check).
"""

from __future__ import annotations

import logging
import socket
import sys

import uvicorn

from core.settings import settings_or_complain


def free_port(host: str) -> int:
    """A port free on ``host`` now (``make run`` picks one the same way before it starts anything)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def main() -> int:
    settings = settings_or_complain()
    if settings is None:
        return 2
    if settings.notifier_port == 0:
        settings = settings.model_copy(update={"notifier_port": free_port(settings.host)})
    from notify.service import create_app  # after the settings: the app's imports are the slow part

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a hub check every interval is not news
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.notifier_port,
        log_level="warning",
        ws="none",  # the notifier serves no WebSockets
        timeout_graceful_shutdown=5,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
