"""TMF622 Product Ordering: a customer's orders; fall-out step and reason travel in ``note[]`` (v4)."""

from __future__ import annotations

from fastapi import APIRouter

from simulator.apis import PRODUCT_ORDER, base_path
from simulator.identifiers import ACCOUNT_ID, CUSTOMER_ID, ORDER_ID
from simulator.query import Filter, Listing, attributes
from simulator.routers.common import read_routes

FIELDS = attributes(
    "id href cancellationDate cancellationReason category completionDate description expectedCompletionDate"
    " externalId notificationContact orderDate priority requestedCompletionDate requestedStartDate agreement"
    " billingAccount channel note orderTotalPrice payment productOfferingQualification productOrderItem quote"
    " relatedParty state @baseType @schemaLocation @type"
)
STATES = frozenset(
    {
        "acknowledged",
        "rejected",
        "pending",
        "held",
        "inProgress",
        "cancelled",
        "completed",
        "failed",
        "partial",
        "assessingCancellation",
        "pendingCancellation",
    }
)
LISTING = Listing(
    resource="productOrder",
    id_pattern=ORDER_ID,
    fields=FIELDS,
    filters={
        "id": Filter(ORDER_ID, identifier=True),
        "relatedParty.id": Filter(CUSTOMER_ID, identifier=True),
        "billingAccount.id": Filter(ACCOUNT_ID, identifier=True),
        "state": Filter(choices=STATES),
    },
    sortable=frozenset({"orderDate", "expectedCompletionDate"}),
    default_sort="-orderDate",
)

router = APIRouter(prefix=base_path(PRODUCT_ORDER), tags=["TMF622 Product Ordering"])
read_routes(router, LISTING)
