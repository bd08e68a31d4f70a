"""Each documented test customer leads the client to what docs/oss-simulator.md says the bot should find."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from core.oss import OssClient
from core.oss.models import Service
from simulator.scenarios import SCENARIOS, Scenario

Check = Callable[[OssClient, Scenario], Awaitable[None]]
CHECKS: dict[str, Check] = {}
FALLOUT_STEPS = {
    "order_held_credit_check": ("held", "creditCheck"),
    "order_held_number_port": ("held", "numberPort"),
    "order_held_provisioning": ("held", "provisioning"),
    "order_held_appointment": ("held", "appointment"),
    "order_held_shipping": ("held", "shipping"),
    "order_failed": ("failed", "creditCheck"),
    "activation_stuck": ("inProgress", "provisioning"),
}
BILL_REASONS = {
    "bill_roaming": "roaming",
    "bill_one_off": "oneOffCharge",
    "bill_price_rise": "priceChange",
    "bill_duplicate": "duplicateCharge",
    "bill_prorated": "planChange",
}
LINE_FAULTS = {
    "access_line_fault": ("fail", "accessLine"),
    "router_fault": ("fail", "customerPremisesEquipment"),
    "home_wiring": ("fail", "homeWiring"),
    "slow_line": ("degraded", "accessLine"),
    "healthy_line": ("pass", "none"),
}
MOBILE_FAULTS = {"sim_unprovisioned": "sim", "mobile_barred": "account"}


def check(*keys: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        for key in keys:
            CHECKS[key] = function
        return function

    return register


async def _service(client: OssClient, scenario: Scenario, kind: str) -> Service:
    customer = await client.find_customer(scenario.mobile)
    assert customer.id == scenario.customer_id and customer.postcode_matches(scenario.postcode)
    services = await client.list_services(customer.id)
    assert sorted(s.kind for s in services) == sorted(scenario.services)
    return next(s for s in services if s.kind == kind)


@check("outage_area", "mobile_outage")
async def _outage(client: OssClient, scenario: Scenario) -> None:
    service = await _service(client, scenario, scenario.services[0])
    alarms = await client.alarms_affecting(service)
    assert alarms and alarms[0].severity == "critical"
    assert alarms[0].estimated_restoration and alarms[0].estimated_restoration > datetime.now(UTC)
    if scenario.key == "mobile_outage":
        assert alarms[0].nodes == ("CELL-B1-01",)
    else:
        assert alarms[0].areas == ("G1",) and alarms[0].nodes == ()
    test = await client.run_service_test(service)
    assert (test.result, test.fault_location) == ("fail", "network")


@check(*LINE_FAULTS)
async def _line(client: OssClient, scenario: Scenario) -> None:
    service = await _service(client, scenario, "broadband")
    assert await client.alarms_affecting(service) == []
    test = await client.run_service_test(service)
    assert (test.result, test.fault_location) == LINE_FAULTS[scenario.key]
    sync = test.measure("downstreamSyncMbps")
    assert sync is not None and isinstance(sync.value, float)
    assert service.min_guaranteed_mbps and service.contracted_down_mbps
    if scenario.key == "slow_line":
        assert sync.violated and sync.value < service.min_guaranteed_mbps
    if scenario.key == "healthy_line":
        assert sync.value >= 0.9 * service.contracted_down_mbps


@check(*MOBILE_FAULTS)
async def _mobile(client: OssClient, scenario: Scenario) -> None:
    service = await _service(client, scenario, "mobile")
    assert not service.active
    test = await client.run_service_test(service)
    assert (test.result, test.fault_location) == ("fail", MOBILE_FAULTS[scenario.key])
    if scenario.key == "mobile_barred":
        assert service.barring == "nonPayment"
        payments = await client.list_payments(scenario.account_id)
        assert [p.failed for p in payments] == [True, True, False]
        assert (await client.get_billing_account(scenario.account_id)).payment_status == "arrears"
    else:
        assert service.sim_status == "notProvisioned"


@check(*BILL_REASONS)
async def _bill(client: OssClient, scenario: Scenario) -> None:
    comparison = await client.compare_latest_bills(scenario.account_id)
    assert comparison.difference > 0
    assert comparison.main_reason is not None
    assert comparison.main_reason.kind == BILL_REASONS[scenario.key]
    assert sum(c.amount for c in comparison.changes) == comparison.difference


@check("failed_direct_debit")
async def _direct_debit(client: OssClient, scenario: Scenario) -> None:
    payments = await client.list_payments(scenario.account_id)
    assert payments[0].failed and payments[0].reason == "insufficientFunds" and payments[0].method == "Direct Debit"
    assert (await client.get_billing_account(scenario.account_id)).payment_status == "overdue"
    bills = await client.list_bills(scenario.account_id)
    assert bills[0].state == "sent" and bills[0].remaining == bills[0].amount_due


@check(*FALLOUT_STEPS)
async def _order(client: OssClient, scenario: Scenario) -> None:
    assert scenario.order_id
    order = await client.get_order(scenario.order_id)
    assert (order.state, order.fallout_step) == FALLOUT_STEPS[scenario.key]
    now = datetime.now(UTC)
    assert order.fallout_reason and order.fallout_since and order.fallout_since < now
    assert order.overdue(now) == (scenario.key == "activation_stuck")
    assert order.id in [o.id for o in await client.list_orders(scenario.customer_id)]


@check("ticket_within_sla", "ticket_past_sla")
async def _ticket(client: OssClient, scenario: Scenario) -> None:
    assert scenario.ticket_id
    ticket = await client.get_ticket(scenario.ticket_id)
    assert ticket.open and ticket.customer_id == scenario.customer_id and ticket.notes
    assert ticket.past_sla(datetime.now(UTC)) == (scenario.key == "ticket_past_sla")


@check("multi_service")
async def _healthy(client: OssClient, scenario: Scenario) -> None:
    for kind in ("broadband", "mobile"):
        service = await _service(client, scenario, kind)
        assert service.active and await client.alarms_affecting(service) == []
        assert (await client.run_service_test(service)).passed
    comparison = await client.compare_latest_bills(scenario.account_id)
    assert {c.kind for c in comparison.changes} <= {"usage"}
    assert not any(p.failed for p in await client.list_payments(scenario.account_id))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.key)
async def test_documented_customer(client: OssClient, scenario: Scenario) -> None:
    await CHECKS[scenario.key](client, scenario)
