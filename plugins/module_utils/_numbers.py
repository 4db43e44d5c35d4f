# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""The one check of every option that holds seconds or a count, before any request.

NaN passes every comparison (``nan <= 0`` is false), and infinity or a huge number overflows the
socket and sleep calls, so a bare ``<= 0`` test lets both through: check finiteness and a bound first.
"""

from __future__ import annotations

import math
from typing import Any

from ._errors import SDXInputError

# The longest wait any option may ask for; far beyond any sensible value, well within what the socket and
# sleep calls of the platform take.
MAX_SECONDS = 365 * 24 * 3600


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and not _is_finite(value):
        return "a whole number too large for a float"
    return repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # a whole number beyond any float, such as 10 ** 400
        return False


def seconds(name: str, value: Any, *, zero_ok: bool = False) -> float:
    """``value`` as a finite number of seconds above 0 (or 0 or more with ``zero_ok``), at most a year.

    SDXInputError names the option and what was expected otherwise.
    """
    if _is_number(value) and _is_finite(value) and (value >= 0 if zero_ok else value > 0) \
            and value <= MAX_SECONDS:
        return float(value)
    bound = "0 or more" if zero_ok else "above 0"
    raise SDXInputError(f"{name}: expected a finite number of seconds {bound}, up to a year ({MAX_SECONDS}), "
                        f"got {_shown(value)}")


def count(name: str, value: Any, *, minimum: int, what: str) -> int:
    """``value`` as a whole number of at least ``minimum``; SDXInputError names the option and ``what`` it counts."""
    if _is_number(value) and _is_finite(value) and float(value).is_integer() and value >= minimum:
        return int(value)
    raise SDXInputError(f"{name}: expected {what}, a whole number of {minimum} or more, got {_shown(value)}")
