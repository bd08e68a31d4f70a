"""One replica set of the product for every fault test, started once for the package and broken on purpose.

It has its own Redis (append-only, ``appendfsync always``), simulator, action server, Rasa server (this
checkout's model), gateway and learning consumer, all separate processes, so a test may kill any of them
without touching the session's ``product``. The OSS/BSS client is tuned so faults show quickly: a 1 s timeout
and a breaker that opens after 3 failed calls and tries again after 3 s.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.faults.services import Stack, build_stack, running
from tests.fixtures.ports import free_port
from tests.fixtures.redis_server import RedisServer
from tools.training import model_path

BREAKER_FAILURES = 3
BREAKER_RESET_S = 3.0
OSS_TIMEOUT_S = 1.0


@pytest.fixture(scope="package")
def fault_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(free_port(), tmp_path_factory.mktemp("fault-redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory, fault_redis: RedisServer) -> Iterator[Stack]:
    built = build_stack(
        tmp_path_factory.mktemp("fault-var"),
        fault_redis.url,
        model_path(),
        consumer=True,
        oss_timeout_s=str(OSS_TIMEOUT_S),
        oss_breaker_failures=str(BREAKER_FAILURES),
        oss_breaker_reset_s=str(BREAKER_RESET_S),
        chat_retry_interval_s="1",
    )
    with running(built):
        yield built


@pytest.fixture
def healthy(stack: Stack) -> Iterator[Stack]:
    """Fresh simulator data, no faults, and every proxy letting traffic through, before and after a test."""
    httpx.post(f"{stack.simulator_url}/admin/reset", timeout=10).raise_for_status()
    yield stack
    stack.rasa_proxy.up()
    stack.actions_proxy.up()
    httpx.post(f"{stack.simulator_url}/admin/reset", timeout=10).raise_for_status()
