"""The client against the real simulator: lookups by what people type, typed results, the journal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.oss import CallRecord, OssClient, OssNotFound, OssRejected, OssUnavailable
from core.oss.models import Customer, TicketDraft
from simulator.scenarios import BY_KEY
from tests.fixtures.ports import free_port
from tests.fixtures.simulator import RunningSimulator

ROUTER = BY_KEY["router_fault"]


@pytest.mark.parametrize(
    "ref", ["07700 900003", "07700900003", "+44 7700 900003", "+447700900003", "0044 7700 900003", "020 7946 0003",
            "AC10000003", "ac 1000 0003"],
)  # fmt: skip
async def test_find_customer_by_what_people_type(client: OssClient, ref: str) -> None:
    customer = await client.find_customer(ref)
    assert isinstance(customer, Customer)
    assert customer.id == ROUTER.customer_id
    assert customer.name == ROUTER.name
    assert customer.postcode == ROUTER.postcode
    assert customer.postcode_matches("bs15tr")
    assert not customer.postcode_matches("BS1 5TS")
    assert ROUTER.account_id in customer.account_ids


async def test_unknown_and_invalid_references(client: OssClient) -> None:
    journal: list[CallRecord] = []
    with pytest.raises(OssNotFound):
        await client.find_customer("07700 900998", journal=journal)
    with pytest.raises(OssRejected):
        await client.find_customer("my name is Bob", journal=journal)
    with pytest.raises(OssNotFound):
        await client.get_customer("CUST-999999", journal=journal)
    with pytest.raises(OssRejected) as rejected:
        await client.get_customer("not-an-id", journal=journal)
    assert rejected.value.code == "INVALID_ID"
    assert [r.outcome for r in journal] == ["not_found", "rejected", "not_found", "rejected"]
    assert [r.status for r in journal] == [200, None, 404, 400]


async def test_journal_records_each_call(client: OssClient) -> None:
    journal: list[CallRecord] = []
    await client.find_customer("AC10000001", journal=journal)
    await client.list_services("CUST-000001", journal=journal)
    assert [(r.api, r.operation, r.target, r.outcome, r.status) for r in journal] == [
        ("customerManagement", "find_customer", "AC10000001", "ok", 200),
        ("serviceInventory", "list_services", "CUST-000001", "ok", 200),
    ]
    record = journal[0].as_dict()
    assert set(record) == {"api", "operation", "target", "started_at", "latency_ms", "outcome", "status", "summary",
                           "attempts"}  # fmt: skip
    assert datetime.fromisoformat(str(record["started_at"]).replace("Z", "+00:00")) <= datetime.now(UTC)
    assert 0 < float(str(record["latency_ms"])) < 5000
    assert "CUST-000001" in journal[0].summary
    assert journal[1].summary == "1 service: broadband active"


async def test_services_carry_what_diagnosis_needs(client: OssClient) -> None:
    services = await client.list_services(BY_KEY["multi_service"].customer_id)
    assert sorted(s.kind for s in services) == ["broadband", "mobile", "tv"]
    broadband = next(s for s in services if s.kind == "broadband")
    assert broadband.active
    assert broadband.area == "N1"
    assert broadband.postcode == "N1 0QH"
    assert broadband.node and broadband.technology and broadband.plan
    assert broadband.contracted_down_mbps and broadband.min_guaranteed_mbps
    mobile = next(s for s in services if s.kind == "mobile")
    assert mobile.msisdn == "+447700900025"
    assert (mobile.sim_status, mobile.barring) == ("active", "none")


async def test_billing_account_and_payments(client: OssClient) -> None:
    dd = BY_KEY["failed_direct_debit"]
    account = await client.get_billing_account(dd.account_id)
    assert account.customer_id == dd.customer_id
    assert account.payment_status == "overdue"
    assert account.balance is not None and account.balance.amount > 0
    payments = await client.list_payments(dd.account_id)
    assert payments[0].failed and payments[0].reason == "insufficientFunds"
    assert not any(p.failed for p in payments[1:])
    assert payments[0].amount == (await client.list_bills(dd.account_id))[0].amount_due


async def test_bills_newest_first_with_line_items(client: OssClient) -> None:
    bills = await client.list_bills(BY_KEY["multi_service"].account_id)
    assert len(bills) == 3
    assert bills[0].bill_date and bills[1].bill_date and bills[0].bill_date > bills[1].bill_date
    items = await client.list_bill_items(bills[0].id)
    assert sum((i.amount.amount for i in items), Decimal(0)) == bills[0].amount_due.amount


async def test_tickets_create_read_update_list(client: OssClient, simulator: RunningSimulator) -> None:
    customer = BY_KEY["access_line_fault"]
    draft = TicketDraft(
        customer_id=customer.customer_id,
        description="No broadband since last night",
        severity="Major",
        service_id=f"SVC-{customer.index:06d}-1",
        note="Line test: access line",
    )
    created = await client.create_ticket(draft)
    assert created.id.startswith("TT-")
    assert (created.status, created.severity, created.customer_id) == ("acknowledged", "Major", customer.customer_id)
    assert created.service_ids == (draft.service_id,)
    assert created.expected_resolution and created.created_at
    assert 23 <= (created.expected_resolution - created.created_at).total_seconds() / 3600 <= 25
    assert [n.text for n in created.notes] == ["Line test: access line"]
    assert await client.get_ticket(created.id) == created
    assert created.id in [t.id for t in await client.list_tickets(customer.customer_id)]

    journal: list[CallRecord] = []
    old_notes = [{"text": n.text} for n in created.notes]
    changed = await client.update_ticket(
        created.id, {"status": "inProgress", "note": [*old_notes, {"text": "Engineer booked"}]}, journal
    )
    assert changed.status == "inProgress"
    assert [n.text for n in changed.notes] == ["Line test: access line", "Engineer booked"]
    assert await client.get_ticket(created.id) == changed
    assert journal[0].operation == "update_ticket" and journal[0].outcome == "ok"
    with pytest.raises(OssNotFound):
        await client.update_ticket("TT-999999", {"status": "inProgress"})
    simulator.reset()


async def test_one_api_can_live_elsewhere(make_client: Callable[..., OssClient], simulator: RunningSimulator) -> None:
    """Pointing an API at another base URL is configuration only: here, a dead port for alarms alone."""
    client = make_client(api_urls={"alarmManagement": f"http://127.0.0.1:{free_port()}/alarm/v4"}, retries=0)
    assert (await client.find_customer("AC10000001")).id == "CUST-000001"
    journal: list[CallRecord] = []
    with pytest.raises(OssUnavailable) as failed:
        await client.list_alarms(area="G1", journal=journal)
    assert failed.value.cause == "connect"
    assert journal[0].outcome == "unavailable" and journal[0].status is None
    elsewhere = make_client(api_urls={"alarmManagement": simulator.api_url("alarmManagement")})
    assert await elsewhere.list_alarms(area="G1")


@pytest.mark.parametrize("ident", ["CUST-000001?fields=name", "../alarmManagement/v4/alarm", "CUST-000001/x"])
async def test_ids_cannot_change_the_request(client: OssClient, simulator: RunningSimulator, ident: str) -> None:
    """The id is one percent-encoded path segment: no query, no other path, no other API."""
    simulator.reset_requests()
    with pytest.raises((OssRejected, OssNotFound)):
        await client.get_customer(ident)
    assert simulator.requests("customerManagement") == {"GET": 1}
    assert simulator.requests("alarmManagement") == {}
