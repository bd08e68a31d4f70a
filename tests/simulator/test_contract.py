"""Contract tests: what the simulator serves conforms to the TMF v4 swagger definitions, strictly."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from simulator.scenarios import SCENARIOS, Scenario
from tests.fixtures.simulator import RunningSimulator
from tests.simulator.swagger import problems

RANDOM_SAMPLE = [f"CUST-{i:06d}" for i in range(26, 241, 9)]


@pytest.fixture(scope="module")
def http(simulator: RunningSimulator) -> Iterator[httpx.Client]:
    simulator.reset()
    with httpx.Client(base_url=simulator.root_url, timeout=10) as client:
        yield client


def _get(http: httpx.Client, path: str, **params: str) -> httpx.Response:
    response = http.get(path, params=params)
    assert response.status_code == 200, response.text
    return response


def _list(http: httpx.Client, path: str, api: str, definition: str, **params: str) -> list[dict[str, object]]:
    response = _get(http, path, **params)
    body = response.json()
    assert response.headers["X-Result-Count"] == str(len(body))
    assert int(response.headers["X-Total-Count"]) >= len(body)
    found = problems(api, definition, body, array=True)
    assert not found, found[:5]
    return list(body)


def _one(http: httpx.Client, path: str, api: str, definition: str) -> dict[str, object]:
    body = _get(http, path).json()
    found = problems(api, definition, body)
    assert not found, found[:5]
    return dict(body)


def _customer_resources(http: httpx.Client, customer_id: str) -> None:
    customer = _one(http, f"/customerManagement/v4/customer/{customer_id}", "customerManagement", "Customer")
    account_id = str(customer["account"][0]["id"])  # type: ignore[index]
    _list(http, "/customerManagement/v4/customer", "customerManagement", "Customer", **{"account.id": account_id})
    _one(http, f"/accountManagement/v4/billingAccount/{account_id}", "accountManagement", "BillingAccount")
    _list(http, "/serviceInventory/v4/service", "serviceInventory", "Service", **{"relatedParty.id": customer_id})
    bills = _list(http, "/customerBillManagement/v4/customerBill", "customerBillManagement", "CustomerBill",
                  **{"billingAccount.id": account_id})  # fmt: skip
    for bill in bills:
        _list(http, "/customerBillManagement/v4/appliedCustomerBillingRate", "customerBillManagement",
              "AppliedCustomerBillingRate", **{"bill.id": str(bill["id"])})  # fmt: skip
    _list(http, "/paymentManagement/v4/payment", "paymentManagement", "Payment", **{"account.id": account_id})
    _list(http, "/productOrderingManagement/v4/productOrder", "productOrderingManagement", "ProductOrder",
          **{"relatedParty.id": customer_id})  # fmt: skip
    _list(http, "/troubleTicket/v4/troubleTicket", "troubleTicket", "TroubleTicket", **{"relatedParty.id": customer_id})


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.key)
def test_every_resource_of_each_documented_customer_conforms(http: httpx.Client, scenario: Scenario) -> None:
    _customer_resources(http, scenario.customer_id)
    if scenario.order_id:
        _one(http, f"/productOrderingManagement/v4/productOrder/{scenario.order_id}", "productOrderingManagement",
             "ProductOrder")  # fmt: skip
    if scenario.ticket_id:
        _one(http, f"/troubleTicket/v4/troubleTicket/{scenario.ticket_id}", "troubleTicket", "TroubleTicket")


def test_resources_of_a_sample_of_random_customers_conform(http: httpx.Client) -> None:
    for customer_id in RANDOM_SAMPLE:
        _customer_resources(http, customer_id)


def test_alarms_conform(http: httpx.Client) -> None:
    alarms = _list(http, "/alarmManagement/v4/alarm", "alarmManagement", "Alarm")
    assert len(alarms) >= 5
    for alarm in alarms:
        _one(http, f"/alarmManagement/v4/alarm/{alarm['id']}", "alarmManagement", "Alarm")


def test_service_tests_conform(http: httpx.Client) -> None:
    for scenario in SCENARIOS:
        services = _get(http, "/serviceInventory/v4/service", **{"relatedParty.id": scenario.customer_id}).json()
        for service in services:
            spec = {"broadband": "TS-BB-LINE", "mobile": "TS-MOB-REG"}.get(service["category"])
            if spec is None:
                continue
            body = {"name": "contract", "relatedService": {"id": service["id"]}, "testSpecification": {"id": spec}}
            created = http.post("/serviceTestManagement/v4/serviceTest", json=body)
            assert created.status_code == 201, created.text
            assert not problems("serviceTestManagement", "ServiceTest", created.json())
            _one(http, f"/serviceTestManagement/v4/serviceTest/{created.json()['id']}", "serviceTestManagement",
                 "ServiceTest")  # fmt: skip


def test_created_and_patched_tickets_conform(http: httpx.Client) -> None:
    body = {
        "description": "Broadband down since this morning",
        "severity": "Major",
        "ticketType": "incident",
        "relatedParty": [{"id": "CUST-000002", "role": "customer", "@referredType": "Customer"}],
        "relatedEntity": [{"id": "SVC-000002-1", "role": "affectedService", "@referredType": "Service"}],
        "note": [{"text": "Line test failed on the access line", "author": "triage-bot"}],
        "channel": {"id": "CH-CHAT", "name": "Web chat"},
    }
    created = http.post("/troubleTicket/v4/troubleTicket", json=body)
    assert created.status_code == 201, created.text
    assert not problems("troubleTicket", "TroubleTicket", created.json())
    patched = http.patch(
        f"/troubleTicket/v4/troubleTicket/{created.json()['id']}",
        json={"status": "resolved", "statusChangeReason": "Engineer fixed the line"},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    assert not problems("troubleTicket", "TroubleTicket", patched.json())


@pytest.mark.parametrize(
    ("api", "path"),
    [
        ("customerManagement", "/customerManagement/v4/customer/CUST-999999"),
        ("accountManagement", "/accountManagement/v4/billingAccount?relatedParty.id=bad"),
        ("serviceInventory", "/serviceInventory/v4/service"),
        ("alarmManagement", "/alarmManagement/v4/alarm/x"),
        ("serviceTestManagement", "/serviceTestManagement/v4/serviceTest/ST-999999"),
        ("customerBillManagement", "/customerBillManagement/v4/customerBill?state=settled"),
        ("paymentManagement", "/paymentManagement/v4/payment?colour=blue"),
        ("productOrderingManagement", "/productOrderingManagement/v4/productOrder/ORD-1"),
        ("troubleTicket", "/troubleTicket/v4/troubleTicket?limit=0&relatedParty.id=CUST-000001"),
    ],
)
def test_error_bodies_conform(http: httpx.Client, api: str, path: str) -> None:
    response = http.get(path)
    assert 400 <= response.status_code < 500
    body = response.json()
    assert not problems(api, "Error", body)
    assert body["status"] == str(response.status_code)


def test_every_order_and_ticket_conforms(http: httpx.Client) -> None:
    for index in range(1, 241):
        customer = {"relatedParty.id": f"CUST-{index:06d}"}
        _list(
            http, "/productOrderingManagement/v4/productOrder", "productOrderingManagement", "ProductOrder", **customer
        )
        _list(http, "/troubleTicket/v4/troubleTicket", "troubleTicket", "TroubleTicket", **customer)
