"""An agent logging out: the chats they hold go back to their queues at once, each customer told.

Without it a customer would read "Talking to Dana" until the sweep noticed Dana gone (the reconnect grace,
about 50 s). The console calls it before logging out (``POST /api/agent/sign-off``).
"""

from __future__ import annotations

from bot.handoff.service import HandoffService


async def release_all(service: HandoffService, agent: str) -> list[str]:
    """Requeue every chat ``agent`` holds, at the customer's old place; returns the case ids released."""
    released = []
    for case_id in await service.queues.agent_case_ids(agent):
        await service.requeue_from(agent, case_id)
        if (await service.queues.state(case_id)).get("status") != "accepted":
            released.append(case_id)
    return released
