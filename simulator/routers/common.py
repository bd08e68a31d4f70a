"""Routes every TMF resource shares: list with filters and read by id, plus reading a JSON request body."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from simulator.errors import TmfError, bad_request
from simulator.query import Listing, read_many, read_one
from simulator.seed.tmf import iso
from simulator.store import Store

MAX_BODY_BYTES = 64 * 1024
JSON_MEDIA = ("application/json", "application/merge-patch+json")


def store_of(request: Request) -> Store:
    return cast(Store, request.app.state.store)


def read_routes(router: APIRouter, listing: Listing) -> None:
    """``GET /<resource>`` (filtered list) and ``GET /<resource>/{id}`` for ``listing``."""

    async def list_resources(request: Request) -> Response:
        return read_many(listing, store_of(request)[listing.resource], request.query_params)

    async def read_resource(resource_id: str, request: Request) -> Response:
        return read_one(listing, store_of(request)[listing.resource], resource_id, request.query_params)

    router.add_api_route(f"/{listing.resource}", list_resources, methods=["GET"], name=f"list_{listing.resource}")
    router.add_api_route(
        f"/{listing.resource}/{{resource_id}}", read_resource, methods=["GET"], name=f"retrieve_{listing.resource}"
    )


async def json_body[Model: BaseModel](
    request: Request, model: type[Model], *, patch: bool = False
) -> tuple[Model, dict[str, Any]]:
    """The body parsed and validated against ``model``; 4xx TMF errors for anything else."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    allowed = JSON_MEDIA if patch else JSON_MEDIA[:1]
    if media not in allowed:
        raise TmfError(415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type", f"send {' or '.join(allowed)}")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise TmfError(413, "BODY_TOO_LARGE", "Request body too large", f"at most {MAX_BODY_BYTES} bytes")
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("INVALID_BODY", "the body is not valid JSON") from None
    if not isinstance(raw, dict):
        raise bad_request("INVALID_BODY", "the body must be a JSON object")
    try:
        return model.model_validate(raw), raw
    except ValidationError as exc:
        problems = "; ".join(": ".join(filter(None, (".".join(map(str, e["loc"])), e["msg"]))) for e in exc.errors())
        raise bad_request("INVALID_BODY", problems[:500]) from None


def jsonable(value: Any) -> Any:
    """A dumped body as JSON: RFC 3339 datetimes in UTC (naive ones taken as UTC), lists and objects walked."""
    if isinstance(value, datetime):
        return iso(value if value.tzinfo else value.replace(tzinfo=UTC))
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value
