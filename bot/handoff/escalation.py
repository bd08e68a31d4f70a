"""A handoff request made into a queued case: transcript, what the bot understood, priority, place told."""

from __future__ import annotations

import logging

from bot.handoff import building, keys
from bot.handoff.case import HandoffCase, case_from_request
from bot.handoff.places import Places
from core.contracts.handoff import HandoffRequest

log = logging.getLogger(__name__)


class Escalation(Places):
    async def escalate(self, conversation_id: str, request: HandoffRequest, request_seq: int) -> HandoffCase | None:
        """Make the bot's (or the gateway's) handoff request into a queued case and tell the customer."""
        history = await self.store.history(conversation_id)
        turns = building.transcript(history)
        understood = building.understanding_at_handoff(request, await self.recorder.tracker(conversation_id, True))
        case = case_from_request(conversation_id, request, turns, understood)
        if case.identity is not None:
            window_s = self.settings.handoff_repeat_contact_days * 86400
            repeat_of = await self.queues.recent_cases_of(case.identity.customer_id, window_s, case.case_id)
        else:
            repeat_of = []
        case = building.prioritise(case, repeat_of, self.settings.handoff_negative_sentiment)
        case, created = await self.queues.enqueue(case, keys.request(conversation_id, request_seq))
        if not created:
            return case
        log.info("case %s queued conversation=%s queue=%s priority=%s reason=%s", case.case_id, conversation_id,
                 case.queue.value, case.priority.value, case.reason)  # fmt: skip
        await self.tell_place(case, first=True)
        return case
