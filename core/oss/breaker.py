"""A circuit breaker per API: after N consecutive failed calls, fail fast until a trial call succeeds."""

from __future__ import annotations

import time
from collections.abc import Callable

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    """Closed -> open after ``failures`` failed calls in a row; open -> half-open after ``reset_s``, when one
    trial call goes through; its success closes the breaker, its failure opens it for another ``reset_s``.

    A trial that never reports back (its task was cancelled) is given up after ``reset_s`` so the breaker
    cannot stay stuck half-open.
    """

    def __init__(self, failures: int, reset_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.reset_s = reset_s
        self._clock = clock
        self._state = CLOSED
        self._consecutive = 0
        self._opened_at = 0.0
        self._trial_started: float | None = None

    @property
    def state(self) -> str:
        if self._state == OPEN and self._clock() - self._opened_at >= self.reset_s:
            return HALF_OPEN
        return self._state

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open state only one trial at a time."""
        state = self.state
        if state == CLOSED:
            return True
        if state == OPEN:
            return False
        now = self._clock()
        if self._trial_started is not None and now - self._trial_started < self.reset_s:
            return False
        self._state = HALF_OPEN
        self._trial_started = now
        return True

    def record_success(self) -> None:
        self._state = CLOSED
        self._consecutive = 0
        self._trial_started = None

    def record_failure(self) -> None:
        """A failed call; failures of calls that started before the breaker opened do not extend it."""
        if self._state == OPEN:
            return
        self._trial_started = None
        if self._state == HALF_OPEN:
            self._open()
            return
        self._consecutive += 1
        if self._consecutive >= self.failures:
            self._open()

    def _open(self) -> None:
        self._state = OPEN
        self._opened_at = self._clock()
        self._consecutive = 0
