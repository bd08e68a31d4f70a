"""TMF630 list and read semantics: attribute filters, ``fields``, ``sort``, ``offset``/``limit``, count headers.

Every query parameter is checked: an unknown filter, a malformed value or a list call on customer data
without an identifier filter is a 400 with a TMF error body. Identifier filters take exactly one value, so
no query can enumerate other customers' data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi.responses import Response
from starlette.datastructures import QueryParams

from simulator.errors import JSON_TYPE, bad_request, not_found
from simulator.seed.tmf import Json
from simulator.store import Collection, values_at

MAX_LIMIT = 100
MAX_VALUE_CHARS = 200
RESERVED = frozenset({"fields", "offset", "limit", "sort"})
_DIGITS = re.compile(r"[0-9]{1,9}")
ALWAYS_RETURNED = ("id", "href", "@type")
"""TMF630: a ``fields`` selection still returns the id and href."""


def attributes(names: str) -> frozenset[str]:
    """The top-level attributes of a resource, as listed in its spec definition, space-separated."""
    return frozenset(names.split())


@dataclass(frozen=True)
class Filter:
    pattern: re.Pattern[str] | None = None
    choices: frozenset[str] | None = None
    identifier: bool = False
    """Narrows the result to one party's data; list calls on customer data need one of these."""
    normalize: Callable[[str], str | None] | None = None


@dataclass(frozen=True)
class Listing:
    resource: str
    id_pattern: re.Pattern[str]
    fields: frozenset[str]
    filters: Mapping[str, Filter]
    requires_identifier: bool = True
    sortable: frozenset[str] = frozenset()
    default_sort: str | None = None

    @property
    def name(self) -> str:
        return self.resource


def read_one(listing: Listing, collection: Collection, ident: str, params: QueryParams) -> Response:
    unknown = sorted(set(params.keys()) - {"fields"})
    if unknown:
        raise bad_request("INVALID_QUERY", f"unknown query parameter {', '.join(unknown)} (allowed: fields)")
    check_id(listing, ident)
    selection = _fields(listing, params)
    if selection is None:
        body = collection.body(ident)
        if body is None:
            raise not_found(listing.name, ident)
        return Response(body, media_type=JSON_TYPE)
    item = collection.get(ident)
    if item is None:
        raise not_found(listing.name, ident)
    return Response(json.dumps(_project(item, selection)).encode(), media_type=JSON_TYPE)


def check_id(listing: Listing, ident: str) -> None:
    if len(ident) > MAX_VALUE_CHARS or not listing.id_pattern.fullmatch(ident):
        raise bad_request("INVALID_ID", f"{ident[:40]!r} is not a valid {listing.name} id")


def read_many(listing: Listing, collection: Collection, params: QueryParams) -> Response:
    conditions = _conditions(listing, params)
    selection = _fields(listing, params)
    offset = _int_param(params, "offset", 0, 0, 1_000_000)
    limit = _int_param(params, "limit", MAX_LIMIT, 1, MAX_LIMIT)
    matches = _match(listing, collection, conditions)
    sort = params.get("sort") or listing.default_sort
    if sort:
        key = sort.lstrip("-")
        if key not in listing.sortable:
            allowed = ", ".join(sorted(listing.sortable)) or "none"
            raise bad_request("INVALID_QUERY", f"cannot sort by {key!r} (sortable: {allowed})")
        matches.sort(key=lambda item: str(item.get(key, "")), reverse=sort.startswith("-"))
    page = matches[offset : offset + limit]
    if selection is not None:
        page = [_project(item, selection) for item in page]
    headers = {"X-Total-Count": str(len(matches)), "X-Result-Count": str(len(page))}
    return Response(json.dumps(page).encode(), media_type=JSON_TYPE, headers=headers)


def _conditions(listing: Listing, params: QueryParams) -> dict[str, list[str]]:
    conditions: dict[str, list[str]] = {}
    for name in params:
        if len(params.getlist(name)) > 1:
            raise bad_request("INVALID_QUERY", f"{name[:60]!r} given more than once; list values as a,b")
        if name in RESERVED:
            continue
        spec = listing.filters.get(name)
        if spec is None:
            allowed = ", ".join(sorted(listing.filters))
            raise bad_request("INVALID_QUERY", f"unknown filter {name[:60]!r} on {listing.name} (allowed: {allowed})")
        conditions[name] = _values(name, params[name], spec)
    if listing.requires_identifier and not any(listing.filters[n].identifier for n in conditions):
        needed = ", ".join(sorted(n for n, f in listing.filters.items() if f.identifier))
        raise bad_request("IDENTIFIER_REQUIRED", f"listing {listing.name} needs one of: {needed}")
    return conditions


def _values(name: str, raw: str, spec: Filter) -> list[str]:
    if not raw or len(raw) > MAX_VALUE_CHARS:
        raise bad_request("INVALID_QUERY", f"filter {name} needs a value of at most {MAX_VALUE_CHARS} characters")
    values = [v.strip() for v in raw.split(",")] if not spec.identifier else [raw.strip()]
    checked: list[str] = []
    for value in values:
        normal = spec.normalize(value) if spec.normalize else value
        valid = normal is not None and (
            (spec.pattern is None or spec.pattern.fullmatch(normal))
            and (spec.choices is None or normal in spec.choices)
        )
        if not valid or normal is None:
            hint = f" (one of: {', '.join(sorted(spec.choices))})" if spec.choices else ""
            raise bad_request("INVALID_QUERY", f"{value[:40]!r} is not a valid value for {name}{hint}")
        checked.append(normal)
    return checked


def _match(listing: Listing, collection: Collection, conditions: dict[str, list[str]]) -> list[Json]:
    keys = [n for n in conditions if listing.filters[n].identifier]
    candidates = collection.lookup(keys[0], conditions[keys[0]][0]) if keys else collection.values()
    return [
        item
        for item in candidates
        if all(any(v in wanted for v in values_at(item, path)) for path, wanted in conditions.items())
    ]


def _fields(listing: Listing, params: QueryParams) -> set[str] | None:
    raw = params.get("fields")
    if raw is None:
        return None
    names = {f.strip().split(".", 1)[0] for f in raw.split(",") if f.strip()}
    unknown = sorted(names - listing.fields)
    if not names or unknown:
        raise bad_request("INVALID_QUERY", f"unknown field {', '.join(unknown)[:80] or '(empty)'} on {listing.name}")
    return names


def _project(item: Json, selection: set[str]) -> Json:
    return {k: v for k, v in item.items() if k in selection or k in ALWAYS_RETURNED}


def _int_param(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise bad_request("INVALID_QUERY", f"{name} must be an integer from {low} to {high}")
    return int(raw)
