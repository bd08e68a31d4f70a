"""What the action server logs of a failing OSS/BSS call names no customer: account numbers, customer ids and
phone numbers appear only as their keyed pseudonyms (the learning store's), so a log line can still be matched
to a customer by someone who holds the key, and to nothing by anyone else."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import pytest

from core.oss import CallRecord, OssClient, OssUnavailable
from core.oss.transport import log_target
from core.pseudonyms import pseudonym
from core.settings import get_settings
from tests.fixtures.simulator import RunningSimulator

CUSTOMERS = "customerManagement"
ACCOUNTS = "accountManagement"


@pytest.fixture(autouse=True)
def fresh_simulator(simulator: RunningSimulator) -> None:
    simulator.clear_faults()
    simulator.reset_requests()


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "core.oss" and r.levelno >= logging.WARNING]


@pytest.mark.parametrize(
    ("call", "identifiers"),
    [
        (lambda c: c.find_customer("ac 1000 0017"), ["AC10000017", "10000017"]),
        (lambda c: c.find_customer("07700 900017"), ["07700900017", "7700900017", "900017"]),
        (lambda c: c.get_customer("CUST-000017"), ["CUST-000017", "000017"]),
    ],
    ids=["account number", "phone number", "customer id"],
)
async def test_a_failing_call_logs_a_pseudonym_not_the_identifier(
    client: OssClient,
    simulator: RunningSimulator,
    caplog: pytest.LogCaptureFixture,
    call: Callable[[OssClient], Awaitable[object]],
    identifiers: list[str],
) -> None:
    caplog.set_level(logging.INFO, logger="core.oss")
    with simulator.fault(CUSTOMERS, "error", status=503), pytest.raises(OssUnavailable):
        await call(client)
    [warning] = warnings_of(caplog)
    assert "outcome=unavailable" in warning and "status=503" in warning
    for identifier in identifiers:
        assert identifier.lower() not in warning.lower(), warning
    secret = get_settings().learning_pseudonym_secret.get_secret_value()
    assert f"target_pseudonym={pseudonym(secret, identifiers[0])}" in warning, "matchable by who holds the key"


async def test_the_journal_for_the_agent_keeps_the_identifier(
    client: OssClient, simulator: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    journal: list[CallRecord] = []
    with simulator.fault(ACCOUNTS, "error", status=500), pytest.raises(OssUnavailable):
        await client.get_billing_account("AC10000017", journal=journal)
    assert [record.target for record in journal] == ["AC10000017"]
    assert all("AC10000017" not in line for line in warnings_of(caplog))


def test_spellings_of_one_reference_share_a_pseudonym_and_unnamed_targets_stay() -> None:
    assert log_target("ac 1000 0017") == log_target("AC10000017")
    assert log_target("07700 900017") == log_target("+44 7700 900017")
    assert log_target("*") == "*"
