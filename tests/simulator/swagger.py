"""Validators for the TMF v4 swagger ``definitions``, for contract tests.

Swagger 2.0 schemas are close to JSON Schema draft 4; ``$ref`` resolves inside the swagger document. Objects
are checked strictly: an attribute the definition does not declare is an error (it catches ``postcode`` for
``postCode``), except the extensions this operator documents in ``EXTENSIONS``. Formats ``date-time`` (RFC
3339) and ``uri`` are checked too.
"""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema
import pytest

from simulator.settings import PROJECT_ROOT

SPEC_FILES = {
    "customerManagement": "TMF629-Customer-v4.0.0.swagger.json",
    "accountManagement": "TMF666-Account-v4.0.0.swagger.json",
    "serviceInventory": "TMF638-ServiceInventory-v4.0.0.swagger.json",
    "alarmManagement": "TMF642-Alarm-v4.0.0.swagger.json",
    "serviceTestManagement": "TMF653_Service_Test_Management_API_v4.2.0_swagger.json",
    "customerBillManagement": "TMF678-CustomerBill-v4.0.0.swagger.json",
    "paymentManagement": "TMF676-Payment-v4.0.0.swagger.json",
    "productOrderingManagement": "TMF622-ProductOrder-v4.0.0.swagger.json",
    "troubleTicket": "TMF621-TroubleTicket-v4.0.0.swagger.json",
}
EXTENSIONS = {("paymentManagement", "Payment"): {"statusReason": {"type": "string"}}}
"""Attributes the simulator adds on purpose (documented in docs/oss-simulator.md)."""
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def spec_dir() -> Path:
    """``TMF_SPEC_DIR``, else the copy vendored in ``specs/tmf``; a missing spec is a failure, never a skip."""
    candidates = [Path(os.environ["TMF_SPEC_DIR"])] if "TMF_SPEC_DIR" in os.environ else []
    candidates += [PROJECT_ROOT / "specs" / "tmf"]
    for candidate in candidates:
        if (candidate / SPEC_FILES["customerManagement"]).is_file():
            return candidate
    pytest.fail(f"TMF swagger files not found in {', '.join(map(str, candidates))}; set TMF_SPEC_DIR")


@cache
def _document(api: str) -> dict[str, Any]:
    with open(spec_dir() / SPEC_FILES[api], encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    strict = copy.deepcopy(document)
    for name, definition in strict["definitions"].items():
        if definition.get("type", "object") == "object" and "properties" in definition:
            definition["properties"].update(EXTENSIONS.get((api, name), {}))
            definition.setdefault("additionalProperties", False)
    return strict


def _date_time(value: object) -> bool:
    if not isinstance(value, str) or not RFC3339.fullmatch(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00")[:19])
    return True


def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = urlparse(value)
    return bool(parsed.scheme and parsed.netloc)


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("date-time", raises=ValueError)(_date_time)
FORMATS.checks("uri")(_uri)


def validator(api: str, definition: str, *, array: bool = False) -> jsonschema.Draft4Validator:
    document = _document(api)
    ref: dict[str, Any] = {"$ref": f"#/definitions/{definition}"}
    schema = {"type": "array", "items": ref} if array else ref
    resolver = jsonschema.RefResolver(base_uri="", referrer=document)
    return jsonschema.Draft4Validator(schema, resolver=resolver, format_checker=FORMATS)


def problems(api: str, definition: str, instance: object, *, array: bool = False) -> list[str]:
    """Every way ``instance`` breaks the definition, as ``path: message`` lines (empty when it conforms)."""
    errors = validator(api, definition, array=array).iter_errors(instance)
    return [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"[:300] for e in errors]
