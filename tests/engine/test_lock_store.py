"""The lock store Rasa loads from endpoints.yml: tickets stay unique when replicas take them at the same moment."""

from __future__ import annotations

import threading
from collections import Counter

from rasa.utils.endpoints import EndpointConfig

from engine.lock_store import AtomicRedisLockStore
from tests.fixtures.redis_server import RedisServer

REPLICAS = 4
TICKETS_EACH = 50


def store(redis_server: RedisServer) -> AtomicRedisLockStore:
    config = EndpointConfig(url="127.0.0.1", port=redis_server.port, db=3, key_prefix="locktest", type="x")
    return AtomicRedisLockStore(endpoint_config=config)


def test_replicas_taking_tickets_at_once_never_share_one(redis_server: RedisServer) -> None:
    replicas = [store(redis_server) for _ in range(REPLICAS)]
    issued: list[int] = []
    start = threading.Barrier(REPLICAS)

    def take(replica: AtomicRedisLockStore) -> None:
        start.wait()
        for _ in range(TICKETS_EACH):
            issued.append(replica.issue_ticket("one-conversation"))

    threads = [threading.Thread(target=take, args=(r,)) for r in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [t for t, n in Counter(issued).items() if n > 1]  # Rasa's own store gave duplicates here
    assert sorted(issued) == list(range(REPLICAS * TICKETS_EACH))


def test_a_finished_ticket_lets_the_next_in_and_the_last_one_removes_the_lock(redis_server: RedisServer) -> None:
    a, b = store(redis_server), store(redis_server)
    first, second = a.issue_ticket("c-2"), b.issue_ticket("c-2")
    lock = b.get_lock("c-2")
    assert lock is not None and not lock.is_locked(first) and lock.is_locked(second)
    a.cleanup("c-2", first)
    lock = b.get_lock("c-2")
    assert lock is not None and not lock.is_locked(second)
    b.cleanup("c-2", second)
    assert b.get_lock("c-2") is None
