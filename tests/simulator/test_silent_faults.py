"""Silent faults (issue 21): a node or an area's bills break through the admin API, and no alarm says so.

Seen as the bot sees it: TMF653 tests over HTTP, and the product's own client comparing the latest bills.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest

from core.oss import OssClient, OssConfig
from simulator.app import SimulatorConfig, create_app
from tests.fixtures.simulator import RunningSimulator
from tests.notify.conftest import serve
from tests.simulator.swagger import problems

SERVICES = "/serviceInventory/v4/service"
TESTS = "/serviceTestManagement/v4/serviceTest"
ALARMS = "/alarmManagement/v4/alarm"
SPEC = {"broadband": "TS-BB-LINE", "mobile": "TS-MOB-REG"}
OUTAGE_AREAS = {"G1", "LS1", "B1"}
"""Areas with a seeded outage; the tests break nodes elsewhere so the only cause is the silent fault."""
FEE = "Network access fee"


@dataclass(frozen=True)
class Held:
    customer: str
    service: str
    kind: str
    node: str
    area: str


@pytest.fixture(scope="module")
def inventory(simulator: RunningSimulator) -> list[Held]:
    """Every service of the 240 customers, read through TMF638 as the actions read it."""
    held: list[Held] = []
    with httpx.Client(base_url=simulator.root_url, timeout=10) as http:
        for index in range(1, 241):
            customer = f"CUST-{index:06d}"
            for service in http.get(SERVICES, params={"relatedParty.id": customer}).json():
                chars = {c["name"]: c["value"] for c in service["serviceCharacteristic"]}
                held.append(Held(customer, service["id"], service["category"], chars["networkNode"], chars["area"]))
    return held


@pytest.fixture
def http(simulator: RunningSimulator) -> Iterator[httpx.Client]:
    """A client of the simulator's root; no silent fault before or after (clearing one puts the data back)."""
    with httpx.Client(base_url=simulator.url, timeout=10) as client:
        client.delete("/admin/silent-faults").raise_for_status()
        yield client
        client.delete("/admin/silent-faults").raise_for_status()


def busiest_node(inventory: list[Held], kind: str) -> str:
    counts: dict[str, int] = defaultdict(int)
    for held in inventory:
        if held.kind == kind and held.area not in OUTAGE_AREAS:
            counts[held.node] += 1
    return max(sorted(counts), key=lambda node: counts[node])


def run_test(http: httpx.Client, held: Held) -> dict[str, Any]:
    body = {"name": "silent", "relatedService": {"id": held.service}, "testSpecification": {"id": SPEC[held.kind]}}
    response = http.post(f"/tmf-api{TESTS}", json=body)
    assert response.status_code == 201, response.text
    assert not problems("serviceTestManagement", "ServiceTest", response.json())
    chars = {c["name"]: c["value"] for c in response.json()["characteristic"]}
    return {"result": chars["testResult"], "location": chars["faultLocation"], "summary": chars["summary"]}


def alarms_near(http: httpx.Client, area: str) -> list[dict[str, Any]]:
    return list(http.get(f"/tmf-api{ALARMS}", params={"place.id": area}).json())


def test_a_line_fault_fails_every_line_test_behind_the_node_and_raises_no_alarm(
    http: httpx.Client, inventory: list[Held]
) -> None:
    node = busiest_node(inventory, "broadband")
    behind = [h for h in inventory if h.node == node and h.kind == "broadband"]
    area = behind[0].area
    neighbours = [h for h in inventory if h.area == area and h.node != node and h.kind == "broadband"]
    before = {h.service: run_test(http, h) for h in behind + neighbours}
    alarms_before = alarms_near(http, area)
    assert len(behind) >= 3 and any(r["result"] == "pass" for r in before.values())

    set_ = http.put(f"/admin/silent-faults/{node}", json={"kind": "line"})
    assert set_.status_code == 200, set_.text
    assert set_.json() == {**set_.json(), "id": node, "kind": "line", "fault_location": "network", "area": area,
                           "services": len(behind)}  # fmt: skip
    listed = set_.json()["customers"]
    assert {c["service"] for c in listed} == {h.service for h in behind}, "the customers to chat as, behind the node"
    assert all(c["account_id"].startswith("AC") and c["postcode"].startswith(area) for c in listed), listed

    for held in behind:
        found = run_test(http, held)
        assert (found["result"], found["location"]) == ("fail", "network"), held
        assert node in found["summary"] and "alarm" not in found["summary"].lower()
    assert {h.service: run_test(http, h) for h in neighbours} == {h.service: before[h.service] for h in neighbours}
    assert alarms_near(http, area) == alarms_before, "a silent fault raises no alarm"

    assert http.delete(f"/admin/silent-faults/{node}").status_code == 204
    assert {h.service: run_test(http, h) for h in behind} == {h.service: before[h.service] for h in behind}


def test_a_line_fault_can_show_on_the_access_line(http: httpx.Client, inventory: list[Held]) -> None:
    node = busiest_node(inventory, "broadband")
    body = {"kind": "line", "fault_location": "accessLine"}
    assert http.put(f"/admin/silent-faults/{node}", json=body).status_code == 200
    results = [run_test(http, h) for h in inventory if h.node == node and h.kind == "broadband"]
    assert {(r["result"], r["location"]) for r in results} == {("fail", "accessLine")}


def test_a_registration_fault_fails_registration_checks_on_the_cell_only(
    http: httpx.Client, inventory: list[Held]
) -> None:
    cell = busiest_node(inventory, "mobile")
    on_cell = [h for h in inventory if h.node == cell]
    customers = {h.customer for h in on_cell}
    their_broadband = [h for h in inventory if h.customer in customers and h.kind == "broadband"]
    broadband_before = [run_test(http, h) for h in their_broadband]

    set_ = http.put(f"/admin/silent-faults/{cell}", json={"kind": "registration"})
    assert set_.status_code == 200 and set_.json()["services"] == len(on_cell)
    for held in on_cell:
        found = run_test(http, held)
        assert (found["result"], found["location"]) == ("fail", "network")
        assert found["summary"] == f"Not registered: no response from serving cell {cell}"
    assert [run_test(http, h) for h in their_broadband] == broadband_before


@pytest.fixture(scope="module")
def accounts(simulator: RunningSimulator, inventory: list[Held]) -> dict[str, list[str]]:
    """Area -> the billing accounts of the customers living there."""
    found: dict[str, list[str]] = defaultdict(list)
    with httpx.Client(base_url=simulator.root_url, timeout=10) as http:
        for customer, area in sorted({(h.customer, h.area) for h in inventory}):
            record = http.get(f"/customerManagement/v4/customer/{customer}").json()
            found[area].append(record["account"][0]["id"])
    return found


@pytest.mark.parametrize(
    ("charge", "kind", "description"),
    [("oneTime", "oneOffCharge", FEE), ("recurring", "newService", f"New charges for {FEE}")],
)
async def test_a_bill_fault_makes_every_latest_bill_in_the_area_go_up_by_the_line(
    simulator: RunningSimulator,
    http: httpx.Client,
    accounts: dict[str, list[str]],
    charge: str,
    kind: str,
    description: str,
) -> None:
    async with (
        OssClient(OssConfig(base_url=simulator.root_url)) as client,
        httpx.AsyncClient(base_url=simulator.url) as admin,
    ):
        billed = [a for a in accounts["M1"] if await client.list_bills(a)]
        compared = [a for a in billed if len(await client.list_bills(a, limit=2)) == 2]
        elsewhere = [a for a in accounts["NE1"] if len(await client.list_bills(a, limit=2)) == 2]
        assert len(compared) >= 5 and elsewhere
        before = {a: await client.compare_latest_bills(a) for a in compared + elsewhere}
        payments_before = {a: await client.list_payments(a) for a in compared}
        body = {"kind": "bill", "line": FEE, "amount": 4.99, "charge": charge}
        set_ = await admin.put("/admin/silent-faults/bill:M1", json=body)
        assert set_.status_code == 200, set_.text
        assert set_.json() | {"since": None} == {"id": "bill:M1", "kind": "bill", "area": "M1", "line": FEE,
                                                 "amount": 4.99, "charge": charge, "accounts": len(billed),
                                                 "since": None}  # fmt: skip

        for account in compared:
            after = await client.compare_latest_bills(account)
            assert after.difference == before[account].difference + Decimal("4.99"), account
            assert after.current.amount_due.amount == before[account].current.amount_due.amount + Decimal("4.99")
            added = [c for c in after.changes if c.description == description]
            assert [(c.kind, c.amount) for c in added] == [(kind, Decimal("4.99"))]
            paid = [p for p in await client.list_payments(account) if p.bill_id == after.current.id]
            assert [p.amount.amount for p in paid if p.amount] == [after.current.amount_due.amount]
        for account in elsewhere:
            assert await client.compare_latest_bills(account) == before[account]

        assert (await admin.delete("/admin/silent-faults/bill:M1")).status_code == 204
        assert {a: await client.compare_latest_bills(a) for a in compared} == {a: before[a] for a in compared}
        assert {a: await client.list_payments(a) for a in compared} == payments_before


def test_bills_with_the_line_still_conform_to_tmf678(http: httpx.Client, accounts: dict[str, list[str]]) -> None:
    body = {"kind": "bill", "line": FEE, "amount": 12.5}
    assert http.put("/admin/silent-faults/bill:M1", json=body).status_code == 200
    account = accounts["M1"][0]
    bills = http.get("/tmf-api/customerBillManagement/v4/customerBill", params={"billingAccount.id": account}).json()
    assert not problems("customerBillManagement", "CustomerBill", bills, array=True)
    items = http.get(
        "/tmf-api/customerBillManagement/v4/appliedCustomerBillingRate", params={"bill.id": bills[0]["id"]}
    ).json()
    assert not problems("customerBillManagement", "AppliedCustomerBillingRate", items, array=True)
    assert [i["taxIncludedAmount"]["value"] for i in items if i["name"] == FEE] == [12.5]


def test_faults_are_listed_replaced_and_cleared_one_by_one_all_at_once_or_by_a_reset(
    simulator: RunningSimulator, http: httpx.Client
) -> None:
    assert http.get("/admin/silent-faults").json() == []
    http.put("/admin/silent-faults/CAB-M1-01", json={"kind": "line"})
    http.put("/admin/silent-faults/CELL-N1-02", json={"kind": "registration"})
    http.put("/admin/silent-faults/bill:S1", json={"kind": "bill", "line": FEE, "amount": 1})
    assert [f["id"] for f in http.get("/admin/silent-faults").json()] == ["CAB-M1-01", "CELL-N1-02", "bill:S1"]

    replaced = http.put("/admin/silent-faults/CAB-M1-01", json={"kind": "line", "fault_location": "accessLine"})
    assert replaced.json()["fault_location"] == "accessLine"
    assert len(http.get("/admin/silent-faults").json()) == 3

    assert http.delete("/admin/silent-faults/CELL-N1-02").status_code == 204
    assert [f["id"] for f in http.get("/admin/silent-faults").json()] == ["CAB-M1-01", "bill:S1"]
    assert http.delete("/admin/silent-faults").status_code == 204
    assert http.get("/admin/silent-faults").json() == []

    http.put("/admin/silent-faults/CAB-M1-01", json={"kind": "line"})
    simulator.reset()
    assert http.get("/admin/silent-faults").json() == []


def assert_tmf_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["status"], body["code"]) == (str(status), code)
    assert not problems("alarmManagement", "Error", body)


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("CAB-ZZ9-01", {"kind": "line"}, 404, "NOT_FOUND"),
        ("CAB-M1-07", {"kind": "line"}, 404, "NOT_FOUND"),
        ("bill:ZZ9", {"kind": "bill", "line": FEE, "amount": 1}, 404, "NOT_FOUND"),
        ("M1", {"kind": "line"}, 404, "NOT_FOUND"),
        ("CELL-M1-01", {"kind": "line"}, 400, "INCOMPATIBLE_FAULT"),
        ("CAB-M1-01", {"kind": "registration"}, 400, "INCOMPATIBLE_FAULT"),
        ("CELL-M1-01", {"kind": "registration", "fault_location": "accessLine"}, 400, "INCOMPATIBLE_FAULT"),
        ("CAB-M1-01", {"kind": "bill", "line": FEE, "amount": 1}, 400, "INCOMPATIBLE_FAULT"),
        ("bill:M1", {"kind": "line"}, 400, "INCOMPATIBLE_FAULT"),
        ("CAB-M1-01", {}, 400, "INVALID_BODY"),
        ("CAB-M1-01", {"kind": "fire"}, 400, "INVALID_BODY"),
        ("CAB-M1-01", {"kind": "line", "fault_location": "moon"}, 400, "INVALID_BODY"),
        ("CAB-M1-01", {"kind": "line", "colour": "red"}, 400, "INVALID_BODY"),
        ("bill:M1", {"kind": "bill", "line": FEE}, 400, "INVALID_BODY"),
        ("bill:M1", {"kind": "bill", "line": "", "amount": 1}, 400, "INVALID_BODY"),
        ("bill:M1", {"kind": "bill", "line": FEE, "amount": 0}, 400, "INVALID_BODY"),
        ("bill:M1", {"kind": "bill", "line": FEE, "amount": 1.234}, 400, "INVALID_BODY"),
        ("bill:M1", {"kind": "bill", "line": FEE, "amount": 5000}, 400, "INVALID_BODY"),
        ("bill:M1", {"kind": "bill", "line": FEE, "amount": 1, "charge": "weekly"}, 400, "INVALID_BODY"),
    ],
)
def test_bad_silent_faults_are_refused_and_change_nothing(
    http: httpx.Client, path: str, body: dict[str, Any], status: int, code: str
) -> None:
    assert_tmf_error(http.put(f"/admin/silent-faults/{path}", json=body), status, code)
    assert http.get("/admin/silent-faults").json() == []


def test_bodies_that_are_not_a_json_object_are_refused(http: httpx.Client) -> None:
    url = "/admin/silent-faults/CAB-M1-01"
    assert_tmf_error(http.put(url, content=b'{"kind": "li', headers={"Content-Type": "application/json"}), 400,
                     "INVALID_BODY")  # fmt: skip
    assert_tmf_error(http.put(url, json=["line"]), 400, "INVALID_BODY")
    assert_tmf_error(http.put(url, content=b"kind=line", headers={"Content-Type": "text/plain"}), 415,
                     "UNSUPPORTED_MEDIA_TYPE")  # fmt: skip


def test_clearing_a_fault_that_is_not_set_is_404(http: httpx.Client) -> None:
    assert_tmf_error(http.delete("/admin/silent-faults/CAB-M1-01"), 404, "NOT_FOUND")
    assert_tmf_error(http.delete("/admin/silent-faults/CAB-ZZ9-01"), 404, "NOT_FOUND")


def test_silent_faults_need_the_admin_token_when_one_is_set() -> None:
    served = serve(create_app(SimulatorConfig(admin_token="admin-s3cret", token="tmf-s3cret")))
    try:
        url = f"{served.url}/admin/silent-faults/CAB-M1-01"
        refused = httpx.put(url, json={"kind": "line"}, headers={"Authorization": "Bearer tmf-s3cret"})
        assert_tmf_error(refused, 401, "UNAUTHORIZED")
        admin = {"Authorization": "Bearer admin-s3cret"}
        assert httpx.get(f"{served.url}/admin/silent-faults", headers=admin).json() == []
        assert httpx.put(url, json={"kind": "line"}, headers=admin).status_code == 200
    finally:
        served.stop()
