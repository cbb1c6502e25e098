"""The one retry/backoff policy type: how often a failing state is tried again, and how long apart."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with a cap and proportional jitter.

    `attempt` counts tries already made (1 after the first failure). `jitter` is a fraction: 0.1
    spreads each delay over ±10 % so rows that failed together (a mail server outage) do not all
    come back in the same second. `give_up_after` (seconds, optional) also ends the tries once that
    long has passed since the row entered the state, however few were made: a remote server down for
    three days is given up on whether it was tried 12 times or 3.
    """

    max_attempts: int = 5
    base_seconds: float = 30.0
    factor: float = 2.0
    cap_seconds: float = 3600.0
    jitter: float = 0.1
    give_up_after: float | None = None

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_seconds < 0 or self.cap_seconds < self.base_seconds:
            raise ValueError("need 0 <= base_seconds <= cap_seconds")
        if self.factor < 1:
            raise ValueError("factor must be at least 1 (delays never shrink)")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be a fraction in [0, 1)")
        if self.give_up_after is not None and self.give_up_after < 0:
            raise ValueError("give_up_after must be a duration in seconds (>= 0)")

    def delay(self, attempt: int) -> float:
        """Seconds to wait before the try after `attempt` failed ones (attempt >= 1)."""
        exponent = max(attempt, 1) - 1
        # Clamp the exponent before raising: factor ** 1000 would overflow a float.
        raw = self.base_seconds * self.factor ** min(exponent, 64)
        delay = min(raw, self.cap_seconds)
        if self.jitter:
            delay *= 1 + random.uniform(-self.jitter, self.jitter)
        return max(0.0, min(delay, self.cap_seconds))

    def exhausted(self, attempt: int) -> bool:
        """True once `attempt` tries have been made and no more are allowed."""
        return attempt >= self.max_attempts

    def expired(self, entered_at: datetime | None, now: datetime) -> bool:
        """True once `give_up_after` seconds have passed since the row entered its state."""
        if self.give_up_after is None or entered_at is None:
            return False
        return now - entered_at >= timedelta(seconds=self.give_up_after)
