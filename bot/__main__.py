"""Start the gateway: ``python -m bot`` (what `make run` does)."""

from __future__ import annotations

import sys

import uvicorn

from bot.app import create_app
from core.settings import settings_or_complain


def main() -> int:
    settings = settings_or_complain()
    if settings is None:
        return 2
    # The WebSocket implementation the project pins (pyproject: wsproto), not whichever websockets release
    # another package happens to bring in.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.gateway_port,
        log_level="info",
        ws="wsproto",
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
        timeout_graceful_shutdown=5,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
