"""What a customer is told when the alarm they subscribed to clears: plain English, no codes or ids.

The place is the alarm's area as TMF642 names it (``place[].name`` with role ``affectedArea``, e.g. "Glasgow
G1"); the fault is its ``specificProblem`` sentence, which NOC staff write for people. Codes such as
``probableCause`` are never shown.

A suspected incident (``core.contracts.sensor``: other customers near them reported the same) ends without
anyone having said what was wrong, so its subscribers hear that the investigation ended, not that a fault was
fixed (:class:`InvestigationEnded`; for a charge on many bills, :class:`BillInvestigationEnded`), and are invited
back if they are still affected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from core.contracts.sensor import Incident

MAX_FAULT_CHARS = 120  # a NOC note longer than this is cut at a word: a text message stays readable
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Restored:
    area: str | None
    fault: str | None

    @classmethod
    def from_alarm(cls, alarm: dict[str, Any]) -> Restored:
        places = [p for p in alarm.get("place") or [] if isinstance(p, dict)]
        area = next((p for p in places if p.get("role") == "affectedArea"), places[0] if places else None)
        name = area.get("name") or area.get("id") if area else None
        fault = alarm.get("specificProblem") or alarm.get("alarmDetails")
        return cls(area=_clean(name), fault=_clean(fault, MAX_FAULT_CHARS))

    def where(self) -> str:
        return f" in {self.area}" if self.area else " in your area"

    def chat_text(self) -> str:
        fault = f" ({_lower_first(self.fault)})" if self.fault else ""
        return (
            f"Your service is back: the fault{self.where()}{fault} has been fixed. If something still isn't "
            "working, restart your router or phone, and tell me here if that doesn't help."
        )

    def sms_text(self) -> str:
        return (
            f"Your service is back: the fault{self.where()} has been fixed. If anything still isn't working, "
            "restart your router or phone, or chat to us again."
        )

    def email_subject(self) -> str:
        return "Your service is back"

    def email_text(self) -> str:
        return f"Hello,\n\n{self.chat_text()}\n\nYou asked us to tell you when this fault was fixed.\n"


class Message(Protocol):
    """One notification in each channel's form."""

    def chat_text(self) -> str: ...

    def sms_text(self) -> str: ...

    def email_subject(self) -> str: ...

    def email_text(self) -> str: ...


PROBLEMS = {
    "broadband_down": "the broadband problem",
    "broadband_slow": "the slow broadband",
    "mobile_no_service": "the mobile signal problem",
}


@dataclass(frozen=True)
class InvestigationEnded:
    problem: str
    area: str | None

    @classmethod
    def from_incident(cls, incident: Incident | None) -> InvestigationEnded:
        """The text for a suspected incident that ended; ``None`` (expired from Redis) gives a general one."""
        if incident is None:
            return cls(problem="the problem", area=None)
        return cls(problem=PROBLEMS.get(incident.symptom, "the problem"), area=_clean(incident.area))

    def where(self) -> str:
        return f" in {self.area}" if self.area else ""

    def chat_text(self) -> str:
        return (
            f"Our network team has finished investigating {self.problem} customers near you{self.where()} "
            "reported. If your service still isn't working, reply here and we'll get you to a person."
        )

    def sms_text(self) -> str:
        return (
            f"Our network team has finished investigating {self.problem} customers near you reported. If your "
            "service still isn't working, chat to us again and we'll get you to a person."
        )

    def email_subject(self) -> str:
        return "We've finished investigating the problem near you"

    def email_text(self) -> str:
        return f"Hello,\n\n{self.chat_text()}\n\nYou asked us to tell you when our investigation ended.\n"


@dataclass(frozen=True)
class BillInvestigationEnded:
    """A bill line that rose on many accounts is a billing run's, not the network's, and has no "near you": the
    customer hears the charge was looked into and is invited back if their bill still looks wrong."""

    def chat_text(self) -> str:
        return (
            "Our team has finished looking into the charge customers reported on their bills. If your bill still "
            "looks wrong, reply here and we'll get you to a person."
        )

    def sms_text(self) -> str:
        return (
            "Our team has finished looking into the charge customers reported on their bills. If your bill still "
            "looks wrong, chat to us again and we'll get you to a person."
        )

    def email_subject(self) -> str:
        return "We've finished looking into the charge on your bill"

    def email_text(self) -> str:
        return f"Hello,\n\n{self.chat_text()}\n\nYou asked us to tell you when we had looked into it.\n"


def investigation_ended(incident: Incident | None) -> Message:
    """What the subscribers of a suspected incident that ended hear: a bill line's its own text."""
    if incident is not None and incident.symptom == "bill_increase":
        return BillInvestigationEnded()
    return InvestigationEnded.from_incident(incident)


def _clean(value: object, limit: int = 80) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(_CONTROL.sub("", value).split()).rstrip(".")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text or None


def _lower_first(text: str) -> str:
    """ "Mains power failure" reads as "mains power failure" mid-sentence; "BT Openreach" keeps its capitals."""
    first = text.split(" ", 1)[0]
    return text if first.isupper() or len(first) < 2 else text[0].lower() + text[1:]
