"""TMF676 Payment: payments of a billing account, failed ones with ``statusReason``.

TMF676 v4 has no field for why a payment failed; ``statusReason`` is this operator's extension (as the
spec allows through ``@type``), and ``description`` repeats it in words.
"""

from __future__ import annotations

from fastapi import APIRouter

from simulator.apis import PAYMENT, base_path
from simulator.identifiers import ACCOUNT_ID, PAYMENT_ID
from simulator.query import Filter, Listing, attributes
from simulator.routers.common import read_routes

FIELDS = attributes(
    "id href authorizationCode correlatorId description name paymentDate status statusDate account amount"
    " channel payer paymentItem paymentMethod taxAmount totalAmount statusReason @baseType @schemaLocation"
    " @type"
)
STATUSES = frozenset({"pendingAuthorization", "authorized", "captured", "failed", "canceled", "denied", "done"})
LISTING = Listing(
    resource="payment",
    id_pattern=PAYMENT_ID,
    fields=FIELDS,
    filters={
        "id": Filter(PAYMENT_ID, identifier=True),
        "account.id": Filter(ACCOUNT_ID, identifier=True),
        "status": Filter(choices=STATUSES),
    },
    sortable=frozenset({"paymentDate"}),
    default_sort="-paymentDate",
)

router = APIRouter(prefix=base_path(PAYMENT), tags=["TMF676 Payment"])
read_routes(router, LISTING)
