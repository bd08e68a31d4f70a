"""How a case is scored before anyone reads it: sentiment per turn, priority reasons, opening hours."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.handoff.building import prioritise, transcript
from bot.handoff.case import Priority, case_from_request
from bot.handoff.presence import hours_text, open_now
from bot.handoff.sentiment import score, vulnerability
from core.contracts.handoff import HandoffRequest
from core.settings import Settings


def history(*texts: str) -> list[dict[str, object]]:
    return [{"kind": "customer", "text": t, "ts": 1_700_000_000_000 + i, "seq": i + 1} for i, t in enumerate(texts)]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("thanks, that's great", 0.3, 1.0),
        ("my internet is down", -0.1, 0.1),  # a report, not a feeling
        ("I'm not happy", -1.0, -0.2),  # negation flips "happy"
        ("this is absolutely useless!!", -1.0, -0.6),
        ("I AM SO ANGRY WITH THIS", -1.0, -0.6),  # shouting weighs
        ("😡😡", -1.0, -0.6),
    ],
)
def test_sentiment_reads_the_customers_words(text: str, low: float, high: float) -> None:
    assert low <= score(text) <= high


def test_vulnerability_is_found_in_plain_words() -> None:
    assert vulnerability("my mum relies on a medical alarm on this line") == "medical alarm"
    assert vulnerability("my router is blinking") is None


def case_for(*texts: str, **request: object) -> object:
    base = {"queue": "technical", "reason": "customer_request", "summary": "s"}
    return case_from_request("conv", HandoffRequest.model_validate({**base, **request}), transcript(history(*texts)))


def test_the_case_lists_the_customers_services_and_the_one_diagnosed() -> None:
    identity = {"customer_id": "CUST-000025", "method": "account number + postcode",
                "services": ["SVC-000025-1 broadband, active, Fibre 500", "SVC-000025-2 mobile, active"]}  # fmt: skip
    listed = case_for("hi", identity=identity, findings={"service": "SVC-000025-2"})
    assert listed.services == identity["services"]  # type: ignore[attr-defined]
    unlisted = case_for("hi", identity={**identity, "services": []}, findings={"service": "SVC-000025-2"})
    assert unlisted.services == ["SVC-000025-2"]  # type: ignore[attr-defined]


def test_a_calm_first_contact_is_normal() -> None:
    case = prioritise(case_for("my internet is down", "AC10000003"), [], -0.35)  # type: ignore[arg-type]
    assert case.priority is Priority.normal and case.priority_reasons == []


def test_each_reason_raises_the_priority_and_is_named() -> None:
    upset = prioritise(case_for("this is ridiculous!!", "absolutely useless"), [], -0.35)  # type: ignore[arg-type]
    assert upset.priority is Priority.high and upset.priority_reasons == ["negative_sentiment"]
    again = prioritise(
        case_for("this is ridiculous!!", "useless", reason="ticket_past_sla", priority_reasons=["SLA breach"]),  # type: ignore[arg-type]
        ["CASE-000000000001"],
        -0.35,
    )
    assert again.priority is Priority.urgent
    assert again.priority_reasons == ["sla_breach", "repeat_contact", "negative_sentiment"]
    assert again.contact_history == ["CASE-000000000001"]
    care = prioritise(case_for("I'm disabled and can't get to the shop"), [], -0.35)  # type: ignore[arg-type]
    assert care.priority is Priority.urgent and care.vulnerable and care.priority_reasons == ["vulnerability"]


def test_opening_hours_in_their_time_zone_including_past_midnight() -> None:
    office = Settings(handoff_opening_hours="09:00-17:00", handoff_timezone="Europe/London",
                      handoff_open_days=["mon", "tue", "wed", "thu", "fri"])  # fmt: skip
    monday_summer = datetime(2026, 7, 6, 8, 30, tzinfo=UTC)  # 09:30 in London (BST)
    assert open_now(office, monday_summer)
    assert not open_now(office, datetime(2026, 7, 6, 16, 30, tzinfo=UTC))  # 17:30 in London
    assert not open_now(office, datetime(2026, 7, 4, 10, 0, tzinfo=UTC))  # a Saturday
    assert hours_text(office) == "Mon, Tue, Wed, Thu, Fri, 09:00 to 17:00 (Europe/London time)"
    night = Settings(handoff_opening_hours="22:00-06:00", handoff_timezone="UTC", handoff_open_days=["mon"])
    assert open_now(night, datetime(2026, 11, 23, 23, 0, tzinfo=UTC))  # Monday night
    assert open_now(night, datetime(2026, 11, 24, 3, 0, tzinfo=UTC))  # ...into Tuesday morning
    assert not open_now(night, datetime(2026, 11, 23, 3, 0, tzinfo=UTC))  # Sunday night: closed
