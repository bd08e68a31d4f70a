"""The sensor's loop: diagnoses in, incidents kept, the subscribers and the NOC told.

One step: read a batch from the stream (own pending entries first after a restart), feed the detector, tick it
(quiet incidents clear, finished hours teach the baseline), and once caught up every ``poll_s`` look for real
alarms covering open incidents and for incidents the NOC closed; then commit incidents, detector state and the
acknowledgement in one transaction. A batch read from a backlog (a restart after a while) ticks with the time of
its last contact, not the wall clock: the wall clock would clear still-going incidents as quiet, forget the
window's contacts and teach the baseline hours it has not read yet.

After the commit, subscribers of cleared incidents are handed on first (``sensor.followups``: Redis only, so
nothing the NOC does delays them). Then, outside it (the NOC may be down): raise what has no alarm or ticket
yet, update what grew (at most every ``noc_update_s``), and finish the NOC's part of what ended; a crash or an
unreachable NOC only delays it. One sensor runs at a time (a lease); a second waits as a spare.
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

from core.contracts.sensor import DIAGNOSES_STREAM, Incident, NocReference
from core.redis.connect import text
from core.redis.scripts import register
from notify.subscriptions import SubscriptionStore
from sensor.baseline import Baseline
from sensor.detector import Change, Detector, DetectorConfig
from sensor.followups import finish_at_noc, hand_on
from sensor.noc import Noc, NocError
from sensor.reader import DiagnosisReader, parse
from sensor.store import LEASE, SensorStore

log = logging.getLogger(__name__)

BLOCK_MS = 1000
BATCH = 500
"""Stream entries read per step: a backlog after a restart is read in steps of this many."""
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
        batch: int = BATCH,
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
        self.batch = batch
        self.reader = DiagnosisReader(redis, self.name, batch)
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
        self.reader = DiagnosisReader(self.redis, self.name, self.batch)  # pending entries first again
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
        last_at: float | None = None
        for raw_id, fields in entries:
            entry_id = text(raw_id)
            try:
                found = parse(fields)
                if found.at > self.clock() + MAX_AHEAD_S:  # a clock ahead would clear and teach hours not yet lived
                    found = found.model_copy(update={"at": self.clock()})
                changes += self.detector.observe(found)
                last_at = found.at if last_at is None else max(last_at, found.at)
            except ValueError as exc:
                log.warning("sensor: entry %s is not a diagnosis (%s); dead-lettered", entry_id, str(exc)[:200])
                await self.store.dead_letter(entry_id, fields, str(exc))
            except Exception as exc:  # a bug on one entry must not stop the sensor on every restart
                log.exception("sensor: entry %s broke the detector; dead-lettered", entry_id)
                await self.store.dead_letter(entry_id, fields, f"detector: {type(exc).__name__}")
        now = self.clock()
        if self.reader.caught_up:
            changes += self.detector.tick(now)
            if now >= self._next_poll:
                self._next_poll = now + self.poll_s
                changes += await self._poll(now)
        elif last_at is not None:  # behind: the stream's time, not the wall clock's
            changes += self.detector.tick(last_at)
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
        await self._hand_on()
        if now >= self._noc_after:
            await self._noc_pass(now)
        return len(entries)

    async def _poll(self, now: float) -> list[Change]:
        """Incidents the NOC closed, and incidents a real alarm now covers; cleared in the detector. Each read on
        its own: TMF621 down (ticket mode) does not hide a real alarm in TMF642."""
        changes: list[Change] = []
        for look, api in ((self._closed_by_noc, self.noc.kind), (self._covered, "alarm")):
            try:
                changes += await look(now)
            except NocError as exc:
                log.warning("sensor: cannot read the NOC's %ss (%s); next poll in %.0f s", api, exc, self.poll_s)
        return changes

    async def _closed_by_noc(self, now: float) -> list[Change]:
        changes: list[Change] = []
        for key, incident in list(self.detector.open.items()):
            if incident.noc is None:
                continue
            standing = await self.noc.standing(incident.noc)
            if standing == "closed":
                changes += _some(self.detector.clear(incident.id, now, "noc"))
            elif standing == "gone":  # not a decision by anyone: raised again by _tell_noc
                _log_gone(incident.noc, incident.id)
                self.detector.open[key] = incident.model_copy(update={"noc": None})
                await self.store.save(self.detector.open[key])
        return changes

    async def _covered(self, now: float) -> list[Change]:
        changes: list[Change] = []
        places = {(i.area, None if i.area else i.target) for i in self.detector.open.values() if i.scope != "bill_line"}
        for area, node in places:
            covers = await self.noc.real_alarms(area, node)
            for incident in list(self.detector.open.values()):
                if (incident.area, None if incident.area else incident.target) != (area, node):
                    continue
                cover = next((c for c in covers if c.covers(incident)), None)
                if cover is not None:
                    changes += _some(self.detector.cover(incident.id, cover.real_alarm(now), now))
        return changes

    async def _noc_pass(self, now: float) -> None:
        """Raise and update what is open, then finish what ended; one failing does not hold up the other."""
        failed = False
        for work in (self._tell_noc, self._noc_follow_up):
            try:
                await work(now)
            except NocError as exc:
                log.warning("sensor: the NOC's API failed (%s); retrying in %.0f s", exc, NOC_RETRY_S)
                failed = True
        if failed:
            self._noc_after = now + NOC_RETRY_S

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
                    ref = await self._update(incident, ref, now)
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

    async def _update(self, incident: Incident, ref: NocReference, now: float) -> NocReference:
        try:
            return await self.noc.update(incident, ref, now)
        except NocError as exc:
            if exc.status != 404:
                raise
        _log_gone(ref, incident.id)
        return await self.noc.raise_for(incident, now)

    async def _hand_on(self) -> None:
        for incident_id in await hand_on(self.store, self.subscriptions):
            self._refused.pop(incident_id, None)
            self._noc_contacts.pop(incident_id, None)

    async def _noc_follow_up(self, now: float) -> None:
        await finish_at_noc(self.store, self.subscriptions, self.noc)

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


def _log_gone(ref: NocReference, incident_id: str) -> None:
    log.warning(
        "sensor: the NOC does not know %s %s of incident %s (404); raising it again", ref.kind, ref.id, incident_id
    )


def _some(change: Change | None) -> list[Change]:
    return [change] if change is not None else []


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
