"""The development SMS gateway: keeps what it is sent, once per idempotency key; refuses bad input clearly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from simulator.sms_gateway import read_outbox
from tests.notify.conftest import Served

AUTH = {"Authorization": "Bearer sms-secret"}
GOOD = {"v": 1, "to": "+447700900321", "from": "Triage", "text": "Your service is back"}


def test_a_text_is_kept_once_per_key(sms_gateway_server: tuple[Served, Path]) -> None:
    served, directory = sms_gateway_server
    first = httpx.post(f"{served.url}/v1/messages", json=GOOD, headers={**AUTH, "Idempotency-Key": "4101:c:sms"})
    again = httpx.post(f"{served.url}/v1/messages", json=GOOD, headers={**AUTH, "Idempotency-Key": "4101:c:sms"})
    assert first.status_code == again.status_code == 202
    assert again.json() == {"v": 1, "id": first.json()["id"], "duplicate": True}
    assert [m["to"] for m in read_outbox(directory)] == ["+447700900321"]
    assert httpx.get(f"{served.url}/v1/messages").json()[0]["text"] == "Your service is back"


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (GOOD, {}, 401),
        (GOOD, {"Authorization": "Bearer wrong"}, 401),
        ({**GOOD, "to": "07700900321"}, AUTH, 422),
        ({**GOOD, "to": "+44\u202e7700900321"}, AUTH, 422),
        ({**GOOD, "text": ""}, AUTH, 422),
        ({**GOOD, "text": "x" * 1000}, AUTH, 422),
        ({**GOOD, "v": 2}, AUTH, 422),
        ({**GOOD, "extra": 1}, AUTH, 422),
        (GOOD, {**AUTH, "Idempotency-Key": "bad key!"}, 400),
    ],
)
def test_bad_texts_are_refused_and_nothing_kept(
    sms_gateway_server: tuple[Served, Path], body: dict[str, Any], headers: dict[str, str], status: int
) -> None:
    served, directory = sms_gateway_server
    response = httpx.post(f"{served.url}/v1/messages", json=body, headers=headers)
    assert response.status_code == status and response.json()["v"] == 1 and response.json()["error"]
    assert read_outbox(directory) == []


def test_malformed_and_oversize_bodies(sms_gateway_server: tuple[Served, Path]) -> None:
    served, directory = sms_gateway_server
    json_type = {**AUTH, "Content-Type": "application/json"}
    assert httpx.post(f"{served.url}/v1/messages", content=b"{no", headers=json_type).status_code == 400
    assert httpx.post(f"{served.url}/v1/messages", content=b"x" * 20_000, headers=json_type).status_code == 413
    assert httpx.post(f"{served.url}/v1/messages", content=b"{}", headers=AUTH).status_code == 415
    assert read_outbox(directory) == []
