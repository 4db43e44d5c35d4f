from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils._retry import RetryPolicy, parse_retry_after

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value, expected", [
    ("7", 7.0),
    (" 0 ", 0.0),
    (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
    (format_datetime(NOW - timedelta(seconds=30), usegmt=True), None),  # a date past: as if absent
    ("soon", None),
    ("\u00b2", None), ("\u00b9", None), ("\u0663", None), ("\uff17", None),  # isdigit() but not ASCII digits
    ("-5", None), ("1.5", None), ("nan", None), ("inf", None), ("1e3", None),
    ("9" * 400, None), ("86401", None), ("86400", 86400.0), ("007", 7.0),
    (format_datetime(NOW + timedelta(days=2), usegmt=True), None),
    ("Mon, 99 Foo 99999 99:99:99 GMT", None),
    ("", None),
    (None, None),
])
def test_retry_after_reads_seconds_and_http_dates(value, expected):
    assert parse_retry_after(value, now=NOW) == expected


def test_backoff_is_full_jitter_under_an_exponential_ceiling():
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    assert [policy.backoff(attempt, rand=lambda: 1.0) for attempt in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert policy.backoff(3, rand=lambda: 0.25) == 1.0


def test_retry_after_wins_over_backoff_but_is_capped():
    policy = RetryPolicy(retry_after_cap=10.0)
    assert policy.delay(1, 3.0) == 3.0
    assert policy.delay(1, 3600.0) == 10.0
    assert 0.0 <= policy.delay(1, None) <= policy.base_delay
