"""Issue 21 on bills: the same charge on many accounts is one investigation, but never at the cost of the
customer's own refund or their right to say the bill is wrong; and bill lines group across accounts although
each carries its own usage and amounts."""

from __future__ import annotations

import re

import pytest

import actions.lookups
from actions.conversation import ActionHandleComplaint
from actions.notifications import TEXT_ME, ActionNotifyWhenRestored
from actions.offers import ActionHandleNo
from actions.sensor import BILL_LINE_CHARS, bill_line_key
from core.contracts.sensor import Diagnosis, grouping_keys
from simulator.scenarios import BY_KEY
from tests.actions.conversation_state import handoff, responses, run, texts, tracker, variables
from tests.actions.diagnose import diagnose, verified_slots
from tests.actions.incidents import INCIDENT_ID, open_incident, stream, told
from tests.fixtures.redis_server import RedisServer
from tests.fixtures.simulator import RunningSimulator

PER_CUSTOMER = re.compile(r"[\d£$€]|\bGB\b")  # usage and amounts: what differs from one account to the next


async def test_a_duplicate_charge_in_an_incident_is_still_disputed_then_investigated_without_a_queue(
    oss: RunningSimulator, redis_server: RedisServer
) -> None:
    first, _ = await diagnose("bill_duplicate", "bill_too_high")
    line = first["findings"]["bill_line"]
    [(_, seen)] = stream(redis_server)
    assert (seen.symptom, seen.finding, seen.bill_line, seen.node) == ("bill_increase", "duplicateCharge", line, None)

    incident = open_incident(redis_server, "bill_line", line, "bill_increase", minutes_ago=0.2)
    oss.reset_requests()
    slots, dispatcher = await diagnose("bill_duplicate", "bill_too_high")
    assert responses(dispatcher) == ["utter_bill_higher", "utter_duplicate_charge_disputed",
                                     "utter_incident_investigating_bill"]  # fmt: skip
    findings = slots["findings"]
    ticket = findings["ticket"]
    assert oss.requests("troubleTicket").get("POST") == 1  # the refund is tracked, incident or not
    recorded = await actions.lookups.oss_client().get_ticket(ticket)
    assert recorded.ticket_type == "complaint" and "Duplicate charge on bill" in (recorded.description or "")
    said = texts(dispatcher)
    assert f"I've opened billing dispute {ticket} for" in said
    assert variables(dispatcher, "utter_incident_investigating_bill") == {"period": "minute"}
    assert "Other customers have reported the same charge on their bills in the last minute, and our teams are " \
           "looking into it." in said  # fmt: skip
    assert "may be a mistake" not in said  # the line before has just said it is our mistake
    assert handoff(dispatcher) is None  # no place in the billing queue for a charge many customers reported
    assert dispatcher.messages[-1]["buttons"] == TEXT_ME and slots["awaiting"] == "outage_notification"
    assert (findings["incident"], findings["alarm"]) == (INCIDENT_ID, incident.notify_key)
    assert told(redis_server) == 1


async def test_another_change_in_an_incident_is_investigated_and_can_still_be_disputed(
    oss: RunningSimulator, redis_server: RedisServer
) -> None:
    first, alone = await diagnose("bill_roaming", "bill_too_high")
    assert responses(alone)[-1] == "utter_bill_offer_dispute"  # one customer alone: the usual offer
    line = first["findings"]["bill_line"]
    assert line and not PER_CUSTOMER.search(line), line
    assert stream(redis_server)[-1][1].bill_line == line

    open_incident(redis_server, "bill_line", line, "bill_increase", minutes_ago=7)
    oss.reset_requests()
    slots, dispatcher = await diagnose("bill_roaming", "bill_too_high")
    assert responses(dispatcher) == ["utter_bill_higher", "utter_incident_investigating_bill_disputable"]
    said = texts(dispatcher)
    assert "reported the same charge on their bills in the last 7 minutes" in said
    assert "If something on your bill isn't right, say so and I'll pass it to our billing team" in said
    assert handoff(dispatcher) is None and "POST" not in oss.requests("troubleTicket")
    assert slots["awaiting"] == "outage_notification" and told(redis_server) == 1

    scenario = BY_KEY["bill_roaming"]
    state = verified_slots(scenario, "bill_too_high", **slots)
    for intent, words, action in [("deny", "no, that roaming charge is wrong", ActionNotifyWhenRestored()),
                                  ("deny", "thats wrong", ActionNotifyWhenRestored()),
                                  ("complain", "this is not right!!", ActionHandleComplaint())]:  # fmt: skip
        answer = tracker(slots=state, intents=["bill_too_high", "inform", intent], text=words)
        _, reply = await run(action, answer)
        case = handoff(reply)
        assert case is not None, words
        assert (case["reason"], case["queue"]) == ("billing_dispute", "billing") and "billing team" in texts(reply)
        assert words in case["summary"] and case["findings"]["incident"] == INCIDENT_ID

    # "No thanks" to the text is only that; saying the bill is wrong afterwards still reaches the billing team.
    _, declined = await run(ActionNotifyWhenRestored(), tracker(slots=state, intents=["deny"], text="/deny"))
    assert responses(declined) == ["utter_no_notification"] and handoff(declined) is None
    later = tracker(slots={**state, "awaiting": None}, intents=["deny"], text="no the roaming charge is wrong")
    _, reply = await run(ActionHandleNo(), later)
    assert (handoff(reply) or {}).get("reason") == "billing_dispute"


@pytest.mark.parametrize(("key", "kind"), [("bill_price_rise", "priceChange"), ("bill_prorated", "planChange")])
async def test_a_change_the_bill_explains_counts_towards_no_incident(
    oss: RunningSimulator, redis_server: RedisServer, key: str, kind: str
) -> None:
    """A price rise or a plan change reaches every account it concerns at once, and the bill comparison already
    says why: many customers asking about it is not a billing fault."""
    first, _ = await diagnose(key, "bill_too_high")
    [(_, seen)] = stream(redis_server)
    assert seen.finding == kind and grouping_keys(seen) == []
    open_incident(redis_server, "bill_line", first["findings"]["bill_line"], "bill_increase")
    slots, dispatcher = await diagnose(key, "bill_too_high")
    assert responses(dispatcher) == ["utter_bill_higher", "utter_bill_offer_dispute"]
    assert "incident" not in slots["findings"] and told(redis_server) == 0


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("Roaming 3.2 GB at £12.00 per GB", "Roaming"),
        ("3.2 GB of data used in the United States at £12.00 per GB", "data used in the United States"),
        ("Calls to 0845 numbers: 120 mins at 7p per min", "Calls to numbers"),
        ("Engineer visit (£65.00)", "Engineer visit"),
        ("Roaming (EU) day pass x3 at €2.50/day", "Roaming (EU) day pass"),
        ("Broadband Fibre 500 charged twice for the same period", "Broadband Fibre charged twice for the same period"),
        ("New charges for   Sports Pack", "New charges for Sports Pack"),
        ("£5.00", None),
    ],
)
def test_a_bill_line_is_sent_without_usage_amounts_or_units(raw: str, line: str | None) -> None:
    assert bill_line_key(raw) == line


def test_the_same_charge_with_different_usage_groups_into_one_incident() -> None:
    def keys(description: str) -> list[tuple[str, str, str]]:
        diagnosis = Diagnosis(at=0, conversation="c", symptom="bill_increase", finding="roaming",
                              bill_line=bill_line_key(description))  # fmt: skip
        return list(grouping_keys(diagnosis))

    assert keys("Roaming 3.2 GB at £12.00 per GB") == keys("Roaming 1.1 GB at £12.00 per GB") != []
    assert keys("Roaming 3.2 GB at £12.00 per GB") != keys("Late payment fee £12.00")
    long = bill_line_key("Sports " + "and more " * 30)
    assert long is not None and len(long) <= BILL_LINE_CHARS and not long.endswith(" ")
