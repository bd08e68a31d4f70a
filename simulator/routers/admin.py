"""Admin endpoints for tests and demos: fault injection, silent faults, request counters, data reset, scenarios.

Not part of any TMF API and not counted in the request counters. Silent faults (``simulator.silent``) break
the network or the bills without raising an alarm, for issue 21's sensor to find:

* ``PUT /admin/silent-faults/{node}`` with ``{"kind": "line" | "registration", "fault_location": "network"}``
  (``fault_location`` may also be ``accessLine`` for line tests): every line test (exchange, cabinet, fibre
  head-end) or registration check (cell) of a service on that node fails there, and no alarm is raised.
* ``PUT /admin/silent-faults/bill:{area}`` with ``{"kind": "bill", "line": "Network access fee", "amount":
  4.99, "charge": "oneTime" | "recurring"}``: the latest bill of every account in the area gains that line.
* ``GET /admin/silent-faults`` lists them (with the services or accounts affected), ``DELETE
  /admin/silent-faults/{id}`` clears one (404 if not set), ``DELETE /admin/silent-faults`` all, and
  ``POST /admin/reset`` too. An unknown node or area is a 404, a body that does not fit a 400, both with a
  TMF error body.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import Response

from simulator import silent
from simulator.apis import API_NAMES
from simulator.errors import not_found
from simulator.faults import FaultBoard, FaultSpec
from simulator.routers.common import json_body, store_of
from simulator.scenarios import SCENARIOS

router = APIRouter(prefix="/admin", tags=["admin"])


def _board(request: Request) -> FaultBoard:
    return cast(FaultBoard, request.app.state.faults)


def _check_api(api: str) -> None:
    if api not in API_NAMES:
        raise not_found("API", api[:60])


@router.get("/faults")
async def list_faults(request: Request) -> dict[str, Any]:
    return {api: spec.model_dump() for api, spec in _board(request).faults.items()}


@router.put("/faults/{api}")
async def set_fault(api: str, request: Request) -> dict[str, Any]:
    _check_api(api)
    spec, _ = await json_body(request, FaultSpec)
    _board(request).set(api, spec)
    return spec.model_dump()


@router.delete("/faults/{api}", status_code=204)
async def clear_fault(api: str, request: Request) -> Response:
    _check_api(api)
    _board(request).clear(api)
    return Response(status_code=204)


@router.delete("/faults", status_code=204)
async def clear_faults(request: Request) -> Response:
    _board(request).clear()
    return Response(status_code=204)


@router.get("/silent-faults")
async def list_silent_faults(request: Request) -> list[dict[str, Any]]:
    return [fault.body() for _, fault in sorted(store_of(request).silent.faults.items())]


@router.put("/silent-faults/{fault_id}")
async def set_silent_fault(fault_id: str, request: Request) -> dict[str, Any]:
    silent.check_target(fault_id)
    body, _ = await json_body(request, silent.SilentFaultBody)
    return silent.set_fault(store_of(request), fault_id, body.root).body()


@router.delete("/silent-faults/{fault_id}", status_code=204)
async def clear_silent_fault(fault_id: str, request: Request) -> Response:
    silent.check_target(fault_id)
    if not silent.clear_fault(store_of(request), fault_id):
        raise not_found("silent fault", fault_id)
    return Response(status_code=204)


@router.delete("/silent-faults", status_code=204)
async def clear_silent_faults(request: Request) -> Response:
    silent.clear_all(store_of(request))
    return Response(status_code=204)


@router.get("/requests")
async def request_counts(request: Request) -> dict[str, dict[str, int]]:
    return _board(request).counts()


@router.delete("/requests", status_code=204)
async def clear_request_counts(request: Request) -> Response:
    _board(request).requests.clear()
    return Response(status_code=204)


@router.post("/reset", status_code=204)
async def reset(request: Request) -> Response:
    """Regenerate the seeded data (same seed, same anchor) and clear faults, silent faults and counters."""
    request.app.state.reset()
    return Response(status_code=204)


@router.get("/scenarios")
async def scenarios() -> list[dict[str, Any]]:
    return [asdict(s) for s in SCENARIOS]
