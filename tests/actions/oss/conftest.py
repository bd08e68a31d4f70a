"""A client pointed at the session's real simulator, with short timeouts so fault tests stay quick."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from core.oss import OssClient, OssConfig
from tests.fixtures.simulator import RunningSimulator

MakeClient = Callable[..., OssClient]


@pytest.fixture
def oss_config(simulator: RunningSimulator) -> OssConfig:
    return OssConfig(
        base_url=simulator.root_url,
        timeout_s=0.5,
        retries=2,
        breaker_failures=3,
        breaker_reset_s=0.5,
        backoff_s=0.01,
    )


@pytest.fixture
async def make_client(oss_config: OssConfig) -> AsyncIterator[MakeClient]:
    """Build clients with config overrides; all are closed at the end of the test."""
    made: list[OssClient] = []

    def make(**overrides: object) -> OssClient:
        fields = {**oss_config.__dict__, **overrides}
        client = OssClient(OssConfig(**fields))  # type: ignore[arg-type]
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
async def client(make_client: MakeClient, simulator: RunningSimulator) -> OssClient:
    simulator.clear_faults()
    return make_client()
