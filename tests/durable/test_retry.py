"""The one retry policy: exponential, capped, jittered within bounds, exhausted after max_attempts."""

import pytest

from durable.retry import RetryPolicy


def test_retry_delay_grows_by_factor_until_the_cap():
    policy = RetryPolicy(max_attempts=10, base_seconds=10, factor=3, cap_seconds=200, jitter=0)
    assert [policy.delay(n) for n in range(1, 6)] == [10, 30, 90, 200, 200]


def test_retry_delay_jitter_stays_within_its_fraction_and_varies():
    policy = RetryPolicy(base_seconds=100, factor=1, cap_seconds=1000, jitter=0.2)
    delays = {policy.delay(1) for _ in range(200)}
    assert all(80 <= delay <= 120 for delay in delays) and len(delays) > 1


def test_retry_delay_huge_attempt_does_not_overflow():
    assert RetryPolicy(jitter=0).delay(10_000) == RetryPolicy().cap_seconds


def test_retry_exhausted_after_max_attempts():
    policy = RetryPolicy(max_attempts=3)
    assert [policy.exhausted(n) for n in (1, 2, 3, 4)] == [False, False, True, True]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"base_seconds": -1},
        {"base_seconds": 10, "cap_seconds": 5},
        {"factor": 0.5},
        {"jitter": 1},
    ],
)
def test_retry_policy_nonsense_refused(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


def test_retry_policy_is_frozen():
    with pytest.raises(AttributeError):
        RetryPolicy().max_attempts = 9


def test_retry_give_up_after_ends_the_tries_once_that_long_has_passed_in_the_state():
    from datetime import datetime, timedelta

    policy = RetryPolicy(max_attempts=100, give_up_after=3600)
    entered = datetime(2026, 12, 1, 12, 0)
    assert not policy.expired(entered, entered + timedelta(minutes=59))
    assert policy.expired(entered, entered + timedelta(hours=1))
    assert not RetryPolicy().expired(entered, entered + timedelta(days=999))
