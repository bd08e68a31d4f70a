"""A client's mistakes get 4xx TMF error bodies, never a 500; no filter lists other customers' data."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.simulator import RunningSimulator

CUSTOMER = "/customerManagement/v4/customer"
SERVICE = "/serviceInventory/v4/service"
TICKET = "/troubleTicket/v4/troubleTicket"
SERVICE_TEST = "/serviceTestManagement/v4/serviceTest"
COLLECTIONS = [
    CUSTOMER, "/accountManagement/v4/billingAccount", SERVICE, "/alarmManagement/v4/alarm", SERVICE_TEST,
    "/customerBillManagement/v4/customerBill", "/customerBillManagement/v4/appliedCustomerBillingRate",
    "/paymentManagement/v4/payment", "/productOrderingManagement/v4/productOrder", TICKET,
]  # fmt: skip
CUSTOMER_DATA = [c for c in COLLECTIONS if "alarm" not in c]
TICKET_BODY = {
    "description": "No broadband",
    "severity": "Minor",
    "ticketType": "incident",
    "relatedParty": [{"id": "CUST-000004", "@referredType": "Customer"}],
}


@pytest.fixture(scope="module")
def http(simulator: RunningSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=simulator.root_url, timeout=10) as client:
        yield client


def assert_tmf_error(response: httpx.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert {"code", "reason", "message", "status"} <= set(body)
    assert body["status"] == str(status)
    if code:
        assert body["code"] == code


@pytest.mark.parametrize(
    "path",
    [f"{CUSTOMER}/42", f"{CUSTOMER}/cust-000001", f"{CUSTOMER}/CUST-0000011", f"{SERVICE}/SVC-1",
     "/alarmManagement/v4/alarm/ALM-1", f"{TICKET}/TT-12345", "/productOrderingManagement/v4/productOrder/ORD-12ab56",
     f"{CUSTOMER}/{'A' * 5000}", f"{CUSTOMER}/%00"],
)  # fmt: skip
def test_malformed_ids_are_400(http: httpx.Client, path: str) -> None:
    assert_tmf_error(http.get(path), 400, "INVALID_ID")


def test_well_formed_unknown_ids_are_404(http: httpx.Client) -> None:
    assert_tmf_error(http.get(f"{CUSTOMER}/CUST-999999"), 404, "NOT_FOUND")
    assert_tmf_error(http.get(f"{TICKET}/TT-999999"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "query",
    [{"name": "Aisha Khan"}, {"contactMedium.characteristic.postCode": "G1 1XQ"}, {"postcode": "G1 1XQ"},
     {"id": "CUST-000001", "limit": "0"}, {"id": "CUST-000001", "limit": "1000"}, {"id": "CUST-000001", "offset": "-1"},
     {"id": "CUST-000001", "offset": "\u0661"}, {"id": "CUST-000001", "fields": "password"},
     {"id": "CUST-000001", "sort": "name"}, {"id": "CUST-000001", "status": "sleeping"},
     {"contactMedium.characteristic.phoneNumber": "not a number"}, {"account.id": "AC123"}, {"id": ""}],
)  # fmt: skip
def test_bad_customer_queries_are_400(http: httpx.Client, query: dict[str, str]) -> None:
    assert_tmf_error(http.get(CUSTOMER, params=query), 400)


@pytest.mark.parametrize("path", CUSTOMER_DATA)
def test_customer_data_cannot_be_listed_without_an_identifier(http: httpx.Client, path: str) -> None:
    assert_tmf_error(http.get(path), 400, "IDENTIFIER_REQUIRED")
    assert_tmf_error(http.get(path, params={"limit": "100", "offset": "0"}), 400, "IDENTIFIER_REQUIRED")


def test_identifier_filters_take_one_value_and_once(http: httpx.Client) -> None:
    assert_tmf_error(http.get(CUSTOMER, params={"id": "CUST-000001,CUST-000002"}), 400)
    assert_tmf_error(http.get(f"{CUSTOMER}?id=CUST-000001&id=CUST-000002"), 400)
    assert_tmf_error(http.get(SERVICE, params={"relatedParty.id": "CUST-000001,CUST-000002"}), 400)


def test_a_list_with_an_identifier_returns_only_that_customers_data(http: httpx.Client) -> None:
    services = http.get(SERVICE, params={"relatedParty.id": "CUST-000025"}).json()
    assert len(services) == 3
    assert {p["id"] for s in services for p in s["relatedParty"]} == {"CUST-000025"}
    found = http.get(CUSTOMER, params={"contactMedium.characteristic.phoneNumber": "07700 900999"})
    assert found.status_code == 200
    assert len(found.json()) <= 1


@pytest.mark.parametrize(
    ("content", "headers", "status"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 400),
        (b"[1, 2]", {"Content-Type": "application/json"}, 400),
        (b'{"name": "x"}', {"Content-Type": "application/json"}, 400),
        (b'{"name": 5, "relatedService": {"id": "SVC-000002-1"}, "testSpecification": {"id": "TS-BB-LINE"}}',
         {"Content-Type": "application/json"}, 400),
        (b'{"name": "x", "relatedService": {"id": "SVC-000002-1"}, "testSpecification": {"id": "TS-BB-LINE"},'
         b' "verdict": "pass"}', {"Content-Type": "application/json"}, 400),
        (b'{"name": "x", "relatedService": {"id": "SVC-999999-1"}, "testSpecification": {"id": "TS-BB-LINE"}}',
         {"Content-Type": "application/json"}, 400),
        (b'{"name": "x", "relatedService": {"id": "SVC-000002-1"}, "testSpecification": {"id": "TS-MOB-REG"}}',
         {"Content-Type": "application/json"}, 400),
        (b'{"name": "x", "relatedService": {"id": "SVC-000002-1"}, "testSpecification": {"id": "TS-BB-LINE"}}',
         {"Content-Type": "text/plain"}, 415),
        (b'{"name": "' + b"x" * 70_000 + b'"}', {"Content-Type": "application/json"}, 413),
    ],
)  # fmt: skip
def test_bad_service_test_bodies(http: httpx.Client, content: bytes, headers: dict[str, str], status: int) -> None:
    assert_tmf_error(http.post(SERVICE_TEST, content=content, headers=headers), status)


@pytest.mark.parametrize(
    "change",
    [{"severity": "Apocalyptic"}, {"ticketType": None}, {"relatedParty": []},
     {"relatedParty": [{"id": "CUST-999999", "@referredType": "Customer"}]},
     {"relatedEntity": [{"id": "SVC-000002-1", "role": "affectedService", "@referredType": "Service"}]},
     {"id": "TT-000001"}, {"creationDate": "2020-01-01T00:00:00Z"}, {"description": ""}, {"note": [{"author": "x"}]},
     {"channel": {"id": "web", "referred_type": "Channel"}}],
)  # fmt: skip
def test_bad_ticket_bodies(http: httpx.Client, change: dict[str, object]) -> None:
    body = {k: v for k, v in {**TICKET_BODY, **change}.items() if v is not None}
    assert_tmf_error(http.post(TICKET, json=body), 400)


def test_patching_a_closed_ticket_is_a_conflict(http: httpx.Client) -> None:
    ticket = http.post(TICKET, json=TICKET_BODY).json()
    merge = {"Content-Type": "application/merge-patch+json"}
    assert http.patch(f"{TICKET}/{ticket['id']}", json={"status": "closed"}, headers=merge).status_code == 200
    assert_tmf_error(http.patch(f"{TICKET}/{ticket['id']}", json={"status": "inProgress"}, headers=merge), 409)
    assert_tmf_error(http.patch(f"{TICKET}/{ticket['id']}", json={"description": None}, headers=merge), 400)


def test_unknown_paths_and_methods_answer_tmf_errors(http: httpx.Client) -> None:
    assert_tmf_error(http.get("/customerManagement/v4/individual"), 404)
    assert_tmf_error(http.delete(f"{CUSTOMER}/CUST-000001"), 405)
    assert_tmf_error(http.post(CUSTOMER, json={"name": "x"}), 405)


id_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
query_value = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(COLLECTIONS),
    ident=id_text,
    params=st.dictionaries(st.sampled_from(["id", "relatedParty.id", "fields", "limit", "offset", "sort", "state",
                                            "place.id", "x"]), query_value, max_size=3),
)  # fmt: skip
def test_fuzzed_reads_never_fail_on_the_server(
    http: httpx.Client, path: str, ident: str, params: dict[str, str]
) -> None:
    for response in (http.get(path, params=params), http.get(f"{path}/{quote(ident, safe='')}")):
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert response.json()["status"] == str(response.status_code)
