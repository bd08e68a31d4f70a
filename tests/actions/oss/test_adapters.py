"""The adapter turns any JSON into a result or ``Malformed``-family errors, never anything else."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.oss import adapters
from core.oss.transport import PARSE_ERRORS

PARSERS = [
    adapters.customer, adapters.billing_account, adapters.service, adapters.alarm, adapters.service_test,
    adapters.bill, adapters.bill_item, adapters.payment, adapters.product_order, adapters.trouble_ticket,
]  # fmt: skip
KEYS = [
    "id", "name", "state", "status", "contactMedium", "characteristic", "serviceCharacteristic", "place", "note",
    "comment", "amountDue", "taxIncludedAmount", "relatedParty", "testMeasure", "paymentItem", "productOrderItem",
    "billingPeriod", "value", "postCode", "phoneNumber", "alarmRaisedTime", "relatedEntity", "accountBalance",
]  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS), children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(payload=json_values, parser=st.sampled_from(PARSERS))
def test_arbitrary_json_is_a_result_or_a_parse_error(payload: Any, parser: Any) -> None:
    for shape in (adapters.one, adapters.many):
        with contextlib.suppress(*PARSE_ERRORS):
            shape(payload, parser)


def test_alarm_integer_id_and_restoration_comment() -> None:
    alarm = adapters.alarm({
        "id": 4101, "state": "raised", "serviceAffecting": True, "perceivedSeverity": "critical",
        "place": [{"id": "G1", "role": "affectedArea"}, {"id": "CAB-G1-01", "role": "affectedNode"}],
        "comment": [{"comment": "Estimated restoration time: 2025-06-01T18:30:00.5Z"}],
    })  # fmt: skip
    assert alarm.id == "4101"
    assert alarm.areas == ("G1",) and alarm.nodes == ("CAB-G1-01",)
    assert alarm.estimated_restoration == datetime(2025, 6, 1, 18, 30, 0, 500000, tzinfo=UTC)


def test_order_fallout_note_is_the_latest_matching_one() -> None:
    order = adapters.product_order({
        "id": "ORD-1", "state": "held",
        "note": [{"date": "2025-06-02T00:00:00Z", "text": "Held at shipping: no stock"},
                 {"date": "2025-06-01T00:00:00Z", "text": "Held at creditCheck: referred"},
                 {"date": "2025-06-03T00:00:00Z", "text": "Customer called"}],
    })  # fmt: skip
    assert (order.fallout_step, order.fallout_reason) == ("shipping", "no stock")
    assert order.fallout_since == datetime(2025, 6, 2, tzinfo=UTC)


def test_payment_reason_falls_back_to_the_description() -> None:
    failed = adapters.payment({"id": "P1", "status": "failed", "description": "Returned unpaid"})
    done = adapters.payment({"id": "P2", "status": "done", "description": "Collected", "statusReason": "x"})
    assert (failed.reason, done.reason) == ("Returned unpaid", None)


@pytest.mark.parametrize("amount", [{"value": "NaN"}, {"value": "Infinity"}, {"value": True}, {"value": [1]}, 5])
def test_a_bill_without_a_usable_amount_is_malformed(amount: object) -> None:
    with pytest.raises(adapters.Malformed):
        adapters.bill({"id": "B1", "amountDue": amount})
