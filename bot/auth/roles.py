"""Who may do what: one role per account."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    agent = "agent"
    """Takes handed-off conversations in the agent console; records dispositions."""
    supervisor = "supervisor"
    """Watches the queues and the agents."""
    product_owner = "product_owner"
    """Reads the insights: themes, trends, backlog, exports."""
    admin = "admin"
    """Manages accounts; allowed wherever any role is required."""
