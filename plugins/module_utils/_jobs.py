# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Site jobs: find the job a task already queued, queue at most one more, wait for it.

The promise: one run sends the queue request at most once. A request whose outcome is unknown is
reconciled by reading the site's jobs over a settle window, never sent again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from . import _progress
from ._errors import SDXError
from ._models import AsynchronousScriptAccepted, AsynchronousScriptRequest, Job, Site
from ._site_api import SiteAPI

# Default seconds to keep reading the site's jobs after a queue request with an unknown outcome. It must
# outlast any request still in flight, which the server bounds, not our read timeout (see reliability.md).
SETTLE_TIMEOUT = 60.0
# The options of a module that queues a job and can wait for it, all of them seconds (the altostrat.sdx.sdx.job
# doc fragment documents them).
JOB_OPTIONS: dict[str, dict[str, Any]] = {
    "wait_timeout": {"type": "float", "default": 300},
    "poll_interval": {"type": "float", "default": 5},
    "settle_timeout": {"type": "float", "default": SETTLE_TIMEOUT},
}
# Seconds an accepted job may take to show up in the site's job list before the run gives up on it.
LOCATE_WINDOW = 15.0
# Pauses between the reads of a reconciliation: short first, since a dropped answer lands at once.
RECONCILE_FIRST_PAUSE = 1.0
RECONCILE_MAX_PAUSE = 5.0
# Seconds a job may stay pending before the wait reads its site once, to say whether the router is offline. An
# online router picks a job up within seconds; a shorter limit would cost every busy fleet a request per job.
OFFLINE_CHECK_AFTER = 10.0

Sleep = Callable[[float], None]
Clock = Callable[[], float]


class OutcomeUnknown(SDXError):
    """A queue request was sent and no answer told what became of it, and no job showed up.

    ``detail`` says what was sent and read, without the advice on re-running the task that ``message`` ends with."""

    detail = ""


def find_matching(jobs: list[Job], request: AsynchronousScriptRequest) -> Optional[Job]:
    """The newest job doing the same work that has not failed or been cancelled."""
    for job in jobs:
        if request.matches(job) and job.status not in ("failed", "cancelled"):
            return job
    return None


@dataclass
class Plan:
    """What a run will do, worked out from one read of the site's jobs (check mode stops here)."""

    existing: Optional[Job]
    known_ids: set[str]

    @property
    def will_queue(self) -> bool:
        return self.existing is None


def plan(site: SiteAPI, request: AsynchronousScriptRequest, force: bool) -> Plan:
    jobs = site.jobs()
    existing = None if force else find_matching(jobs, request)
    return Plan(existing=existing, known_ids={job.id for job in jobs})


@dataclass
class Queued:
    """What the queue request left: an accepted answer, or a job adopted after an unknown outcome."""

    accepted: Optional[AsynchronousScriptAccepted] = None
    adopted: Optional[Job] = None
    warning: Optional[str] = None

    @property
    def reconciled(self) -> bool:
        return self.adopted is not None


def queue(site: SiteAPI, request: AsynchronousScriptRequest, known_ids: set[str],
          settle_timeout: float = SETTLE_TIMEOUT, sleep: Sleep = time.sleep, clock: Clock = time.monotonic) -> Queued:
    """POST the script once. An answer refusing it raises; an unknown outcome is reconciled, never re-sent."""
    try:
        answer = site.queue_script(request.payload())
    except SDXError as error:
        if error.status is not None and 200 <= error.status < 300:
            return Queued(warning=_unreadable(error))
        if not error.ambiguous:
            raise
        job = reconcile(site, request, known_ids, error, settle_timeout, sleep, clock)
        return Queued(adopted=job)
    try:
        return Queued(accepted=AsynchronousScriptAccepted.from_answer(answer, site.endpoint("POST", site.queue_path)))
    except SDXError as error:
        return Queued(warning=_unreadable(error))


def _unreadable(error: SDXError) -> str:
    return (f"SDX accepted the script but its answer could not be read ({error.message}); the job is "
            f"looked up by its script and description instead of its idempotency key")


def reconcile(site: SiteAPI, request: AsynchronousScriptRequest, known_ids: set[str],
              cause: SDXError, settle_timeout: float, sleep: Sleep = time.sleep, clock: Clock = time.monotonic) -> Job:
    """The job an unanswered queue request created, read for over ``settle_timeout`` seconds; else OutcomeUnknown.

    A failed read is tried again until the window ends: only once the whole window has passed can a request that
    has not landed be taken as never landing, which is what makes a re-run safe.
    """
    deadline = clock() + settle_timeout
    pause = RECONCILE_FIRST_PAUSE
    reads: list[Optional[SDXError]] = []  # per read: the error it failed with, None when it succeeded
    while True:
        try:
            found = _new_match(site.jobs(), request, known_ids)
        except SDXError as error:
            found = None
            reads.append(error)
        else:
            reads.append(None)
        if found is not None:
            return found
        remaining = deadline - clock()
        if remaining <= 0:
            raise _unknown(site, cause, settle_timeout, reads)
        sleep(min(pause, remaining))
        pause = min(pause * 2, RECONCILE_MAX_PAUSE)


def _new_match(jobs: list[Job], request: AsynchronousScriptRequest, known_ids: set[str]) -> Optional[Job]:
    return next((job for job in jobs if job.id not in known_ids and request.matches(job)), None)


def _unknown(site: SiteAPI, cause: SDXError, settle_timeout: float,
             reads: list[Optional[SDXError]]) -> OutcomeUnknown:
    """The failure after a settle window with no job to adopt. When every read failed, ``error`` holds the last
    read's error (the POST's own is often only a timeout, with nothing to show)."""
    endpoint = site.endpoint("GET", site.jobs_path)
    window = f"{settle_timeout:g} seconds (settle_timeout)"
    failures = [error for error in reads if error is not None]
    if failures and len(failures) == len(reads):
        what = (f"all {len(reads)} reads of {endpoint} during the settle window of {window} failed, the last "
                f"with: {failures[-1].message}")
    else:
        what = f"{len(reads)} reads of {endpoint} over {window} showed no new job matching the task"
        if failures:
            what += f"; {len(failures)} of {len(reads)} reads failed, the last with: {failures[-1].message}"
    message = (f"the outcome of the queue request is unknown: {site.endpoint('POST', site.queue_path)} "
               f"got no clear answer ({cause.message}) and {what}. It was not sent again. {_when_rerun_is_safe(settle_timeout)}")
    source = failures[-1] if failures and len(failures) == len(reads) else cause
    unknown = OutcomeUnknown(message, status=source.status, error_type=source.error_type, code=source.code,
                             api_message=source.api_message, doc_url=source.doc_url, ambiguous=True)
    unknown.detail = f"{site.endpoint('POST', site.queue_path)} got no clear answer ({cause.message}) and {what}"
    return unknown


def _when_rerun_is_safe(settle_timeout: float) -> str:
    """What a re-run does, and from when it cannot make a second job: once the server can no longer process the
    request. SDX documents no bound; the default settle window is the assumed one (api-decisions.md)."""
    rerun = ("A re-run reads the job list first: it reports the job (ok) if the request has landed by then, and "
             "queues the script if not")
    if settle_timeout < SETTLE_TIMEOUT:
        return (f"{rerun}. settle_timeout was {settle_timeout:g} seconds, shorter than the default "
                f"{SETTLE_TIMEOUT:g}: the request may still be in flight and land later, so a re-run within "
                f"{SETTLE_TIMEOUT - settle_timeout:g} more seconds may queue a second job; re-run after that")
    return (f"{rerun}. A request SDX still processes after that would make a second job; SDX documents no bound, "
            f"and {settle_timeout:g} seconds covers the usual {SETTLE_TIMEOUT:g}-second request limit of the "
            f"servers in front of the API (an assumption), so a re-run now is safe unless the server is slower")


def pending_result(site_id: str, request: AsynchronousScriptRequest, queued: Queued) -> dict[str, Any]:
    """What is known of a job just queued without looking it up: no id yet, status pending."""
    accepted = queued.accepted
    return {"id": None, "idempotency_key": accepted.idempotency_key if accepted else None, "site_id": site_id,
            "description": request.description, "status": "pending",
            "created_at": accepted.date if accepted else None}


@dataclass
class Target:
    """The job to wait for: known (``job``), or to be found in the list after the queue request."""

    job: Optional[Job] = None
    idempotency_key: Optional[str] = None
    request: Optional[AsynchronousScriptRequest] = None
    known_ids: set[str] = field(default_factory=set)

    def find(self, jobs: list[Job]) -> Optional[Job]:
        if self.idempotency_key:
            return next((job for job in jobs if job.idempotency_key == self.idempotency_key), None)
        return _new_match(jobs, self.request, self.known_ids) if self.request else None


@dataclass
class WaitOutcome:
    job: Optional[Job]
    transitions: list[dict[str, Any]] = field(default_factory=list)
    timed_out: bool = False
    # The site, read once when its job stayed pending (to tell an offline router from a busy queue).
    site: Optional[Site] = None
    # Why the wait stopped before its timeout with the job still active (confirmed apply: its revert ran).
    stopped: Optional[str] = None

    def failure(self, site_id: str, timeout: float) -> Optional[str]:
        """Why the wait fails the task (the job did not complete within ``timeout`` seconds), or None."""
        job = self.job
        where = site_label(site_id, self.site)
        if self.stopped:
            return f"job {job.id} on site {where} was still {job.status} when {self.stopped}"
        if self.timed_out:
            message = f"job {job.id} on site {where} was still {job.status} after {timeout:g} seconds (wait_timeout)"
            if self.site is not None and not self.site.online:
                message += (f": the site is offline{_since(self.site)}, and the job runs when the router checks in "
                            f"again. Re-running the task later adopts the same job; altostrat.sdx.sdx_job with "
                            f"state=absent cancels it while it is pending")
            return message
        if job.status != "completed":
            return (f"job {job.id} on site {where} {job.status} at {job.failed_at or job.deleted_at}; see the job's "
                    f"log in the SDX portal (its log lines carry the job's token {job.token or '?'})")
        return None


def site_label(site_id: str, site: Optional[Site] = None) -> str:
    """A site as messages name it: its name and ID when an answer gave the name, else its ID."""
    return named_label(site_id, site.name if site is not None else None)


def named_label(site_id: str, name: Optional[str]) -> str:
    """``'<name>' (<id>)`` when the name is known, else the ID alone."""
    return f"{name!r} ({site_id})" if name else site_id


def _last_seen(site: Site) -> Optional[str]:
    last_seen = getattr(site, "last_seen_at", None) or getattr(site, "last_seen", None)
    return str(last_seen) if last_seen else None


def _since(site: Site) -> str:
    last_seen = _last_seen(site)
    return f" since {last_seen}" if last_seen else ""


def _offline_site(site: SiteAPI) -> Optional[Site]:
    """The site when SDX says it is offline; None when it is online or cannot be read (this read only informs)."""
    try:
        found = site.info()
    except SDXError:
        return None
    return found


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def wait(site: SiteAPI, target: Target, timeout: float, interval: float,
         sleep: Sleep = time.sleep, clock: Clock = time.monotonic) -> WaitOutcome:
    """Poll until the job completes or fails, noting each status change and when it was seen.

    A job queued by this run is not known by id yet: the first poll is the look-up in the site's job list,
    and later polls read the job itself. Time spent waiting for the rate budget counts towards the
    interval, so that polls slow down as the budget tightens instead of adding their pause on top.
    """
    started = clock()
    deadline = started + timeout
    status = target.job.status if target.job else "pending"
    outcome = WaitOutcome(job=target.job, transitions=[{"status": status, "seen_at": _now()}])
    budget_wait = 0.0
    while outcome.job is None or outcome.job.active:
        remaining = deadline - clock()
        if remaining <= 0:
            if outcome.job is None:
                raise _not_listed(site, target, clock() - started)
            outcome.timed_out = True
            break
        sleep(max(0.0, min(interval - budget_wait, remaining)))
        waited_before = site.waited_for_budget()
        if outcome.job is None:
            outcome.job = target.find(site.jobs())
            if outcome.job is None and clock() - started >= LOCATE_WINDOW:
                raise _not_listed(site, target, clock() - started)
        else:
            outcome.job = site.job(outcome.job.id, give_way=True)
        budget_wait = site.waited_for_budget() - waited_before
        if (outcome.site is None and outcome.job is not None and outcome.job.status == "pending"
                and clock() - started >= OFFLINE_CHECK_AFTER):
            outcome.site = _offline_site(site) or Site(id=site.id, has_pulse=True)
            if not outcome.site.online:
                _progress.offline_wait(outcome.job.id, site_label(site.id, outcome.site), _last_seen(outcome.site),
                                       deadline - clock())
        if outcome.job is not None and outcome.job.status != outcome.transitions[-1]["status"]:
            outcome.transitions.append({"status": outcome.job.status, "seen_at": _now()})
    return outcome


def _not_listed(site: SiteAPI, target: Target, seconds: float) -> SDXError:
    key = (f"idempotency key {target.idempotency_key}" if target.idempotency_key
           else "its script and description (the answer carried no idempotency key)")
    return SDXError(
        f"SDX accepted the script, but after {seconds:.0f} seconds no job with {key} is listed by "
        f"{site.endpoint('GET', site.jobs_path)}. Idempotency relies on that list: until it shows "
        f"the job, a re-run cannot tell the script was queued and would queue it again. The script was not "
        f"queued again")
