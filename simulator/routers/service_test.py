"""TMF653 Service Test: run a line test or a mobile registration check on a service and read its result.

Tests complete synchronously: the ``POST`` answers 201 with state ``completed`` and the result.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from simulator.apis import SERVICE_TEST, base_path
from simulator.bodies import ServiceTestCreate
from simulator.diagnostics import TEST_SPECS, service_test_json
from simulator.errors import JSON_TYPE, bad_request
from simulator.identifiers import SERVICE_ID, SERVICE_TEST_ID
from simulator.query import Filter, Listing, attributes
from simulator.routers.common import json_body, read_routes, store_of
from simulator.seed.tmf import party_ref

FIELDS = attributes(
    "id href description endDateTime mode name startDateTime state characteristic relatedParty relatedService"
    " testMeasure testSpecification validFor @baseType @schemaLocation @type"
)
LISTING = Listing(
    resource="serviceTest",
    id_pattern=SERVICE_TEST_ID,
    fields=FIELDS,
    filters={
        "id": Filter(SERVICE_TEST_ID, identifier=True),
        "relatedService.id": Filter(SERVICE_ID, identifier=True),
        "state": Filter(choices=frozenset({"acknowledged", "inProgress", "completed", "failed", "cancelled"})),
    },
    sortable=frozenset({"startDateTime"}),
    default_sort="-startDateTime",
)

router = APIRouter(prefix=base_path(SERVICE_TEST), tags=["TMF653 Service Test"])
read_routes(router, LISTING)


@router.post("/serviceTest", status_code=201, name="create_serviceTest")
async def create_service_test(request: Request) -> Response:
    body, _ = await json_body(request, ServiceTestCreate)
    store = store_of(request)
    service_id = body.relatedService.id
    if not SERVICE_ID.fullmatch(service_id) or service_id not in store.lines:
        raise bad_request("UNKNOWN_SERVICE", f"relatedService {service_id[:40]!r} does not exist")
    person, line = store.lines[service_id]
    spec = TEST_SPECS.get(body.testSpecification.id)
    if spec is None:
        raise bad_request("UNKNOWN_TEST_SPECIFICATION", f"known test specifications: {', '.join(TEST_SPECS)}")
    if spec[1] != line.kind:
        raise bad_request("INCOMPATIBLE_TEST", f"{body.testSpecification.id} does not run on a {line.kind} service")
    holder = party_ref(
        person.customer_id, person.name, "customer", store.hrefs("customerManagement", "customer", person.customer_id)
    )
    test = service_test_json(
        test_id=store.new_test_id(),
        name=body.name,
        spec_id=body.testSpecification.id,
        person=person,
        line=line,
        now=datetime.now(UTC),
        hrefs=store.hrefs,
        related_party=[holder],
        silent=store.silent.location_for(line),
    )
    store["serviceTest"].put(test)
    return Response(
        store["serviceTest"].body(test["id"]), status_code=201, media_type=JSON_TYPE, headers={"Location": test["href"]}
    )
