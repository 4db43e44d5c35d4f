# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""After a change job with an armed revert: prove contact, confirm once, prove the revert is disarmed.

The outcome is ``confirmed`` only when, after the job, a synchronous command reached the router and found the
scheduler entry still armed, the site checked in after the job, a confirm job (queued once, through the
at-most-once path) completed, and a second synchronous read found the entry gone. The confirm job removes the entry
by name, which fails once the revert has run, so a completed confirm proves the revert had not fired. Anything
short of that is ``reverted`` (the entry was gone before any confirm) or ``unknown``, never a success.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional

from . import _jobs
from ._confirm import ConfirmPlan
from ._errors import SDXError
from ._models import AsynchronousScriptRequest, Job, parse_moment
from ._site_api import SiteAPI

SCHEDULER_PRINT = "/system/scheduler/print"
# While the confirm job is pending, the scheduler entry is read once every this many polls of the job.
READ_EVERY = 6
Sleep = Callable[[float], None]
Clock = Callable[[], float]


class AssumptionFailed(SDXError):
    """SDX answered in a way an assumption of docs/api-decisions.md does not hold for."""


class StillArmed(SDXError):
    """The router still holds the scheduler entry of an earlier run of the same change: its revert is armed."""


def refuse_if_armed(site: SiteAPI, plan: ConfirmPlan) -> None:
    """Before the change job is queued: fail when the revert of an earlier run of the same change is still armed.

    The new job would fail at its first line (the entry's name is taken) and change nothing, and the task could not
    tell the earlier run's entry from its own. A read that does not answer is no reason to stop: the first line
    still refuses to stack a second revert."""
    try:
        rows = site.run_command(SCHEDULER_PRINT, f"?name={plan.name}")
    except SDXError:
        return
    if rows:
        raise StillArmed(
            f"confirm_timeout: the router still holds the scheduler entry {plan.name}, armed by an earlier run of "
            f"this same change that was not confirmed, so its revert fires when it is due; nothing was queued. "
            f"Remove it (/system scheduler remove {plan.name}) to keep what the earlier run changed, or wait for "
            f"its revert to run, then run the task again")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z") if moment else None


@dataclass
class Outcome:
    outcome: str  # confirmed, reverted or unknown
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def confirmed(self) -> bool:
        return self.outcome == "confirmed"


@dataclass
class Timing:
    poll_interval: float
    wait_timeout: float
    settle_timeout: float


class ConfirmFlow:
    """One confirmed apply of one site, after its change job ran (``run``) or failed (``watch``)."""

    def __init__(self, site: SiteAPI, plan: ConfirmPlan, description: str, timing: Timing,
                 sleep: Sleep = time.sleep, clock: Clock = time.monotonic,
                 now: Callable[[], datetime] = utc_now) -> None:
        self.site, self.plan, self.description, self.timing = site, plan, description, timing
        self.sleep, self.clock, self.now = sleep, clock, now
        self.details: dict[str, Any] = {**plan.to_result(), "armed_at": None, "deadline": None, "job": None,
                                        "contact": None, "router_back_at": None}
        self.stop_at = clock() + plan.seconds

    # -- the steps ---------------------------------------------------------------------------------------
    def start(self, change: Job) -> None:
        """The deadline: when the change job started (it arms the revert first) plus the timeout, by SDX's clock.

        The controller stops waiting for contact then; it need not be exact, since the confirm job itself fails
        once the revert has run."""
        armed_at = parse_moment(change.started_at) or parse_moment(change.completed_at)
        if armed_at is None:
            return
        deadline = armed_at + timedelta(seconds=self.plan.seconds)
        self.details.update(armed_at=stamp(armed_at), deadline=stamp(deadline))
        remaining = min(max((deadline - self.now()).total_seconds(), 0.0), float(self.plan.seconds))
        self.stop_at = self.clock() + remaining

    def run(self, change: Job) -> Outcome:
        """The whole confirm after a change job that completed."""
        self.start(change)
        rows, back_at = self._round_trip(self.stop_at)
        if rows is None:
            return self.watch("no synchronous command reached the router before the deadline")
        contact = {"round_trip_at": stamp(back_at), "scheduler_armed": bool(rows)}
        self.details["contact"] = contact
        if not rows:
            self.details["router_back_at"] = stamp(back_at)
            return self._reverted(f"not confirmed: the change cut the router off from SDX and its revert ran; the "
                                  f"router answered again at {stamp(back_at)} without the scheduler entry "
                                  f"{self.plan.name} (armed at {self.details['armed_at']}, change job completed at "
                                  f"{change.completed_at})")
        check_in = self._check_in(change)
        if check_in is None:
            return self.watch(f"the site did not check in after the job (completed at {change.completed_at}) before "
                              f"the deadline; the change was not confirmed")
        contact["check_in_at"] = check_in
        return self._confirm()

    def watch(self, reason: str) -> Outcome:
        """Not confirmed: wait (up to ``wait_timeout`` past the deadline) for a read showing the revert ran."""
        until = max(self.stop_at, self.clock()) + self.timing.wait_timeout
        while True:
            rows, back_at = self._round_trip(until)
            if rows is not None and not rows:
                self.details["router_back_at"] = stamp(back_at)
                return self._reverted(f"not confirmed: {reason}; its revert ran, and the router answered again at "
                                      f"{stamp(back_at)} without the scheduler entry {self.plan.name}")
            if self.clock() >= until:
                seen = "still holds" if rows else "could not be read for"
                return self._unknown(f"{reason}; the router {seen} the scheduler entry {self.plan.name} "
                                     f"{self.timing.wait_timeout:g} seconds (wait_timeout) past the deadline")
            self.sleep(self._pause(until))

    def _confirm(self) -> Outcome:
        request = AsynchronousScriptRequest(description=self.plan.confirm_description(self.description),
                                            script=self.plan.confirm_script(), needs_acknowledgement=True,
                                            express_execute=True)
        try:
            planned = _jobs.plan(self.site, request, force=True)
            queued = _jobs.queue(self.site, request, planned.known_ids, self.timing.settle_timeout)
        except _jobs.OutcomeUnknown as error:
            # Not the queue's advice to re-run: a re-run of the task finds nothing to change, and confirms nothing.
            return self._unknown(f"the confirm request got no clear answer and no confirm job showed up; it was not "
                                 f"sent again ({error.detail or error.message}). Re-running the task does not "
                                 f"confirm: if the confirm job shows up in the site's job list and completes, the "
                                 f"change holds")
        except SDXError as error:
            return self.watch(f"the confirm job could not be queued ({error.message})")
        if queued.adopted is not None:
            target = _jobs.Target(job=queued.adopted)
        else:
            target = _jobs.Target(idempotency_key=queued.accepted.idempotency_key if queued.accepted else None,
                                  request=request, known_ids=planned.known_ids)
        job, cancelled = self._await(target)
        self.details["job"] = job.to_result() if job is not None else None
        if job is None:
            return self._unknown("SDX accepted the confirm job, but it did not show up in the site's job list, so "
                                 "whether it ran is not known")
        if cancelled:
            return self.watch(f"the confirm job {job.id} was still pending when {cancelled}, and was cancelled")
        if job.status == "cancelled":
            return self.watch(f"the confirm job {job.id} was cancelled before it ran")
        if job.status == "failed":
            return self.watch(f"the confirm job {job.id} failed: the scheduler entry was gone when it ran, so the "
                              f"revert had run first")
        if job.status != "completed":
            return self._unknown(f"the confirm job {job.id} was still {job.status} {self.timing.wait_timeout:g} "
                                 f"seconds (wait_timeout) after the deadline")
        return self._disarmed(job)

    def _await(self, target: _jobs.Target) -> tuple[Optional[Job], Optional[str]]:
        """The confirm job once it ended, and why it was cancelled (None when it was not).

        While it is pending, the scheduler entry is read every ``READ_EVERY`` polls: when it is gone, the revert ran
        (the router's clock is ahead, or it restarted), and the confirm is cancelled, as it is at the deadline."""
        while True:
            step = self.timing.poll_interval * READ_EVERY
            if target.job is None:  # first found in the list, which a new job has a window to show up in
                step = max(step, _jobs.LOCATE_WINDOW + self.timing.poll_interval)
            else:
                step = min(step, self.stop_at - self.clock())
            job = self._wait(target, max(step, self.timing.poll_interval))
            if job is None or not job.active:
                return job, None
            target = _jobs.Target(job=job)
            if job.status == "pending":
                why = "the deadline passed" if self.clock() >= self.stop_at else self._revert_seen()
                if why and self._cancelled(job):
                    return job, why
            if self.clock() >= self.stop_at:
                return self._wait(target, self.timing.wait_timeout), None

    def _revert_seen(self) -> Optional[str]:
        return revert_seen(self.site, self.plan)

    def _disarmed(self, job: Job) -> Outcome:
        rows, read_at = self._round_trip(self.clock() + self.timing.wait_timeout)
        if rows is None:
            return self._unknown(f"the confirm job {job.id} completed, but no read proved the scheduler entry gone "
                                 f"within {self.timing.wait_timeout:g} seconds (wait_timeout)")
        if rows:
            return self._unknown(f"the confirm job {job.id} completed, but the router still holds the scheduler "
                                 f"entry {self.plan.name}")
        self.details["disarmed_at"] = stamp(read_at)
        return Outcome("confirmed", f"confirmed: the router answered and checked in after the change, and the "
                                    f"revert {self.plan.name} was removed by job {job.id} (read gone at "
                                    f"{stamp(read_at)})", self.details)

    # -- reads -------------------------------------------------------------------------------------------
    def _round_trip(self, until: float) -> tuple[Optional[list[Any]], Optional[datetime]]:
        """The scheduler entry's rows from a synchronous read (one that answers), tried every poll until ``until``;
        None when none answered."""
        while True:
            try:
                rows = self.site.run_command(SCHEDULER_PRINT, f"?name={self.plan.name}")
            except SDXError:
                rows = None
            if rows is not None or self.clock() >= until:
                return rows, self.now() if rows is not None else None
            self.sleep(self._pause(until))

    def _check_in(self, change: Job) -> Optional[str]:
        """The site's ``last_seen_at`` once it is later than the job's completion (a check-in after the change)."""
        completed = parse_moment(change.completed_at)
        while True:
            site = self.site.info()
            last_seen = getattr(site, "last_seen_at", None) if site is not None else None
            if site is not None and last_seen is None:
                raise AssumptionFailed(
                    f"confirm_timeout relies on the site's last_seen_at being the time of its last check-in "
                    f"(docs/api-decisions.md, 'Proof of contact'), but GET /sites/{self.site.id} answered without "
                    f"it; the change was not confirmed and its revert fires at {self.details['deadline']}")
            seen = parse_moment(last_seen)
            if site is not None and site.online and seen is not None and (completed is None or seen > completed):
                return stamp(seen)
            if self.clock() >= self.stop_at:
                return None
            self.sleep(self._pause(self.stop_at))

    def _wait(self, target: _jobs.Target, timeout: float) -> Optional[Job]:
        try:
            return _jobs.wait(self.site, target, timeout, self.timing.poll_interval, self.sleep, self.clock).job
        except SDXError:
            return target.job

    def _cancelled(self, job: Job) -> bool:
        try:
            self.site.cancel(job.id)
        except SDXError:
            return False  # it started meanwhile: its outcome is waited for
        return True

    def _pause(self, until: float) -> float:
        return max(0.0, min(self.timing.poll_interval, until - self.clock()))

    def _reverted(self, message: str) -> Outcome:
        return Outcome("reverted", message, self.details)

    def _unknown(self, message: str) -> Outcome:
        return Outcome("unknown", f"{message}. Whether the change holds is unknown: check the router for the "
                                  f"scheduler entry ({SCHEDULER_PRINT} ?name={self.plan.name}) and the change "
                                  f"itself once the site is online (the revert fires at "
                                  f"{self.details['deadline'] or 'the deadline'} if the entry is still armed)",
                       self.details)


def settle(site: SiteAPI, plan: ConfirmPlan, description: str, change: Job, params: dict[str, Any],
           failure: Optional[str] = None) -> Outcome:
    """The outcome of a change job that armed ``plan``: confirmed after it completed, or the revert watched after
    it failed (``failure``, why) having started, and so having armed the revert."""
    flow = ConfirmFlow(site, plan, description,
                       Timing(params["poll_interval"], params["wait_timeout"], params["settle_timeout"]))
    if failure is None:
        return flow.run(change)
    flow.start(change)
    return flow.watch(failure)


def revert_seen(site: SiteAPI, plan: ConfirmPlan) -> Optional[str]:
    """What shows that the revert ran (a read finding its scheduler entry gone), or None (still armed, no answer)."""
    try:
        rows = site.run_command(SCHEDULER_PRINT, f"?name={plan.name}")
    except SDXError:
        return None
    return None if rows else f"a read at {stamp(utc_now())} found its scheduler entry {plan.name} gone (the revert ran)"


def wait_change(site: SiteAPI, target: _jobs.Target, plan: Optional[ConfirmPlan], timeout: float,
                interval: float, sleep: Sleep = time.sleep, clock: Clock = time.monotonic) -> _jobs.WaitOutcome:
    """Wait for the change job as ``_jobs.wait`` does; with an armed revert, a job still running is checked every
    ``READ_EVERY`` polls: a change that cut the router off can run for ever (it cannot report, and a revert that
    reboots the router ends it unreported), so the wait stops once a read shows the revert ran."""
    if plan is None:
        return _jobs.wait(site, target, timeout, interval, sleep, clock)
    deadline = clock() + timeout
    transitions: list[dict[str, Any]] = []
    while True:
        remaining = deadline - clock()
        # Until the job is found, a slice outlasts the window a new job has to show up in the list.
        step = interval * READ_EVERY if target.job else max(interval * READ_EVERY, _jobs.LOCATE_WINDOW + interval)
        outcome = _jobs.wait(site, target, max(min(remaining, step), 0.0), interval, sleep, clock)
        transitions += [step for step in outcome.transitions
                        if not transitions or step["status"] != transitions[-1]["status"]]
        outcome.transitions = transitions
        if not outcome.timed_out or clock() >= deadline:
            return outcome
        target = _jobs.Target(job=outcome.job)
        outcome.timed_out = False
        if outcome.job.started_at:
            outcome.stopped = revert_seen(site, plan)
            if outcome.stopped:
                outcome.timed_out = True
                return outcome
