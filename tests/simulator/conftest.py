"""Shared fixtures of the simulator's tests: a listener on loopback that TMF642's event hub calls back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request

from tests.notify.conftest import Served, serve


@pytest.fixture
def listener() -> Iterator[tuple[Served, list[tuple[str, dict[str, Any]]]]]:
    received: list[tuple[str, dict[str, Any]]] = []
    app = FastAPI()

    @app.post("/cb/listener/{name}")
    async def take(name: str, request: Request) -> dict[str, str]:
        received.append((name, await request.json()))
        return {}

    served = serve(app)
    yield served, received
    served.stop()
