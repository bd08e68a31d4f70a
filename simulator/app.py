"""The simulator's FastAPI app: TMF routers over the seeded store, fault injection, optional bearer token."""

from __future__ import annotations

import gc
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from simulator.apis import ROOT
from simulator.errors import error_response, install_error_handlers
from simulator.faults import FaultBoard, FaultMiddleware, FaultSpec
from simulator.routers import TMF_ROUTERS, admin
from simulator.seed import DEFAULT_SEED, generate_dataset
from simulator.seed.population import RANDOM_CUSTOMERS
from simulator.seed.tmf import Hrefs
from simulator.store import Store


@dataclass(frozen=True)
class SimulatorConfig:
    root_url: str = "http://127.0.0.1:8080/tmf-api"
    """Public ``.../tmf-api`` root; resource hrefs start with it."""
    seed: int = DEFAULT_SEED
    anchor: datetime | None = None
    """Time the seeded data is relative to; by default the start time truncated to the hour."""
    token: str | None = None
    """When set, every TMF call needs ``Authorization: Bearer <token>``."""
    admin_token: str | None = None
    """When set, every ``/admin`` call needs ``Authorization: Bearer <admin_token>`` (the TMF token does not do)."""
    faults: tuple[tuple[str, FaultSpec], ...] = field(default=())
    random_customers: int = RANDOM_CUSTOMERS


def create_app(config: SimulatorConfig | None = None) -> FastAPI:
    config = config or SimulatorConfig()
    anchor = config.anchor or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    hrefs = Hrefs(config.root_url)
    board = FaultBoard()

    app = FastAPI(title="TMF Open API simulator", version="1.0", docs_url="/docs", redoc_url=None)

    def reset() -> None:
        gc.unfreeze()
        dataset = generate_dataset(anchor, config.root_url, config.seed, config.random_customers)
        app.state.store = Store(dataset, hrefs)
        gc.collect()
        gc.freeze()  # the seeded data lives until the next reset: keep it out of the collector's full passes
        board.clear()
        board.requests.clear()
        for api, spec in config.faults:
            board.set(api, spec)

    app.state.faults = board
    app.state.reset = reset
    reset()
    install_error_handlers(app)
    for router in TMF_ROUTERS:
        app.include_router(router)
    app.include_router(admin.router)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, object]:
        return {"status": "ok", "customers": len(app.state.store["customer"]), "anchor": anchor.isoformat()}

    # Starlette's middleware factory protocol does not type pure ASGI classes; partial() keeps them ASGI apps.
    layers: list[Any] = [partial(FaultMiddleware, board=board)]
    if config.token:
        layers.append(partial(BearerAuthMiddleware, token=config.token, prefix=ROOT + "/"))
    if config.admin_token:
        layers.append(partial(BearerAuthMiddleware, token=config.admin_token, prefix="/admin"))
    for layer in layers:
        app.add_middleware(layer)
    return app


class BearerAuthMiddleware:
    """401 with a TMF error body for calls under ``prefix`` without the configured bearer token."""

    def __init__(self, app: ASGIApp, token: str, prefix: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not secrets.compare_digest(given, self.expected):
                response = error_response(401, "UNAUTHORIZED", "Unauthorized", "a valid bearer token is required")
                response.headers["WWW-Authenticate"] = "Bearer"
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
