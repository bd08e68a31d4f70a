"""TMF666 Account: billing accounts, by account number or by the customer that owns them."""

from __future__ import annotations

from fastapi import APIRouter

from simulator.apis import ACCOUNT, base_path
from simulator.identifiers import ACCOUNT_ID, CUSTOMER_ID
from simulator.query import Filter, Listing, attributes
from simulator.routers.common import read_routes

FIELDS = attributes(
    "id href accountType description lastModified name paymentStatus state accountBalance accountRelationship"
    " billStructure contact creditLimit defaultPaymentMethod financialAccount paymentPlan relatedParty"
    " taxExemption @baseType @schemaLocation @type"
)
LISTING = Listing(
    resource="billingAccount",
    id_pattern=ACCOUNT_ID,
    fields=FIELDS,
    filters={
        "id": Filter(ACCOUNT_ID, identifier=True),
        "relatedParty.id": Filter(CUSTOMER_ID, identifier=True),
        "state": Filter(choices=frozenset({"active", "suspended", "closed"})),
        "paymentStatus": Filter(choices=frozenset({"paid", "due", "overdue", "arrears"})),
    },
)

router = APIRouter(prefix=base_path(ACCOUNT), tags=["TMF666 Account"])
read_routes(router, LISTING)
