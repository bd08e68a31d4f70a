"""What a customer is told when the alarm they subscribed to clears: plain English, no codes or ids.

The place is the alarm's area as TMF642 names it (``place[].name`` with role ``affectedArea``, e.g. "Glasgow
G1"); the fault is its ``specificProblem`` sentence, which NOC staff write for people. Codes such as
``probableCause`` are never shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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
