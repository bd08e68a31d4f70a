"""TMF622 product orders: a completed connection order for established customers, a pending one otherwise.

TMF622 v4 has no error structure: a fall-out shows as state ``held`` or ``failed`` (or an ``inProgress``
order past its expected completion date) with the step and reason in a note, written
``<Held|Failed|In progress> at <step>: <reason>`` and dated when the order stopped there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from simulator.apis import ACCOUNT, CUSTOMER, PRODUCT_ORDER, SERVICE_INVENTORY
from simulator.scenarios import SCENARIOS
from simulator.seed.catalog import PLANS_BY_ID
from simulator.seed.model import Person
from simulator.seed.tmf import Hrefs, Json, iso, party_ref

FALLOUT: dict[str, tuple[str, str, str]] = {
    "order_held_credit_check": ("held", "creditCheck", "referred for manual credit review"),
    "order_held_number_port": ("held", "numberPort", "losing provider rejected the PAC code (mismatch)"),
    "order_held_provisioning": ("held", "provisioning", "no spare port at the street cabinet"),
    "order_held_appointment": ("held", "appointment", "no engineer appointment booked yet"),
    "order_held_shipping": ("held", "shipping", "router out of stock at the warehouse"),
    "order_failed": ("failed", "creditCheck", "credit check declined"),
    "activation_stuck": ("inProgress", "provisioning", "activation request sent to the network, no response"),
}
STEP_LABELS = {"held": "Held", "failed": "Failed", "inProgress": "In progress"}
ADD_ON = PLANS_BY_ID["PO-TV-ESS"]
ADD_ON_SHARE = 0.1
"""Share of customers with nothing wrong who ordered an add-on yesterday (an order still ``acknowledged``)."""


def orders_for(person: Person, anchor: datetime, hrefs: Hrefs) -> list[Json]:
    orders: list[Json] = []
    if person.archetype in FALLOUT:
        orders.append(_pending_order(person, anchor, hrefs))
    else:
        orders.append(_order(person, f"ORD-{200000 + person.index}", "completed", person.since, hrefs))
        orders[-1]["completionDate"] = iso(person.since + timedelta(days=7))
    if person.archetype == "healthy" and person.rng.random() < ADD_ON_SHARE:
        orders.append(_add_on_order(person, anchor, hrefs))
    return orders


def _add_on_order(person: Person, anchor: datetime, hrefs: Hrefs) -> Json:
    """An add-on ordered in the last day, not yet started: state ``acknowledged``."""
    ordered = anchor - timedelta(hours=person.rng.randint(1, 20))
    order = _order(person, f"ORD-{400000 + person.index}", "acknowledged", ordered, hrefs)
    order["description"] = f"Add-on: {ADD_ON.name}"
    order["productOrderItem"] = [
        {
            "id": "1",
            "action": "add",
            "quantity": 1,
            "state": "acknowledged",
            "productOffering": {"id": ADD_ON.id, "name": ADD_ON.name, "@referredType": "ProductOffering"},
        }
    ]
    return order


def _pending_order(person: Person, anchor: datetime, hrefs: Hrefs) -> Json:
    state, step, reason = FALLOUT[person.archetype]
    number = 100000 + person.index if person.index <= len(SCENARIOS) else 300000 + person.index
    order = _order(person, f"ORD-{number}", state, person.since, hrefs)
    stopped = anchor - timedelta(days=2, hours=person.rng.randint(0, 20))
    if person.archetype == "activation_stuck":
        stopped = person.since + timedelta(days=1)
        order["expectedCompletionDate"] = iso(person.since + timedelta(days=3))
    order["note"] = [
        {"id": "1", "author": "orderManagement", "date": iso(person.since), "text": "Order received"},
        {
            "id": "2",
            "author": "orderManagement",
            "date": iso(stopped),
            "text": f"{STEP_LABELS[state]} at {step}: {reason}",
        },
    ]
    return order


def _order(person: Person, order_id: str, state: str, ordered: datetime, hrefs: Hrefs) -> Json:
    items = [
        {
            "id": str(n),
            "action": "add",
            "quantity": 1,
            "state": state,
            "productOffering": {"id": line.plan.id, "name": line.plan.name, "@referredType": "ProductOffering"},
            "product": {
                "name": line.plan.name,
                "isBundle": False,
                "realizingService": [{"id": line.id, "href": hrefs(SERVICE_INVENTORY, "service", line.id)}],
                "place": [
                    {
                        "id": f"ADDR-{person.index:06d}",
                        "name": person.address,
                        "role": "installationAddress",
                        "@referredType": "GeographicAddress",
                    }
                ],
            },
        }
        for n, line in enumerate(person.lines, start=1)
    ]
    return {
        "id": order_id,
        "href": hrefs(PRODUCT_ORDER, "productOrder", order_id),
        "category": "consumer",
        "description": "New connection: " + ", ".join(line.plan.name for line in person.lines),
        "orderDate": iso(ordered),
        "requestedStartDate": iso(ordered + timedelta(days=1)),
        "expectedCompletionDate": iso(ordered + timedelta(days=10)),
        "priority": "4",
        "state": state,
        "billingAccount": {
            "id": person.account_id,
            "href": hrefs(ACCOUNT, "billingAccount", person.account_id),
            "@referredType": "BillingAccount",
        },
        "relatedParty": [
            party_ref(person.customer_id, person.name, "customer", hrefs(CUSTOMER, "customer", person.customer_id))
        ],
        "productOrderItem": items,
        "@type": "ProductOrder",
    }
