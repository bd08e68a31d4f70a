"""Rasa's Redis ticket lock, made safe across replicas.

Rasa 3.6's ``RedisLockStore`` changes a conversation's lock with a GET then a SET: two replicas taking a ticket
for the same conversation at once can both read the same lock, both be given the same ticket number, and both
process a message at once, the second tracker save overwriting the first (``tests/scale`` lost a message so).
Here every change of a lock is a WATCH/MULTI transaction, retried when another replica changed it first.
Loaded by Rasa from ``endpoints.yml`` (``lock_store: type: engine.lock_store.AtomicRedisLockStore``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import WatchError

T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):  # type: ignore[misc]
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock | None], tuple[TicketLock | None, T]]) -> T:
        """Apply ``change`` to the stored lock atomically; it returns the lock to save (``None``: delete it)."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except WatchError:
                    continue  # another replica changed the lock between our read and write: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self._change(conversation_id, issue)

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish serving the ticket, and delete the lock in the same step if nobody else waits for it."""

        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish)
