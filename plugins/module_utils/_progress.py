# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Lines a user sees while a task waits: for the shared request budget, or on a job of an offline site.

The code that waits calls the functions here; they say nothing until a reporter is installed. The action plugin
installs one that prints through its display while a module runs in its process. A module process has no live
output (Ansible reads its stdout once it ended), so there these lines are not shown.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Optional

# A wait shorter than this goes unmentioned: a second or two is the ordinary pace of a rate-limited fleet.
NOTICE_AFTER = 2.0

Reporter = Callable[[str], None]
_reporter: Optional[Reporter] = None


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    """Send the progress lines of the code run inside to ``reporter`` (one line each, no line per poll)."""
    global _reporter  # pylint: disable=global-statement
    previous, _reporter = _reporter, reporter
    try:
        yield
    finally:
        _reporter = previous


def say(line: str) -> None:
    if _reporter is not None:
        _reporter(line)


def budget_wait(seconds: Optional[float], per_minute: int, processes: int) -> None:
    """A request waits longer than NOTICE_AFTER for its slot in the shared budget (``seconds`` when known)."""
    how_long = f"about {max(seconds, NOTICE_AFTER):.0f} s" if seconds is not None else "a moment"
    shared = f", used by {processes} processes of this machine in the last minute" if processes > 1 else ""
    say(f"waiting {how_long} for the SDX request budget ({per_minute} requests/min{shared})")


def offline_wait(job_id: str, site: str, since: Optional[str], seconds_left: float) -> None:
    """The job stays pending because its site is offline; the wait goes on for up to ``seconds_left`` seconds."""
    say(f"job {job_id} stays pending: site {site} is offline{f' since {since}' if since else ''}; it runs when "
        f"the router checks in again (waiting up to {seconds_left:.0f} s more, wait_timeout)")


def fleet_estimate(requests: int, per_minute: int) -> Optional[str]:
    """The up-front line for ``requests`` under ``per_minute``, or None when they fit in a minute."""
    if per_minute <= 0 or requests <= per_minute:
        return None
    minutes = requests / per_minute
    return (f"about {requests} SDX requests at {per_minute} requests/min: this takes at least "
            f"{minutes:.0f} minute{'s' if round(minutes) != 1 else ''}")
