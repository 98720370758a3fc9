"""The pieces of the metric sources that need no network: the rate limiter, backoff, simulator."""
import random
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.adapters.engagement_sources import VideoRequest
from chalicelib.adapters.engagement_sources.http import Backoff, RateLimiter
from chalicelib.adapters.engagement_sources.simulator import SimulatedSource, simulated_counters

PUBLISHED = datetime(2024, 8, 12, 3, tzinfo=timezone.utc)


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_the_rate_limiter_keeps_any_sliding_minute_within_the_quota():
    # Given a quota of 600 calls a minute
    clock = FakeClock()
    limiter = RateLimiter(600, 60, clock=clock, sleep=clock.sleep)
    times = []
    # When 1500 calls are made as fast as possible
    for _ in range(1500):
        limiter.acquire()
        times.append(clock.now)
    # Then no 60-second window holds more than 600 calls, and it waited only when it had to
    for i in range(len(times) - 600):
        assert times[i + 600] - times[i] >= 60
    assert times[599] == 0 and times[600] == 60


def test_backoff_is_jittered_exponential_and_honours_retry_after():
    backoff = Backoff(base_seconds=0.5, cap_seconds=8, rng=random.Random(3))
    delays = [backoff.delay(attempt) for attempt in range(8)]
    assert all(0 <= d <= min(8, 0.5 * 2**i) for i, d in enumerate(delays))
    assert len(set(delays)) == len(delays)
    assert 5 <= backoff.delay(0, retry_after="5") <= 5.5


@given(st.integers(min_value=0, max_value=24 * 30), st.integers(min_value=0, max_value=24 * 30))
def test_simulated_counters_are_deterministic_and_never_decrease(h1, h2):
    early, late = sorted((h1, h2))
    a = simulated_counters("000", "s-1", PUBLISHED, PUBLISHED + timedelta(hours=early))
    b = simulated_counters("000", "s-1", PUBLISHED, PUBLISHED + timedelta(hours=late))
    assert a == simulated_counters("000", "s-1", PUBLISHED, PUBLISHED + timedelta(hours=early))
    assert all(a[m] <= b[m] for m in a)


def test_simulated_entries_differ_and_start_at_zero():
    at = PUBLISHED + timedelta(days=3)
    source = SimulatedSource("tiktok", "000")
    readings = source.fetch([VideoRequest("v1", "s-1", PUBLISHED), VideoRequest("v2", "s-2", PUBLISHED)], at)
    assert readings["v1"] != readings["v2"]
    assert set(simulated_counters("000", "s-1", PUBLISHED, PUBLISHED).values()) == {0}
