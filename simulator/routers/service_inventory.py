"""TMF638 Service Inventory: a customer's services with state, place, technology and network node."""

from __future__ import annotations

from fastapi import APIRouter

from simulator.apis import SERVICE_INVENTORY, base_path
from simulator.identifiers import CUSTOMER_ID, SERVICE_ID
from simulator.query import Filter, Listing, attributes
from simulator.routers.common import read_routes

FIELDS = attributes(
    "id href category description endDate hasStarted isBundle isServiceEnabled isStateful name serviceDate"
    " serviceType startDate startMode feature note place relatedEntity relatedParty serviceCharacteristic"
    " serviceOrderItem serviceRelationship serviceSpecification state supportingResource supportingService"
    " @baseType @schemaLocation @type"
)
STATES = frozenset({"feasibilityChecked", "designed", "reserved", "inactive", "active", "terminated"})
KINDS = frozenset({"broadband", "mobile", "tv"})
LISTING = Listing(
    resource="service",
    id_pattern=SERVICE_ID,
    fields=FIELDS,
    filters={
        "id": Filter(SERVICE_ID, identifier=True),
        "relatedParty.id": Filter(CUSTOMER_ID, identifier=True),
        "state": Filter(choices=STATES),
        "category": Filter(choices=KINDS),
        "serviceType": Filter(choices=KINDS),
    },
)

router = APIRouter(prefix=base_path(SERVICE_INVENTORY), tags=["TMF638 Service Inventory"])
read_routes(router, LISTING)
