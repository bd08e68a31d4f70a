"""TMF629 Customer: find a customer by id, phone number or billing account; never by name or postcode."""

from __future__ import annotations

from fastapi import APIRouter

from simulator.apis import CUSTOMER, base_path
from simulator.identifiers import ACCOUNT_ID, CUSTOMER_ID, normalize_phone
from simulator.query import Filter, Listing, attributes
from simulator.routers.common import read_routes

FIELDS = attributes(
    "id href name status statusReason account agreement characteristic contactMedium creditProfile engagedParty"
    " paymentMethod relatedParty validFor @baseType @schemaLocation @type"
)
LISTING = Listing(
    resource="customer",
    id_pattern=CUSTOMER_ID,
    fields=FIELDS,
    filters={
        "id": Filter(CUSTOMER_ID, identifier=True),
        "contactMedium.characteristic.phoneNumber": Filter(identifier=True, normalize=normalize_phone),
        "account.id": Filter(ACCOUNT_ID, identifier=True),
        "status": Filter(choices=frozenset({"initialized", "validated", "approved", "closed"})),
    },
)

router = APIRouter(prefix=base_path(CUSTOMER), tags=["TMF629 Customer"])
read_routes(router, LISTING)
