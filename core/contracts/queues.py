"""The handoff queues (one per team of people), the priorities a case can have, and the teams' names.

Shared by the action server (which names the team when it hands over) and the gateway (which queues the case).
"""

from __future__ import annotations

from enum import StrEnum


class Queue(StrEnum):
    technical = "technical"
    billing = "billing"
    orders = "orders"
    sales = "sales"
    retention = "retention"
    moves = "moves"
    general = "general"


class Priority(StrEnum):
    normal = "normal"
    high = "high"
    urgent = "urgent"

    @property
    def rank(self) -> int:
        """Lower is served first."""
        return {"urgent": 0, "high": 1, "normal": 2}[self.value]


TEAM_NAMES: dict[Queue, str] = {
    Queue.technical: "technical support",
    Queue.billing: "billing",
    Queue.orders: "orders",
    Queue.sales: "sales",
    Queue.retention: "account",
    Queue.moves: "home moves",
    Queue.general: "customer care",
}
"""What the customer reads: "a person in our <team> team"."""


def team_name(queue: Queue | str) -> str:
    """The team a customer is told about; an unknown queue name reads as customer care."""
    try:
        return TEAM_NAMES[Queue(queue)]
    except ValueError:
        return TEAM_NAMES[Queue.general]
