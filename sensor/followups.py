"""After a suspected incident ends: its subscribers handed on at once, its NOC record finished when the NOC answers.

Handing on needs only Redis: subscribers move to the real alarm that came to cover the incident (they hear
"your service is back" when it clears), or the incident's key is marked cleared for the notifier (they hear the
investigation ended). So an unreachable TMF642 or TMF621 never delays a customer. What needs the NOC waits in
its own set (``sensor.store.NOC_FOLLOWUPS``) and is retried until it answers: clearing the sensor's alarm or
resolving its ticket, and looking whether the covering real alarm had already cleared before the subscribers
arrived (its event has passed, so the notifier would wait for ever).
"""

from __future__ import annotations

import logging

from notify.subscriptions import SubscriptionStore
from sensor.noc import Noc, NocError
from sensor.store import SensorStore

log = logging.getLogger(__name__)


async def hand_on(store: SensorStore, subscriptions: SubscriptionStore) -> list[str]:
    """Hand on the subscribers of every incident cleared since the last pass; returns the incident ids."""
    done = []
    for incident_id in await store.followups():
        incident = await store.incident(incident_id)
        noc_work = False
        if incident is not None and incident.state == "cleared":
            real = incident.real_alarm if incident.cleared_reason == "real_alarm" else None
            if real is not None:
                await subscriptions.move(incident.notify_key, real.id)
            else:
                await subscriptions.mark_cleared(incident.notify_key)
            noc_work = real is not None or (incident.noc is not None and incident.cleared_reason != "noc")
        await store.followed_up(incident_id, noc_work)
        done.append(incident_id)
    return done


async def finish_at_noc(store: SensorStore, subscriptions: SubscriptionStore, noc: Noc) -> None:
    """Clear the alarm or ticket of each incident handed on and check its real alarm; raises :class:`NocError`
    when the NOC is unreachable (what is left is tried again)."""
    for incident_id in await store.noc_followups():
        incident = await store.incident(incident_id)
        if incident is not None and incident.noc is not None and incident.cleared_reason != "noc":
            try:
                await noc.clear(incident, incident.noc)
            except NocError as exc:
                if not exc.refused:
                    raise
                log.warning("sensor: the NOC refused to clear %s %s (%s)", incident.noc.kind, incident.noc.id, exc)
        real = incident.real_alarm if incident is not None and incident.cleared_reason == "real_alarm" else None
        if real is not None and await subscriptions.for_alarm(real.id) and await noc.alarm_cleared(real.id):
            await subscriptions.mark_cleared(real.id)
        await store.noc_followed_up(incident_id)
