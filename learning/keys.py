"""Every Redis key of the learning store, in one place (``triage:learning:*``), and the payload version.

Streams:
- ``events``: summaries of Rasa events with the customer's raw text, written by the engine's event broker
  (:mod:`core.contracts.learning_events` is the contract), redacted by the consumer before anything is stored;
  each entry is deleted once processed, and the broker caps the stream's length.
- ``comments``: customers' survey comments as typed, written by the gateway with their answer
  (:mod:`core.contracts.survey_comments`), redacted by the consumer into the answer and then deleted
  (:mod:`learning.survey_comments`); ``comments:dead`` keeps unreadable entries, redacted.
- ``records``: the learning records, append-only; removed only by retention (XTRIM MINID) or deletion (XDEL).

Per conversation (all expire with the retention period, refreshed by each new record):
- ``conv:<id>``: hash, the conversation's state and summary (findings, outcome, customer pseudonym, ...).
- ``conv:<id>:records``: set of record stream ids, so deletion and drill-down find them without a scan.
- ``conv:<id>:transcript``: list of redacted turns (customer, bot, actions, lookups).
- ``conv:<id>:disposition``: the agent's disposition after a handoff.
- ``conv:<id>:contacts``: set of the conversation's contact ids (see below), for deletion on request.
- ``conv:<id>:deleted``: tombstone of a conversation deleted on request (kept for the retention period).

Indexes:
- ``idx:<facet>:<value>``: sorted set of record ids scored by record time (ms), for facets trigger, channel,
  flow and finding; ``indexes`` is the set of all index keys (for retention).
- ``ref:<pseudonym>``: set of conversation ids of one customer reference (customer id, account, phone).
- ``contacts``: hash contact id → the contact's outcome record (:mod:`learning.contacts`), one per session
  with a customer turn; ``contacts:by_time``: the same ids scored by the contact's start (s), for periods and
  retention.
- ``open``: sorted set of conversations with a flow open, scored by last activity (s), for abandonment.
"""

from __future__ import annotations

from core.contracts.learning_events import EVENTS_STREAM
from core.contracts.survey_comments import COMMENTS_STREAM

PAYLOAD_VERSION = 1
PREFIX = "triage:learning"

EVENTS = EVENTS_STREAM
COMMENTS = COMMENTS_STREAM
RECORDS = f"{PREFIX}:records"
INDEXES = f"{PREFIX}:indexes"
OPEN = f"{PREFIX}:open"
CONSUMER_GROUP = "learning"
CONSUMER_LEASE = f"{PREFIX}:consumer:lease"
BACKLOG = f"{PREFIX}:backlog"
BACKLOG_SEQ = f"{PREFIX}:backlog:seq"
THEMES_CACHE = f"{PREFIX}:themes"
THEME_PLACED = f"{PREFIX}:theme-placed"
"""Hash: record id -> the theme it was placed in (bot/insights/theme_model.py); no text."""
CONTACTS = f"{PREFIX}:contacts"
CONTACTS_BY_TIME = f"{PREFIX}:contacts:by_time"


def conversation(conversation_id: str) -> str:
    return f"{PREFIX}:conv:{conversation_id}"


def conversation_records(conversation_id: str) -> str:
    return f"{PREFIX}:conv:{conversation_id}:records"


def conversation_contacts(conversation_id: str) -> str:
    return f"{PREFIX}:conv:{conversation_id}:contacts"


def tombstone(conversation_id: str) -> str:
    """Marks a conversation deleted on request, so events still in flight are not captured again."""
    return f"{PREFIX}:conv:{conversation_id}:deleted"


def transcript(conversation_id: str) -> str:
    return f"{PREFIX}:conv:{conversation_id}:transcript"


def disposition(conversation_id: str) -> str:
    return f"{PREFIX}:conv:{conversation_id}:disposition"


def index(facet: str, value: str) -> str:
    return f"{PREFIX}:idx:{facet}:{value}"


def reference(pseudonym: str) -> str:
    return f"{PREFIX}:ref:{pseudonym}"


def backlog_item(item_id: str) -> str:
    return f"{PREFIX}:backlog:{item_id}"


def themes(run_id: str) -> str:
    return f"{THEMES_CACHE}:{run_id}"
