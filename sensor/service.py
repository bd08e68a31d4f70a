"""The sensor process's loop: diagnoses in, incidents kept, the NOC and the subscribers told.

One step: read a batch from the stream (own pending entries first after a restart), feed the detector, tick it
with the wall clock (quiet incidents clear, finished hours teach the baseline), every ``poll_s`` look for real
alarms covering open incidents and for incidents the NOC closed, then commit incidents, detector state and the
acknowledgement in one transaction. After the commit, outside it (the NOC may be down, nothing waits for it):
raise what has no alarm or ticket yet, update what grew (at most every ``noc_update_s``), and follow up cleared
incidents (clear their alarm or ticket; their subscribers are either handed to the real alarm or told the
investigation ended, through the notifier). Follow-ups are a Redis set, so a crash or an unreachable NOC only
delays them. One sensor runs at a time (a lease); a second waits as a spare.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from core.contracts.sensor import DIAGNOSES_STREAM, Incident
from core.redis.connect import text
from core.redis.scripts import register
from notify.subscriptions import SubscriptionStore
from sensor.baseline import Baseline
from sensor.detector import Change, Detector, DetectorConfig
from sensor.noc import Noc, NocError
from sensor.reader import DiagnosisReader, parse
from sensor.store import LEASE, SensorStore

log = logging.getLogger(__name__)

BLOCK_MS = 1000
LEASE_MS = 30_000
"""A sensor that stops renewing its lease for this long is replaced by a spare."""
NOC_RETRY_S = 10.0
"""After the NOC's API failed, wait this long before the next call (raise, update, clear)."""
MAX_AHEAD_S = 60.0
"""A diagnosis stamped further ahead of this process's clock than this is taken as made now."""
REFUSED_RETRY_S = 300.0
"""An incident the NOC refused (4xx) is offered again after this long, not on every pass."""


class SensorService:
    def __init__(
        self,
        redis: Redis,
        config: DetectorConfig,
        noc: Noc,
        subscriptions: SubscriptionStore,
        *,
        poll_s: float,
        noc_update_s: float,
        clock: Callable[[], float] = time.time,
        name: str | None = None,
    ) -> None:
        self.redis = redis
        self.config = config
        self.noc = noc
        self.subscriptions = subscriptions
        self.poll_s = poll_s
        self.noc_update_s = noc_update_s
        self.clock = clock
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.store = SensorStore(redis)
        self.reader = DiagnosisReader(redis, self.name)
        self.detector = Detector(config, Baseline())
        self._token = uuid.uuid4().hex
        self._renew = register(redis, "sensor", "renew_lease")
        self._saved_hour: int | None = None
        self._next_poll = 0.0
        self._noc_after = 0.0
        self._refused: dict[str, float] = {}
        """Incident id -> when to offer it to the NOC again after a refusal."""
        self._noc_contacts: dict[str, int] = {}
        """Incident id -> contacts its alarm or ticket last said (unknown after a restart: said again)."""

    async def start(self) -> None:
        """Create the consumer group and take back what the last run left (baseline, windows, open incidents)."""
        self.reader = DiagnosisReader(self.redis, self.name)  # pending entries first again
        await self.reader.ensure_group()
        baseline, state, open_incidents = await self.store.load()
        self.detector = Detector(self.config, baseline or Baseline())
        if state is not None:
            self.detector.restore(state, open_incidents)
        else:
            self.detector.open = {i.key: i for i in open_incidents}
        self._saved_hour = self.detector.baseline.last_hour

    async def hold_lease(self) -> bool:
        if await self.redis.set(LEASE, self._token, nx=True, px=LEASE_MS):
            return True
        return bool(await self._renew(keys=[LEASE], args=[self._token, LEASE_MS]))

    async def release_lease(self) -> None:
        if (await self.redis.get(LEASE)) == self._token.encode():
            await self.redis.delete(LEASE)

    async def step(self, block_ms: int | None = BLOCK_MS) -> int:
        """One pass of the loop; returns how many stream entries it handled."""
        entries = await self.reader.batch(block_ms)
        changes: list[Change] = []
        for raw_id, fields in entries:
            entry_id = text(raw_id)
            try:
                found = parse(fields)
                if found.at > self.clock() + MAX_AHEAD_S:  # a clock ahead would clear and teach hours not yet lived
                    found = found.model_copy(update={"at": self.clock()})
                changes += self.detector.observe(found)
            except ValueError as exc:
                log.warning("sensor: entry %s is not a diagnosis (%s); dead-lettered", entry_id, str(exc)[:200])
                await self.store.dead_letter(entry_id, fields, str(exc))
            except Exception as exc:  # a bug on one entry must not stop the sensor on every restart
                log.exception("sensor: entry %s broke the detector; dead-lettered", entry_id)
                await self.store.dead_letter(entry_id, fields, f"detector: {type(exc).__name__}")
        now = self.clock()
        changes += self.detector.tick(now)
        if now >= self._next_poll:
            self._next_poll = now + self.poll_s
            changes += await self._poll(now)
        learnt = self.detector.baseline.last_hour != self._saved_hour
        if entries or changes or learnt:
            ack = (DIAGNOSES_STREAM, [text(entry_id) for entry_id, _ in entries])
            state = self.detector.state()
            await self.store.commit(
                [c.incident for c in changes], state, ack, self.detector.baseline if learnt else None
            )
            self._saved_hour = self.detector.baseline.last_hour
        for change in changes:
            if change.kind != "grew":
                log.info("sensor: incident %s %s: %s", change.incident.id, change.kind, change.incident.evidence)
        if now >= self._noc_after:
            try:
                await self._tell_noc(now)
                await self._follow_up()
            except NocError as exc:
                log.warning("sensor: the NOC's API failed (%s); retrying in %.0f s", exc, NOC_RETRY_S)
                self._noc_after = now + NOC_RETRY_S
        return len(entries)

    async def _poll(self, now: float) -> list[Change]:
        """Incidents the NOC closed, and incidents a real alarm now covers; cleared in the detector."""
        changes: list[Change] = []
        try:
            for incident in list(self.detector.open.values()):
                if incident.noc is not None and await self.noc.closed_by_noc(incident.noc):
                    changes += _some(self.detector.clear(incident.id, now, "noc"))
            places = {
                (i.area, None if i.area else i.target) for i in self.detector.open.values() if i.scope != "bill_line"
            }
            for area, node in places:
                covers = await self.noc.real_alarms(area, node)
                for incident in list(self.detector.open.values()):
                    if (incident.area, None if incident.area else incident.target) != (area, node):
                        continue
                    cover = next((c for c in covers if c.covers(incident)), None)
                    if cover is not None:
                        changes += _some(self.detector.cover(incident.id, cover.real_alarm(now), now))
        except NocError as exc:
            log.warning("sensor: cannot read TMF642 (%s); next poll in %.0f s", exc, self.poll_s)
        return changes

    async def _tell_noc(self, now: float) -> None:
        """Raise an alarm or ticket for each open incident without one; update those that grew."""
        for key, incident in list(self.detector.open.items()):
            ref = incident.noc
            if self._refused.get(incident.id, 0.0) > now:
                continue
            try:
                if ref is None:
                    ref = await self.noc.raise_for(incident, now)
                    log.info("sensor: incident %s raised as %s %s", incident.id, ref.kind, ref.id)
                elif (
                    self._noc_contacts.get(incident.id) != incident.contacts
                    and now - ref.updated_at >= self.noc_update_s
                ):
                    ref = await self.noc.update(incident, ref, now)
                else:
                    continue
            except NocError as exc:
                if not exc.refused:
                    raise
                log.warning("sensor: the NOC refused incident %s (%s); trying again later", incident.id, exc)
                self._refused[incident.id] = now + REFUSED_RETRY_S
                continue
            self._noc_contacts[incident.id] = incident.contacts
            updated = incident.model_copy(update={"noc": ref})
            self.detector.open[key] = updated
            await self.store.save(updated)

    async def _follow_up(self) -> None:
        for incident_id in await self.store.followups():
            incident = await self.store.incident(incident_id)
            if incident is not None and incident.state == "cleared":
                await self._ended(incident)
            await self.store.followed_up(incident_id)

    async def _ended(self, incident: Incident) -> None:
        if incident.noc is not None and incident.cleared_reason != "noc":
            try:
                await self.noc.clear(incident, incident.noc)
            except NocError as exc:
                if not exc.refused:
                    raise
                log.warning("sensor: the NOC refused to clear %s %s (%s)", incident.noc.kind, incident.noc.id, exc)
        self._refused.pop(incident.id, None)
        self._noc_contacts.pop(incident.id, None)
        if incident.cleared_reason == "real_alarm" and incident.real_alarm is not None:
            real = incident.real_alarm.id
            moved = await self.subscriptions.move(incident.notify_key, real)
            if moved and await self.noc.alarm_cleared(real):  # cleared before they moved: its event has passed
                await self.subscriptions.mark_cleared(real)
        else:
            await self.subscriptions.mark_cleared(incident.notify_key)

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.5
        started = False
        while not stop.is_set():
            try:
                if not await self.hold_lease():
                    await _wait(stop, LEASE_MS / 3000)
                    started = False
                    continue
                if not started:
                    await self.start()
                    started = True
                await self.step()
                backoff = 0.5
            except (RedisError, OSError) as exc:
                log.warning("sensor: Redis failed (%s); retrying in %.1fs", exc, backoff)
                await _wait(stop, backoff)
                backoff = min(backoff * 2, 10.0)
                started = False
        with contextlib.suppress(RedisError, OSError):
            await self.release_lease()


def _some(change: Change | None) -> list[Change]:
    return [change] if change is not None else []


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
