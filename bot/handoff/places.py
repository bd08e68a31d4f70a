"""Where waiting customers stand, told to them; cases entering a queue, shown to the consoles of that queue."""

from __future__ import annotations

import json
import time

from bot.chat import wire
from bot.handoff.case import HandoffCase, Queue
from bot.handoff.items import Card
from bot.handoff.parts import HandoffParts
from bot.handoff.presence import hours_text, open_now
from core.contracts.queues import team_name

CALLBACK = "/handoff_callback"
TICKET = "/handoff_ticket"
OFFERS = [{"title": "Request a callback", "payload": CALLBACK}, {"title": "Leave it as a ticket", "payload": TICKET}]
"""What a customer nobody can take now may choose instead of waiting (they keep their place meanwhile)."""


class Places(HandoffParts):
    async def announce(self, case_id: str, event: str) -> None:
        """Show a waiting case on the consoles of its queue (a new, requeued, transferred or overdue case)."""
        state = await self.queues.state(case_id)
        if not state.get("card"):
            return
        queue = Queue(state["queue"])
        place = await self.queues.place(case_id, queue)
        item = Card(case_id, state.get("conversation_id", ""), queue, int(state.get("reannounced") or 0),
                    place.position if place else 0, json.loads(state["card"]))  # fmt: skip
        await self.console({"type": "case", "event": event, "queue": queue.value, "case": item.summary(time.time())})

    async def tell_place(
        self, case: HandoffCase | Card, *, first: bool = False, overdue: bool = False, available: int | None = None
    ) -> None:
        """Tell the customer where they stand: position and wait, or honestly that nobody can take it now."""
        place = await self.queues.place(case.case_id, case.queue)
        if place is None:
            return
        if available is None:
            available = await self.presence.available_for(case.queue)
        team = team_name(case.queue)
        if not open_now(self.settings):
            message = (f"Our {team} team is not working right now: they take chats {hours_text(self.settings)}. "
                       "You can ask for a callback or leave it as a ticket; either way they get everything you told "
                       "me, so you won't have to repeat yourself. Or keep this page open and wait.")  # fmt: skip
            await self._no_agent(case, message, "closed", first)
            return
        if available == 0:
            message = (f"Nobody from our {team} team is online right now. You can ask for a callback or leave it as "
                       "a ticket: either way they get everything you told me. Or stay here: you keep your place "
                       f"(position {place.position}).")  # fmt: skip
            await self._no_agent(case, message, "offline", first)
            return
        wait_s = int(place.position * self.settings.handoff_average_handle_s / available)
        if overdue and case.reannounced >= self.settings.handoff_reannounce_max:
            message = (f"Sorry, everyone in our {team} team is still busy. You're number {place.position} in the "
                       "queue. If you'd rather not wait, ask for a callback or leave it as a ticket.")  # fmt: skip
            await self._no_agent(case, message, f"busy:{case.reannounced}", first)
            return
        if overdue:
            sorry = f"Sorry for the wait: everyone in our {team} team is still busy. You haven't lost your place."
            await self.publisher.message(
                case.conversation_id,
                [{"text": sorry}],
            )
        changed = await self.queues.retell(case.case_id, f"{place.position}:{wait_s // 60}")
        if first or overdue or changed:
            event = wire.HandoffEvent(type="queued" if first else "position", position=place.position, wait_s=wait_s)
            await self.publisher.handoff_event(case.conversation_id, event)

    async def _no_agent(self, case: HandoffCase | Card, message: str, situation: str, first: bool) -> None:
        """Tell the customer nobody can take the chat now, once per situation (never at each refresh of places).

        ``situation`` is ``closed``, ``offline`` or ``busy:<re-announcements>``. Closed or offline is said again
        once when the case passes the re-announcement limit (a reminder of the offers), and whenever the
        situation changes (an agent came online and went again, the team's hours ended); busy is said at each
        re-announcement past the limit, as the apology is before it. A case (re)entering a queue (``first``)
        is always told.
        """
        past_limit = case.reannounced >= self.settings.handoff_reannounce_max
        told = f"no_agent:{situation}:{'past_limit' if past_limit else 'within_limit'}"
        if not await self.queues.retell(case.case_id, told) and not first:
            return
        event = wire.HandoffEvent(type="no_agent", message=message, offers=OFFERS)
        await self.publisher.handoff_event(case.conversation_id, event)

    async def refresh_places(self, queue: Queue) -> None:
        """Tell every customer waiting in ``queue`` their new place (only those whose place changed)."""
        waiting = await self.queues.cards(queue)
        if waiting:
            available = await self.presence.available_for(queue)
            for case in waiting:
                await self.tell_place(case, available=available)
