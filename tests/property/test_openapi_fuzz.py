"""Schemathesis against the gateway's and the simulator's own OpenAPI schemas, on the running processes.

Every operation gets requests generated from its schema, valid and invalid (wrong types, missing fields,
unknown values, odd unicode, huge numbers). None may answer 5xx; every 4xx must carry the service's error body
(the gateway's ``{v, error, message}``, the simulator's TMF ``{code, reason, message, status}``), so a caller
always learns what was wrong. Generation is derandomized: the same requests on every run.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import redis
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Err
from schemathesis.core.transport import Response
from schemathesis.schemas import APIOperation, BaseSchema

from core.settings import PROJECT_ROOT
from learning import keys
from tests.fixtures.product import Product
from tests.fixtures.simulator import RunningSimulator
from tests.simulator.swagger import SPEC_FILES

pytestmark = pytest.mark.e2e

EXAMPLES_PER_OPERATION = 25
DEMO_PASSWORD = "triage-demo"  # of the demo accounts the runner creates in the test environment
STAFF = {"/api/insights": "product_owner", "/api/agent": "agent", "/api/supervisor": "supervisor"}
REQUEST_TIMEOUT_S = 60
HOSTILE_TEXT = 'nul\x00 bidi\u202e bom\ufeff =HYPERLINK("x") \U0001f600 \r\n end'
"""What customers can type and the learning store keeps; a NUL once cut the CSV export off after its 200."""
RECORD_WAIT_S = 30


Operation = APIOperation[Any, Any, Any, Any]


def all_operations(schema: BaseSchema) -> Iterator[Operation]:
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        yield result.ok()


def operations(schema_url: str, skip: Callable[[Operation], bool]) -> Iterator[Operation]:
    for operation in all_operations(schemathesis.openapi.from_url(schema_url)):
        if not skip(operation):
            yield operation


def fuzz(operation: Operation, base_url: str, clear: Callable[[Response], bool], **call: Any) -> list[str]:
    """Send generated requests; return a line per 5xx or unclear 4xx (empty when the operation held up)."""
    problems: list[str] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case[Operation]) -> None:
        try:
            response = case.call(base_url=base_url, timeout=REQUEST_TIMEOUT_S, **call)
        except requests.RequestException as exc:  # e.g. a streamed body cut short by an error on the server
            problems.append(f"{operation.label} -> {type(exc).__name__}: {exc}\n  {case.as_curl_command()}")
            return
        status = response.status_code
        if status >= 500 or (status >= 400 and not clear(response)):
            problems.append(f"{operation.label} -> {status} {response.text[:200]!r}\n  {case.as_curl_command()}")

    run()
    return problems


def gateway_error(response: Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and bool(body.get("error")) and bool(body.get("message"))


def tmf_error(response: Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and {"code", "reason", "status"} <= body.keys()


@pytest.fixture(scope="module")
def staff_tokens(product: Product) -> dict[str, str]:
    """A bearer token per API prefix, of the demo account whose role may use it."""
    tokens = {}
    for prefix, username in STAFF.items():
        login = httpx.post(
            f"{product.gateway_url}/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}, timeout=30
        )
        login.raise_for_status()
        tokens[prefix] = login.json()["token"]
    return tokens


@pytest.fixture(scope="module")
def hostile_record(product: Product) -> None:
    """A learning record holding :data:`HOSTILE_TEXT`, so the exports are fuzzed over it whatever ran before.

    Written as the Rasa broker writes events (a redacted summary per event) and turned into a record by the
    product's own learning consumer.
    """
    client = redis.Redis.from_url(product.redis_url)
    try:
        before = client.xlen(keys.RECORDS)
        cid, at = f"fuzz-{uuid.uuid4().hex[:12]}", time.time() - 60
        ranking = [{"name": "nlu_fallback", "confidence": 0.4}]
        summaries: list[dict[str, Any]] = [
            {"type": "session_started"},
            {"type": "user", "text": HOSTILE_TEXT, "channel": "rest", "entities": [],
             "intent": ranking[0], "ranking": ranking},
            {"type": "bot", "text": "Sorry, I didn't get that.", "handoff": False},
        ]  # fmt: skip
        for i, summary in enumerate(summaries):
            summary.update(v=1, conversation_id=cid, at=at + i / 1000, eid=uuid.uuid4().hex, model_id="fuzz")
            client.xadd(keys.EVENTS, {"v": "1", "e": json.dumps(summary)})
        deadline = time.monotonic() + RECORD_WAIT_S
        while client.xlen(keys.RECORDS) <= before:
            assert time.monotonic() < deadline, f"the learning consumer kept no record within {RECORD_WAIT_S}s"
            time.sleep(0.2)
    finally:
        client.close()


@pytest.mark.usefixtures("hostile_record")
def test_the_gateway_api_never_fails_with_5xx_and_explains_every_refusal(
    product: Product, staff_tokens: dict[str, str]
) -> None:
    """Anonymous (as a customer or an attacker is), then as staff whose role the API serves (so the insights
    and agent console APIs are reached past their login)."""
    problems: list[str] = []
    leave_out = lambda op: op.path.endswith("/logout")  # noqa: E731
    for operation in operations(f"{product.gateway_url}/api/openapi.json", leave_out):
        problems += fuzz(operation, product.gateway_url, gateway_error)
        for prefix, token in staff_tokens.items():
            if operation.path.startswith(prefix):
                bearer = {"Authorization": f"Bearer {token}"}
                problems += fuzz(operation, product.gateway_url, gateway_error, headers=bearer)
    assert not problems, "\n".join(problems[:20])


def shape(method: str, path: str) -> str:
    """``GET /customer/{}``: an operation with its path parameters' names left out."""
    return f"{method.upper()} {re.sub(r'{[^}]+}', '{}', path.rstrip('/'))}"


def test_the_simulator_apis_never_fail_with_5xx_and_answer_tmf_errors(simulator: RunningSimulator) -> None:
    """Its own schema, then the TM Forum specs it follows (which declare every filter and body the FastAPI
    schema leaves to the handlers), for the operations it serves. The admin endpoints are left out: fuzzing
    them would inject faults, whose 5xx are the point.
    """
    problems: list[str] = []
    served = set()
    try:
        for operation in operations(f"{simulator.url}/openapi.json", lambda op: op.path.startswith("/admin")):
            problems += fuzz(operation, simulator.url, tmf_error)
            served.add(shape(operation.method, operation.path))
        for api, spec in SPEC_FILES.items():
            prefix = f"/tmf-api/{api}/v4"
            schema = schemathesis.openapi.from_path(PROJECT_ROOT / "specs" / "tmf" / spec)
            for operation in all_operations(schema):
                if shape(operation.method, prefix + operation.path) in served:
                    problems += fuzz(operation, simulator.api_url(api), tmf_error)
    finally:
        simulator.reset()
    assert len(served) > 20
    assert not problems, "\n".join(problems[:20])
