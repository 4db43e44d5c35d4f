# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Retry policy: which answers are worth another try, and how long to wait before it."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
# RFC 9110 delta-seconds: ASCII digits only.
_DELTA_SECONDS = re.compile(r"[0-9]+", re.ASCII)
# A Retry-After further away than this is not believed: it is read as absent (the backoff applies).
MAX_RETRY_AFTER = 86400.0


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by attempts and by a total deadline."""

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    retry_after_cap: float = 60.0
    deadline: float = 120.0
    min_pause_after_429: float = 1.0

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Delay before try number ``attempt + 1`` (``attempt`` counts from 1)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return rand() * ceiling

    def delay(self, attempt: int, retry_after: float | None, status: int | None = None) -> float:
        """The server's Retry-After when it gave one (capped), otherwise the jittered backoff.

        After a 429 the pause is never shorter than ``min_pause_after_429``: a Retry-After below it (``0``, a date
        already past) or none at all gives way to the backoff, at least that long, so that a server answering
        ``Retry-After: 0`` cannot draw a tight loop of retries. A longer Retry-After is waited as given.
        """
        server = min(max(retry_after, 0.0), self.retry_after_cap) if retry_after is not None else None
        if status == 429 and (server is None or server < self.min_pause_after_429):
            return max(self.min_pause_after_429, self.backoff(attempt))
        return server if server is not None else self.backoff(attempt)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP date still to come.

    None (as if the header were absent) for anything else: text that is not ASCII digits (``²`` passes
    ``isdigit()``), a negative or fractional number, more than a day, or a date that is past or unreadable.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        digits = text.lstrip("0") or "0"
        delay = float(digits) if len(digits) <= 12 else math.inf
        return delay if delay <= MAX_RETRY_AFTER else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    delay = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return delay if 0.0 < delay <= MAX_RETRY_AFTER else None
