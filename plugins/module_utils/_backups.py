# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Configuration backups: newest first, wait for a new one, find a job's, and diff two locally.

The backup endpoints themselves are calls of the site layer (``_site_api.SiteAPI``).
"""

from __future__ import annotations

import difflib
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from ._errors import SDXError, SDXInputError
from ._models import Backup, Job, parse_time
from ._secrets import mask_line, sectioned, unwrap
from ._site_api import SiteAPI

FILENAME = re.compile(r"^[A-Za-z0-9_.-]+$")
# The first line of an export says when it was taken; it differs in every backup, so diffs leave it out.
EXPORT_STAMP = re.compile(r"^# .* by RouterOS \S+")
# created_at may carry a fraction of a second that the filename (a whole UNIX second) lacks.
CLOCK_SLACK = 1.0

Sleep = Callable[[float], None]
Clock = Callable[[], float]


def age(backup: Backup, now: Optional[float] = None) -> Optional[float]:
    """Seconds since the backup was taken, by this machine's clock; None when its time is unknown."""
    taken = backup.timestamp
    return None if taken is None else (time.time() if now is None else now) - taken


def parse_filename(value: Any, field: str) -> str:
    text = str(value or "").strip()
    if not FILENAME.match(text):
        raise SDXInputError(f"{field}: expected a backup filename as SDX lists it, such as 1732567800.rsc, "
                            f"got {text!r}")
    return text


def newest_first(backups: Iterable[Backup]) -> list[Backup]:
    """Sorted by when they were taken, newest first; undated ones keep the API's order, after the rest."""
    items = list(backups)
    dated = sorted((b for b in items if b.timestamp is not None), key=lambda b: (b.timestamp, b.filename),
                   reverse=True)
    return dated + [b for b in items if b.timestamp is None]


def list_backups(site: SiteAPI, give_way: bool = False) -> list[Backup]:
    """The site's backups, newest first."""
    return newest_first(site.backups(give_way=give_way))


def wait_for_new(site: SiteAPI, known: set[str], timeout: float, interval: float,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 after: Optional[float] = None) -> Optional[Backup]:
    """The newest backup not in ``known`` (and taken after ``after``, when given), polling until ``timeout``.

    None when none came. It looks only after a first pause: a backup takes the router a moment.
    """
    found, _listing = _wait(site, lambda backup: backup.filename not in known and (
        after is None or (backup.timestamp or 0.0) > after), timeout, interval, sleep, clock)
    return found


def _wait(site: SiteAPI, is_new: Callable[[Backup], bool], timeout: float, interval: float,
          sleep: Callable[[float], None], clock: Callable[[], float]) -> tuple[Optional[Backup], list[Backup]]:
    deadline = clock() + timeout
    while True:
        sleep(max(0.0, min(interval, deadline - clock())))
        listing = list_backups(site, give_way=True)
        found = next((backup for backup in listing if is_new(backup)), None)
        if found is not None or clock() >= deadline:
            return found, listing


def pre_change_backup(backups: list[Backup], job: Job) -> Backup:
    """The backup SDX took just before ``job`` ran (the job was queued with ``make_backup``).

    The job's ``associated_backup`` (``<site id>/<filename>``) names it when SDX sets it. Otherwise it is the
    newest backup taken no later than the job ended, and it must not be older than the job itself.
    """
    if job.should_backup is False:
        raise SDXError(f"job {job.id} was not queued with make_backup, so SDX took no backup before it ran")
    if job.associated_backup:
        name = job.associated_backup.rsplit("/", 1)[-1]
        found = next((backup for backup in backups if backup.filename == name), None)
        if found is None:
            raise SDXError(f"job {job.id} names its backup {job.associated_backup!r}, but the site lists no backup "
                           f"{name!r} (assumed: associated_backup is '<site id>/<filename>' of a listed backup)")
        return found
    return _pre_change_by_time(backups, job)


def _pre_change_by_time(backups: list[Backup], job: Job) -> Backup:
    ended = parse_time(job.completed_at or job.failed_at)
    queued = parse_time(job.created_at)
    if ended is None or queued is None:
        raise SDXError(f"job {job.id} has not ended (or has no times), so its pre-change backup cannot be told yet")
    earlier = [backup for backup in newest_first(backups) if backup.timestamp is not None and backup.timestamp <= ended]
    found = earlier[0] if earlier else None
    if found is None or found.timestamp < queued - CLOCK_SLACK:
        latest = f"the newest is {found.filename} ({found.created_at})" if found else "there is none"
        raise SDXError(
            f"no backup of job {job.id} was found: SDX names none (associated_backup is empty), and no backup was "
            f"taken between the job's queueing ({job.created_at}) and its end ({job.completed_at or job.failed_at}); "
            f"{latest} (assumed: a job queued with make_backup is backed up after it is queued and before it ends)")
    return found


@dataclass
class JobDiff:
    """What a completed job changed on the router: its pre-change backup, a backup after it, the diff."""

    before: Backup
    after: Backup
    diff: str

    def backups(self) -> dict[str, dict[str, Any]]:
        """The listed fields of the two backups compared, as a task returns them."""
        return {"before": self.before.metadata(), "after": self.after.metadata()}

    def task_diff(self, site_id: str, job_id: str) -> str:
        """The diff as a task's diff mode shows it: a sentence when the job changed nothing."""
        return self.diff or (f"site {site_id}: job {job_id} changed nothing in the router's configuration (backups "
                             f"{self.before.filename} and {self.after.filename} are the same)\n")


def job_config_diff(site: SiteAPI, job: Job, timeout: float, interval: float, reveal_secrets: bool = False,
                    sleep: Sleep = time.sleep, clock: Clock = time.monotonic, timeout_name: str = "timeout") -> JobDiff:
    """Request a backup after ``job`` ended, wait for it, and diff the job's pre-change backup against it.

    About four requests: the backup request, one or two list polls (the last also finds the pre-change
    backup), and the two contents. SDXError when the new backup is not listed within ``timeout`` (the
    option named ``timeout_name``); every SDXError says first that the job completed.
    """
    try:
        return _job_config_diff(site, job, timeout, interval, reveal_secrets, sleep, clock, timeout_name)
    except SDXError as error:
        raise error.with_context(f"job {job.id} on site {site.id} completed, but config_diff could not be read")


def _job_config_diff(site: SiteAPI, job: Job, timeout: float, interval: float, reveal_secrets: bool, sleep: Sleep,
                     clock: Clock, timeout_name: str) -> JobDiff:
    ended = parse_time(job.completed_at or job.failed_at)
    if ended is None:
        raise SDXError(f"job {job.id} has not ended, so what it changed cannot be read yet")
    site.request_backup()
    after, listing = _wait(site, lambda backup: (backup.timestamp or 0.0) > ended, timeout, interval,
                           sleep, clock)
    if after is None:
        raise SDXError(f"no backup of site {site.id!r} taken after job {job.id} was listed within {timeout:g} "
                       f"seconds ({timeout_name}); an offline router takes no backup")
    before = pre_change_backup(listing, job)
    old, new = site.backup(before.filename), site.backup(after.filename)
    diff = unified_diff(old.content or "", new.content or "", before.filename, after.filename, reveal_secrets)
    return JobDiff(before=before, after=after, diff=diff)


def export_lines(content: str) -> list[str]:
    """An export as the lines RouterOS reads: wrapped lines joined, the time-stamp header left out."""
    return [line for line in unwrap(content).splitlines() if not EXPORT_STAMP.match(line)]


def unified_diff(before: str, after: str, from_name: str, to_name: str, reveal_secrets: bool = False) -> str:
    """The unified diff between two exports, computed here; secret values masked unless revealed.

    Secrets are masked after diffing, so a changed secret still shows as a changed line. A hunk carries no
    section header, so each line is diffed with its section attached (``section NUL line``), and masked in
    that section (a container variable's ``value=`` is secret, its ``key=`` is not).
    """
    lines = difflib.unified_diff(_with_sections(before), _with_sections(after), fromfile=from_name,
                                 tofile=to_name, lineterm="")
    out = [_diff_line(line, reveal_secrets) for line in lines]
    return "\n".join(out) + "\n" if out else ""


def _with_sections(content: str) -> list[str]:
    return [f"{section}\0{line}" for section, line in sectioned(export_lines(content))]


def _diff_line(line: str, reveal_secrets: bool) -> str:
    if "\0" not in line:  # the ---/+++ and @@ lines
        return line
    section, text = line[1:].split("\0", 1)
    return line[0] + (text if reveal_secrets else mask_line(text, section))
