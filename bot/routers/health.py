"""Liveness and readiness for the runner, load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError

from bot.dependencies import StateDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process serves requests."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(state: StateDep) -> JSONResponse:
    """Redis and Rasa answer, so a customer message can be carried now."""
    try:
        redis_ok = bool(await state.redis.ping())
    except (RedisError, OSError):
        redis_ok = False
    rasa_ok = await state.rasa.is_up()
    ready = redis_ok and rasa_ok
    body = {"status": "ready" if ready else "not ready", "redis": redis_ok, "rasa": rasa_ok}
    return JSONResponse(body, status_code=200 if ready else 503)
