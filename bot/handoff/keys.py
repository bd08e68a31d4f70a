"""Redis keys of the handoff (``triage:handoff:*``); docs/handoff.md lists them with their shapes."""

from __future__ import annotations

from bot.handoff.case import Queue

PREFIX = "triage:handoff"
GROUP = "dispatch"
"""The consumer group every gateway reads each queue's stream in; its consumers are gateway processes."""
CONSOLE = f"{PREFIX}:console"
"""Pub/sub channel of everything agent consoles are shown live (fanned out by every gateway to its consoles)."""
AGENTS = f"{PREFIX}:agents"
"""Set of the names of agents who ever opened the console."""
CALLBACKS = f"{PREFIX}:callbacks"
"""Sorted set of case ids whose customer asked for a callback, by time asked."""
TRACKER_PENDING = f"{PREFIX}:tracker-pending"
"""Set of conversations with events not yet recorded in Rasa's tracker."""
TRACKER_REFUSALS = f"{PREFIX}:tracker-refusals"
"""Hash: conversation -> times Rasa refused its oldest pending event."""
TRACKER_DEAD = f"{PREFIX}:tracker-dead"
"""List of events Rasa refused for good (JSON with the conversation and Rasa's answer), for a person to look at."""


def case(case_id: str) -> str:
    """The case body as versioned JSON, written once."""
    return f"{PREFIX}:case:{case_id}"


def state(case_id: str) -> str:
    """Hash of the case's mutable state: status, queue, priority, score, agent, accepted_at, entry, reannounced."""
    return f"{PREFIX}:case:{case_id}:state"


def notes(case_id: str) -> str:
    """Lists of what agents added: ``notes``, ``diagnostics``, ``tickets`` (JSON items), and ``transfers``."""
    return f"{PREFIX}:case:{case_id}:notes"


def diagnostics(case_id: str) -> str:
    return f"{PREFIX}:case:{case_id}:diagnostics"


def tickets(case_id: str) -> str:
    return f"{PREFIX}:case:{case_id}:tickets"


def waiting(queue: Queue | str) -> str:
    """Sorted set of waiting case ids; score = priority rank x 10^13 + enqueue ms, so ZRANK is the position."""
    return f"{PREFIX}:waiting:{_name(queue)}"


def parked(queue: Queue | str) -> str:
    """Sorted set of the queue's parked case ids (callbacks and tickets customers left) by the ms they were parked."""
    return f"{PREFIX}:parked:{_name(queue)}"


def stream(queue: Queue | str) -> str:
    """The queue's stream: one entry per announcement of a case (queued, requeued, transferred in)."""
    return f"{PREFIX}:stream:{_name(queue)}"


def conversation(conversation_id: str) -> str:
    """The conversation's current (latest) case id."""
    return f"{PREFIX}:conversation:{conversation_id}"


def customer(customer_id: str) -> str:
    """Sorted set of a verified customer's case ids by creation ms: repeat contacts."""
    return f"{PREFIX}:customer:{customer_id}"


def request(conversation_id: str, seq: int) -> str:
    """Set once per handoff request (its history position), so a request is made into one case only."""
    return f"{PREFIX}:request:{conversation_id}:{seq}"


def agent(name: str) -> str:
    """Hash of an agent's presence: status (online/away), last_seen (ms), queues (JSON), capacity."""
    return f"{PREFIX}:agent:{name}"


def agent_cases(name: str) -> str:
    """Set of the case ids an agent holds now."""
    return f"{PREFIX}:agent:{name}:cases"


def agent_client_ids(conversation_id: str) -> str:
    """Hash of agent message client id -> sequence number, so a resent agent message is kept once."""
    return f"{PREFIX}:agent-client-ids:{conversation_id}"


def canned(queue: Queue | str) -> str:
    """Hash of a queue's canned replies: reply id -> JSON ``{v, id, title, text, updated_by, updated_at}``."""
    return f"{PREFIX}:canned:{_name(queue)}"


def tracker_outbox(conversation_id: str) -> str:
    """List of Rasa tracker events (JSON) still to be recorded, oldest first."""
    return f"{PREFIX}:tracker:{conversation_id}"


def tracker_lock(conversation_id: str) -> str:
    return f"{PREFIX}:tracker:{conversation_id}:lock"


def _name(queue: Queue | str) -> str:
    return queue.value if isinstance(queue, Queue) else queue
