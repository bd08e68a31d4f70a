"""One OSS/BSS lookup the bot made, as the action server's call journal records it and the agent reads it.

Same fields as ``core.oss.journal.CallRecord`` (its ``as_dict()`` validates as this model); it travels in the
``evidence`` slot and in the handoff request.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Evidence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    api: str
    operation: str
    target: str
    started_at: str
    latency_ms: float
    outcome: str
    status: int | None = None
    summary: str
    attempts: int = 1
