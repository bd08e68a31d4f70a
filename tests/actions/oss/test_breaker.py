"""The circuit breaker's state machine, on a fake clock."""

from __future__ import annotations

from core.oss.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_only() -> None:
    breaker = CircuitBreaker(failures=3, reset_s=10, clock=Clock())
    for _ in range(2):
        breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state == "closed" and breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open" and not breaker.allow()


def test_half_open_lets_one_trial_through_and_its_outcome_decides() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=1, reset_s=10, clock=clock)
    breaker.record_failure()
    clock.now += 9.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.state == "half_open"
    assert breaker.allow()
    assert not breaker.allow(), "only one trial at a time"
    breaker.record_failure()
    assert breaker.state == "open"
    clock.now += 10
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == "closed" and breaker.allow() and breaker.allow()


def test_a_trial_that_never_reports_back_is_given_up() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=1, reset_s=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.allow()
    clock.now += 4
    assert not breaker.allow()
    clock.now += 1
    assert breaker.allow()


def test_late_failures_of_old_calls_do_not_extend_an_open_breaker() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=1, reset_s=5, clock=clock)
    breaker.record_failure()
    clock.now += 4
    breaker.record_failure()
    clock.now += 1
    assert breaker.state == "half_open"
