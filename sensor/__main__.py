"""Start the network sensor: ``python -m sensor`` (what `make run`'s ``sensor`` process does).

It serves nothing: it reads the diagnoses stream and writes incidents to Redis, the NOC's TMF APIs and the
notifier's subscriptions (see :mod:`sensor.service`). It stops on SIGINT or SIGTERM, giving up its lease.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from core.oss.config import OssConfig
from core.redis.connect import connect
from core.settings import Settings, settings_or_complain
from notify.subscriptions import SubscriptionStore
from sensor.detector import DetectorConfig
from sensor.noc import Noc
from sensor.service import SensorService


def config_from(settings: Settings) -> DetectorConfig:
    return DetectorConfig(
        window_s=settings.sensor_window_s,
        min_contacts=settings.sensor_min_contacts,
        p_threshold=settings.sensor_p_threshold,
        quiet_s=settings.sensor_quiet_s,
        warmup_h=settings.sensor_warmup_h,
    )


async def serve(settings: Settings) -> None:
    redis = connect(settings.effective_redis_url, socket_timeout=10)
    noc = Noc(OssConfig.from_settings(settings), settings.sensor_noc)
    service = SensorService(
        redis,
        config_from(settings),
        noc,
        SubscriptionStore(redis, settings.notify_ttl_s, settings.notify_max_per_alarm),
        poll_s=settings.sensor_poll_s,
        noc_update_s=settings.sensor_noc_update_s,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    logging.getLogger(__name__).info("sensor %s started (NOC: TMF %s)", service.name, settings.sensor_noc)
    try:
        await service.run(stop)
    finally:
        await noc.aclose()
        await redis.aclose()


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a poll every interval is not news
    settings = settings_or_complain()
    if settings is None:
        return 2
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
