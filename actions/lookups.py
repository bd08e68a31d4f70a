"""The one OSS/BSS client of the action server, and the evidence every lookup leaves in the conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from core.oss.client import OssClient
from core.oss.config import OssConfig
from core.oss.journal import CallRecord
from core.settings import get_settings

MAX_EVIDENCE = 60  # the newest lookups of a conversation; older ones are already in the tracker's history

_client: OssClient | None = None


def oss_client() -> OssClient:
    """Built on first use, not at import: rasa_sdk imports every module of actions/ when it starts."""
    global _client
    if _client is None:
        _client = OssClient(OssConfig.from_settings(get_settings()))
    return _client


class Lookups:
    """The lookups of one action run: the shared client and a journal of the calls made through it."""

    def __init__(self, tracker: Tracker) -> None:
        self.client = oss_client()
        self.journal: list[CallRecord] = []
        self._tracker = tracker

    def slots(self, **findings: Any) -> dict[str, Any]:
        """``evidence`` with this run's calls appended and ``findings`` merged, for a slot update."""
        evidence = list(self._tracker.get_slot("evidence") or [])
        evidence += [record.as_dict() for record in self.journal]
        merged = dict(self._tracker.get_slot("findings") or {})
        merged.update(findings)
        return {"evidence": evidence[-MAX_EVIDENCE:], "findings": merged}
