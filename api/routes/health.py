"""Liveness and readiness: ready only while the sequencer accepts commands."""
from fastapi import APIRouter

from api.errors import ApiError


def build(runtime) -> APIRouter:
    router = APIRouter(prefix="/v1/health", tags=["health"])

    @router.get("/live")
    async def live() -> dict:
        return {"status": "live"}

    @router.get("/ready")
    async def ready() -> dict:
        if not runtime.ready:
            raise ApiError("SERVICE_UNAVAILABLE", "the sequencer is not accepting commands", 503)
        return {"status": "ready", "sequence": runtime.sequencer.sequence}

    return router
