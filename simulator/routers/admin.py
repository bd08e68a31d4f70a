"""Admin endpoints for tests and demos: fault injection, request counters, data reset, scenario list.

Not part of any TMF API and not counted in the request counters.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import Response

from simulator.apis import API_NAMES
from simulator.errors import not_found
from simulator.faults import FaultBoard, FaultSpec
from simulator.routers.common import json_body
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


@router.get("/requests")
async def request_counts(request: Request) -> dict[str, dict[str, int]]:
    return _board(request).counts()


@router.delete("/requests", status_code=204)
async def clear_request_counts(request: Request) -> Response:
    _board(request).requests.clear()
    return Response(status_code=204)


@router.post("/reset", status_code=204)
async def reset(request: Request) -> Response:
    """Regenerate the seeded data (same seed, same anchor) and clear faults and counters."""
    request.app.state.reset()
    return Response(status_code=204)


@router.get("/scenarios")
async def scenarios() -> list[dict[str, Any]]:
    return [asdict(s) for s in SCENARIOS]
