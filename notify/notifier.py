"""Turn a cleared alarm into "your service is back" for every conversation that asked, each channel once.

An event only names the alarm: the notifier reads the alarm from TMF642 itself before telling anyone, so a
forged, stale or duplicated callback never sends a false "it's fixed". A confirmed clear is written to Redis
(``triage:notify:cleared``) before anything is sent, and a pass over that set runs after every event, on a
timer and at start, so a crash or a failed send is retried and nothing is lost. Each channel of a subscription
is claimed (with a lease) before it is sent and marked sent after, so two passes, two notifiers or a duplicate
event never send it twice; a notifier that dies mid-send lets its lease run out and the next pass sends it.

Suspected incidents of the network sensor (keys ``incident:<id>``) are not TMF642 alarms: the sensor marks them
cleared itself (or hands their subscribers to the real alarm that came to cover them), and their text says the
investigation ended (read from ``core.incident_board``). A customer may still subscribe after that hand-on (they
said "yes, text me" a minute later): :meth:`Notifier.reconcile_incidents` reads each subscribed incident and does
the same hand-on for them; the service runs it before every delivery pass.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from core.incident_board import incident
from notify.alarms import AlarmApi, AlarmApiError, is_cleared
from notify.email import EmailAdapter
from notify.messages import Message, Restored, investigation_ended
from notify.sms import SendFailed, SmsAdapter
from notify.subscriptions import INCIDENT_PREFIX, Subscription, SubscriptionStore, is_incident

log = logging.getLogger(__name__)

CLAIM_LEASE_S = 60.0  # longer than any one send (SMTP and the SMS gateway time out after 10 s)

ChatSend = Callable[[str, str], Awaitable[None]]
"""Put ``text`` into conversation ``id``'s history and onto its open pages."""


class UnknownAlarm(Exception):
    """The alarm API does not know the alarm an event named."""


@dataclass
class PassReport:
    sent: dict[str, int] = field(default_factory=lambda: {"chat": 0, "sms": 0, "email": 0})
    failed: int = 0
    retired: int = 0


class Notifier:
    def __init__(
        self,
        store: SubscriptionStore,
        api: AlarmApi,
        chat: ChatSend,
        sms: SmsAdapter,
        email: EmailAdapter,
        lease_s: float = CLAIM_LEASE_S,
    ) -> None:
        self.store = store
        self.api = api
        self._chat = chat
        self._sms = sms
        self._email = email
        self._lease_s = lease_s

    async def alarm_changed(self, alarm_id: str) -> bool:
        """An event said ``alarm_id`` changed: confirm with TMF642; return whether it is cleared (and noted).

        Raises :class:`UnknownAlarm`, or :class:`AlarmApiError` when TMF642 cannot be read (the event should be
        retried by its sender)."""
        alarm = await self.api.alarm(alarm_id)
        if alarm is None:
            raise UnknownAlarm(alarm_id)
        if not is_cleared(alarm):
            return False
        await self.store.mark_cleared(alarm_id)
        return True

    async def sweep(self) -> PassReport:
        """Send what is owed for every alarm confirmed cleared."""
        report = PassReport()
        for alarm_id in await self.store.cleared():
            await self.deliver(alarm_id, await self._message(alarm_id), report)
        return report

    async def _message(self, alarm_id: str) -> Message:
        if is_incident(alarm_id):
            return investigation_ended(await incident(self.store.redis, alarm_id.removeprefix(INCIDENT_PREFIX)))
        try:
            alarm = await self.api.alarm(alarm_id)
        except AlarmApiError as exc:
            log.warning("notify: cannot read alarm %s for its text (%s); sending a general one", alarm_id, exc)
            alarm = None
        return Restored.from_alarm(alarm or {})

    async def reconcile(self) -> None:
        """Check every subscribed alarm against TMF642: catches clears missed while no event could arrive; and
        every subscribed incident against its record (:meth:`reconcile_incidents`)."""
        await self.reconcile_incidents()
        for alarm_id in await self.store.subscribed_alarms():
            if is_incident(alarm_id):
                continue
            try:
                await self.alarm_changed(alarm_id)
            except UnknownAlarm:
                log.warning("notify: subscribed alarm %s is unknown to TMF642; its subscriptions expire", alarm_id)
            except AlarmApiError as exc:
                log.warning("notify: cannot check alarm %s: %s", alarm_id, exc)
                return

    async def reconcile_incidents(self) -> None:
        """Subscriptions to incidents the sensor already ended: to the real alarm that covered it (told when that
        clears, which may have happened), or told the investigation ended. Open incidents wait; unknown ones
        (expired from Redis) are left to expire."""
        for key in await self.store.subscribed_alarms():
            if not is_incident(key):
                continue
            found = await incident(self.store.redis, key.removeprefix(INCIDENT_PREFIX))
            if found is None:
                log.warning("notify: subscribed incident %s is unknown; its subscriptions expire", key)
            elif found.state == "cleared" and found.cleared_reason == "real_alarm" and found.real_alarm is not None:
                if await self.store.move(key, found.real_alarm.id):
                    await self._check_moved(found.real_alarm.id)
            elif found.state == "cleared":
                await self.store.mark_cleared(key)

    async def _check_moved(self, alarm_id: str) -> None:
        """Subscribers just handed to a real alarm: it may have cleared before, its event long passed."""
        try:
            await self.alarm_changed(alarm_id)
        except UnknownAlarm:
            log.warning("notify: alarm %s is unknown to TMF642; its subscriptions expire", alarm_id)
        except AlarmApiError as exc:  # the next reconciliation against TMF642 checks it
            log.warning("notify: cannot check alarm %s: %s", alarm_id, exc)

    async def deliver(self, alarm_id: str, message: Message, report: PassReport) -> None:
        for sub in await self.store.for_alarm(alarm_id):
            for channel in sub.channels:
                if not await self.store.claim(sub, channel, self._lease_s):
                    continue
                try:
                    await self._send(channel, sub, message)
                except SendFailed as exc:
                    log.warning("notify: %s to conversation %s failed: %s", channel, sub.conversation_id, exc)
                    await self.store.release(sub, channel)
                    report.failed += 1
                    continue
                await self.store.mark_sent(sub, channel)
                report.sent[channel] += 1
            if set(sub.channels) <= await self.store.sent_channels(sub):
                await self.store.retire(sub)
                report.retired += 1
        await self.store.settle(alarm_id)

    async def _send(self, channel: str, sub: Subscription, message: Message) -> None:
        key = f"{sub.alarm_id}:{sub.conversation_id}:{channel}"
        if channel == "chat":
            try:
                await self._chat(sub.conversation_id, message.chat_text())
            except Exception as exc:  # Redis down or the fan-out failing: keep it for the next pass
                raise SendFailed(f"web chat: {type(exc).__name__}") from exc
        elif channel == "sms" and sub.sms_to:
            await self._sms.send(sub.sms_to, message.sms_text(), key)
        elif channel == "email" and sub.email_to:
            await self._email.send(sub.email_to, message.email_subject(), message.email_text(), key)
