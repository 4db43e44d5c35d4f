# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Site jobs: find the job a task already queued, queue at most one more, wait for it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from ._client import SDXClient
from ._errors import SDXError
from ._models import AsynchronousScriptAccepted, AsynchronousScriptRequest, Job

# A queued job can take a moment to show up in the list; look this often, this far apart.
LOCATE_ATTEMPTS = 4
LOCATE_PAUSE = 0.5
# How many times a POST whose outcome was unknown (and had no job to adopt) is sent again.
POST_ATTEMPTS = 3


def list_jobs(client: SDXClient, site_id: str) -> list[Job]:
    """The site's jobs, newest first."""
    try:
        return [Job.model_validate(item) for item in client.get_list(f"site/{site_id}/job")]
    except SDXError as error:
        raise _site_context(error, site_id)


def get_job(client: SDXClient, site_id: str, job_id: str, poll: bool = False) -> Job:
    try:
        return Job.model_validate(client.get(f"site/{site_id}/job/{job_id}", poll=poll))
    except SDXError as error:
        if error.status == 404:
            error.with_context(f"job {job_id!r} was not found on site {site_id!r}")
        raise


def cancel(client: SDXClient, site_id: str, job_id: str) -> bool:
    """Cancel a pending job; False when it was already gone. SDXError (job_already_started) if it started."""
    try:
        client.delete(f"site/{site_id}/job/{job_id}")
    except SDXError as error:
        if error.status == 404:
            return False
        raise
    return True


def _site_context(error: SDXError, site_id: str) -> SDXError:
    if error.status == 404:
        return error.with_context(f"site {site_id!r} was not found")
    return error


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


def plan(client: SDXClient, site_id: str, request: AsynchronousScriptRequest, force: bool) -> Plan:
    jobs = list_jobs(client, site_id)
    existing = None if force else find_matching(jobs, request)
    return Plan(existing=existing, known_ids={job.id for job in jobs if job.id})


@dataclass
class Queued:
    job: Job
    accepted: Optional[AsynchronousScriptAccepted]
    reconciled: bool = False


def queue(client: SDXClient, site_id: str, request: AsynchronousScriptRequest, known_ids: set[str],
          sleep: Callable[[float], None] = time.sleep) -> Queued:
    """POST the script, making sure a POST with an unknown outcome never leaves two jobs behind.

    After such a POST, and a pause, the site's jobs are read again; a matching job that was not there
    before is the one that POST created and is adopted. Only when there is none is the POST sent again.
    """
    last_error: Optional[SDXError] = None
    for attempt in range(1, POST_ATTEMPTS + 1):
        try:
            answer = client.post(f"api/asynchronous/{site_id}", request.payload())
        except SDXError as error:
            if not error.ambiguous:
                raise _site_context(error, site_id)
            last_error = error
            sleep(client.retry.backoff(attempt))  # gives a request still in flight time to land
            adopted = _adopt(client, site_id, request, known_ids, error)
            if adopted is not None:
                return Queued(job=adopted, accepted=None, reconciled=True)
            continue
        accepted = AsynchronousScriptAccepted.from_answer(answer)
        return Queued(job=locate(client, site_id, accepted, sleep), accepted=accepted)
    raise (last_error or SDXError("queueing was never attempted")).with_context(
        f"queueing failed {POST_ATTEMPTS} times and no job was created")


def _adopt(client: SDXClient, site_id: str, request: AsynchronousScriptRequest, known_ids: set[str],
           cause: SDXError) -> Optional[Job]:
    try:
        jobs = list_jobs(client, site_id)
    except SDXError as error:
        raise cause.with_context(
            f"the queue request may or may not have created a job, and reading the site's jobs to find out "
            f"failed too ({error}); check with altostrat.sdx.sdx_job_info before running again")
    return next((job for job in jobs if job.id not in known_ids and request.matches(job)), None)


def locate(client: SDXClient, site_id: str, accepted: AsynchronousScriptAccepted,
           sleep: Callable[[float], None] = time.sleep) -> Job:
    """The job behind an accepted request, found through its idempotency key."""
    for attempt in range(LOCATE_ATTEMPTS):
        for job in list_jobs(client, site_id):
            if job.idempotency_key == accepted.idempotency_key:
                return job
        if attempt + 1 < LOCATE_ATTEMPTS:
            sleep(LOCATE_PAUSE)
    # Accepted but not listed yet: report what is known rather than fail a queued change.
    return Job(idempotency_key=accepted.idempotency_key, site_id=site_id, created_at=accepted.date)


@dataclass
class WaitOutcome:
    job: Job
    transitions: list[dict[str, Any]] = field(default_factory=list)
    timed_out: bool = False


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def refresh(client: SDXClient, site_id: str, job: Job) -> Job:
    if job.id:
        return get_job(client, site_id, job.id, poll=True)
    for candidate in list_jobs(client, site_id):
        if candidate.idempotency_key == job.idempotency_key:
            return candidate
    return job


def wait(client: SDXClient, site_id: str, job: Job, timeout: float, interval: float,
         sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> WaitOutcome:
    """Poll until the job completes or fails, noting each status change and when it was seen.

    Time spent waiting for the rate budget counts towards the interval, so that polls slow down as
    the budget tightens instead of adding their pause on top of the wait.
    """
    deadline = clock() + timeout
    outcome = WaitOutcome(job=job, transitions=[{"status": job.status, "seen_at": _now()}])
    budget_wait = 0.0
    while outcome.job.active:
        remaining = deadline - clock()
        if remaining <= 0:
            outcome.timed_out = True
            break
        sleep(max(0.0, min(interval - budget_wait, remaining)))
        waited_before = client.budget.waited if client.budget else 0.0
        outcome.job = refresh(client, site_id, outcome.job)
        budget_wait = (client.budget.waited if client.budget else 0.0) - waited_before
        if outcome.job.status != outcome.transitions[-1]["status"]:
            outcome.transitions.append({"status": outcome.job.status, "seen_at": _now()})
    return outcome
