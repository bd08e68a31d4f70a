"""The step after identification: run the live diagnosis of the problem the customer came with.

Each problem area has its own module (connectivity, billing, orders, tickets) with one coroutine per problem,
taking a :class:`Context`. A lookup that fails is told honestly and escalated with what is known; nothing here
raises into the action server.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.escalation import escalate
from actions.glossary import DEFAULT_SYSTEM, SYSTEM_NAMES
from actions.lookups import Lookups
from actions.repeats import avoid_repeating
from core.oss.errors import OssError, OssUnavailable

log = logging.getLogger(__name__)


@dataclass
class Context:
    dispatcher: CollectingDispatcher
    tracker: Tracker
    lookups: Lookups
    findings: dict[str, Any] = field(default_factory=dict)
    events: list[EventType] = field(default_factory=list)
    escalated: bool = False

    @property
    def identity(self) -> dict[str, Any]:
        return dict(self.tracker.get_slot("identity") or {})

    @property
    def customer_id(self) -> str:
        return str(self.identity["customer_id"])

    @property
    def account_id(self) -> str | None:
        accounts = self.identity.get("account_ids") or []
        return str(accounts[0]) if accounts else None

    @property
    def problem(self) -> str:
        return str(self.tracker.get_slot("problem") or "")

    def say(self, response: str, *, buttons: list[dict[str, str]] | None = None, **values: object) -> None:
        """Send the domain.yml response ``response`` filled with ``values`` (each as text: Rasa formats strings)."""
        self.dispatcher.utter_message(
            response=response, buttons=buttons or [], **{name: str(value) for name, value in values.items()}
        )

    def note(self, **findings: Any) -> None:
        self.findings.update(findings)

    def expect(self, awaiting: str) -> None:
        """The bot asked a yes/no question about ``awaiting``; the answer's rule reads this slot."""
        self.events.append(SlotSet("awaiting", awaiting))

    def tried(self, step: str) -> None:
        steps = list(self.tracker.get_slot("tried") or [])
        if step not in steps:
            steps.append(step)
        self.tracker.slots["tried"] = steps
        self.events.append(SlotSet("tried", steps))

    def escalate(self, reason: str, summary: str, **kwargs: Any) -> None:
        self.tracker.slots.update(self.lookups.slots(**self.findings))
        self.events += escalate(self.dispatcher, self.tracker, reason, summary, **kwargs)
        self.escalated = True

    def finish(self) -> list[EventType]:
        slots = self.lookups.slots(**self.findings)
        return [SlotSet(name, value) for name, value in slots.items()] + self.events


Diagnosis = Callable[[Context], Awaitable[None]]


def registry() -> dict[str, Diagnosis]:
    from actions import billing, connectivity, orders, tickets

    return {
        "report_internet_down": connectivity.broadband,
        "report_slow_internet": connectivity.broadband,
        "report_mobile_no_service": connectivity.mobile,
        "bill_too_high": billing.bill_too_high,
        "ask_bill": billing.ask_bill,
        "payment_problem": billing.payment_problem,
        "order_status": orders.order_status,
        "activation_problem": orders.order_status,
        "ticket_status": tickets.ticket_status,
    }


async def run_safely(ctx: Context, diagnosis: Diagnosis) -> list[EventType]:
    """Run a diagnosis; an unreachable system is told to the customer and escalated with what is known."""
    try:
        await diagnosis(ctx)
    except OssUnavailable as exc:
        ctx.note(oss_unavailable=exc.api)
        ctx.say("utter_system_unreachable", system=SYSTEM_NAMES.get(exc.api, DEFAULT_SYSTEM))
        ctx.escalate("oss_unavailable", f"{exc.api} was unavailable ({exc.cause}) during the diagnosis.")
    except OssError as exc:
        # A refusal or a missing record the flow did not expect: an integration fault, not the customer's.
        log.error("unexpected OSS/BSS answer in %s: %s", ctx.problem, exc)
        ctx.note(oss_error=f"{exc.api}.{exc.operation}: {exc.outcome}")
        ctx.say("utter_system_went_wrong")
        ctx.escalate("oss_error", f"{exc.api}.{exc.operation} answered {exc.outcome}: {exc.message}")
    return ctx.finish()


class ActionDiagnose(Action):
    def name(self) -> str:
        return "action_diagnose"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ctx = Context(dispatcher, tracker, Lookups(tracker))
        if not tracker.get_slot("verified"):
            return self._unverified(ctx)
        diagnosis = registry().get(ctx.problem)
        if diagnosis is None:
            log.warning("no diagnosis for problem %r", ctx.problem)
            ctx.escalate("bot_cannot_finish", f"No automated diagnosis for {ctx.problem or 'this request'}.")
            return ctx.finish()
        events = await run_safely(ctx, diagnosis)
        avoid_repeating(dispatcher, tracker, domain)
        return events

    @staticmethod
    def _unverified(ctx: Context) -> list[EventType]:
        findings = ctx.tracker.get_slot("findings") or {}
        if "oss_unavailable" in findings:
            ctx.escalate("oss_unavailable", "Customer records were unreachable, so the customer is not verified yet.")
        else:
            failures = int(ctx.tracker.get_slot("verification_failures") or 0)
            ctx.escalate(
                "verification_failed",
                f"Identification failed {failures} times; verify the customer before discussing the account.",
                next_action="Verify identity with another factor before sharing account details.",
            )
        return ctx.finish()
