"""Each gateway's loop over the queues' streams: announce new cases, re-announce overdue ones, enforce the grace.

Consumer-group discipline (as in taskiq-redis and walrus): at start the gateway first reads its own pending
entries (``0``: announcements it read before a restart), then new ones (``>``); entries stay pending while
their case waits and are acknowledged when it leaves the queue; ``XAUTOCLAIM`` of entries idle past
``handoff_reannounce_after_s`` re-announces a case nobody took (whichever gateway read it, dead or alive).
Every replica runs this loop; every state change it makes is atomic (``queues``), so replicas never collide.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time

from redis.exceptions import RedisError

from bot.handoff.case import CaseStatus, Queue
from bot.handoff.items import Announcement
from bot.handoff.service import HandoffService

log = logging.getLogger(__name__)

BLOCK_MS = 500  # longest a read waits for a new case; also bounds how late a sweep runs
PLACES_EVERY_S = 5.0  # how often waiting customers' places are refreshed (agents came online, went away)
TRACKER_RETRY_EVERY_S = 5.0  # how often events Rasa did not take are offered again


def consumer_name(port: int) -> str:
    """Stable across restarts of the same gateway, so it reads its own pending entries first."""
    return f"{socket.gethostname()}:{port}"


class Dispatcher:
    def __init__(self, service: HandoffService, consumer: str) -> None:
        self._service = service
        self._queues = service.queues
        self._streams = service.streams
        self._consumer = consumer
        self._settings = service.settings

    async def run(self) -> None:
        while True:
            try:
                await self._streams.ensure_groups()
                for announcement in await self._streams.read_own_pending(self._consumer):
                    await self._announce(announcement, announcement.event)
                await self._loop()
            except (RedisError, OSError):
                log.warning("handoff dispatcher lost Redis; starting again in 1 s", exc_info=True)
                await asyncio.sleep(1)

    async def _loop(self) -> None:
        clock = asyncio.get_running_loop().time
        swept = places = tracked = clock()
        while True:
            block = int(min(BLOCK_MS, self._settings.handoff_sweep_interval_s * 1000))
            for announcement in await self._streams.read_new(self._consumer, block_ms=max(block, 1)):
                await self._announce(announcement, announcement.event)
            now = clock()
            if now - swept >= self._settings.handoff_sweep_interval_s:
                swept = now
                await self.sweep()
            if now - places >= PLACES_EVERY_S:
                places = now
                for queue in Queue:
                    await self._service.refresh_places(queue)
            if now - tracked >= TRACKER_RETRY_EVERY_S:
                tracked = now
                await self._service.recorder.flush_all()

    async def _current(self, announcement: Announcement) -> bool:
        """Whether the announced case still waits in that queue under this entry; finish the entry if not."""
        state = await self._queues.state(announcement.case_id)
        current = (
            state.get("status") == CaseStatus.waiting.value
            and state.get("queue") == announcement.queue.value
            and state.get("entry") == announcement.entry_id
        )
        if not current:
            await self._streams.finish(announcement)
        return current

    async def _announce(self, announcement: Announcement, event: str) -> None:
        if await self._current(announcement):
            await self._service.announce(announcement.case_id, event)

    async def sweep(self) -> None:
        """Re-announce cases nobody took in time (customer told), and requeue the chats of agents gone too long."""
        overdue = await self._streams.claim_overdue(self._consumer, self._settings.handoff_reannounce_after_s)
        for announcement in overdue:
            if not await self._current(announcement):
                continue
            count = await self._streams.bump_reannounced(announcement.case_id)
            log.info("case %s re-announced (%d) in %s", announcement.case_id, count, announcement.queue.value)
            await self._service.announce(announcement.case_id, "reannounced")
            case = await self._queues.get(announcement.case_id)
            if case is not None:
                await self._service.tell_place(case, overdue=True)
        grace_ms = self._settings.handoff_reconnect_grace_s * 1000
        ttl_ms = self._settings.handoff_presence_ttl_s * 1000
        now_ms = time.time() * 1000
        for agent in await self._service.presence.everyone():
            gone_ms = agent.gone_for_ms(now_ms, ttl_ms)
            if agent.holding and gone_ms > grace_ms:
                for case_id in await self._queues.agent_case_ids(agent.name):
                    # A chat given to them after they left the console (a supervisor taking over from the
                    # supervisor's page) was not abandoned with it.
                    state = await self._queues.state(case_id)
                    if int(state.get("accepted_at") or 0) > now_ms - gone_ms:
                        continue
                    await self._service.requeue_from(agent.name, case_id)
