"""FastAPI dependency aliases, so routers declare what they use by type."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from bot.state import GatewayState


def get_state(request: Request) -> GatewayState:
    return cast(GatewayState, request.app.state.gateway)


StateDep = Annotated[GatewayState, Depends(get_state)]
