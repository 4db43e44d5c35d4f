# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""Event-Driven Ansible: the event both event sources emit, notification checks, and change detection.

The event sources in ``extensions/eda/plugins/event_source`` stay thin: options, HTTP server or poll loop.
Everything here is plain Python, so it is tested without ansible-rulebook.
"""

from __future__ import annotations

import collections
import math
import os
from dataclasses import dataclass
from typing import Any, Optional

from ._client import DEFAULT_API_URL, SDXClient, client_from_options
from ._errors import SDXError, SDXInputError
from ._fleet_api import FleetAPI
from ._models import Job, Site, parse_uuid

JOB_STATUSES = ("pending", "running", "completed", "failed", "cancelled")
# The notification payload's vocabulary; "deleted" is a cancelled job, as in the modules.
NOTIFY_STATUSES = {"pending": "pending", "running": "running", "completed": "completed", "failed": "failed",
                   "deleted": "cancelled"}
REMEMBERED_JOBS = 10000
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def as_bool(value: Any, name: str) -> bool:
    """An option's boolean, from a bool or from the strings Ansible accepts; SDXInputError names the option."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise SDXInputError(f"{name}: expected true or false, got {value!r}")


def as_number(value: Any, name: str, kind: type, minimum: Optional[float] = None) -> Any:
    """An option's finite int or float, also from a numeric string (rulebook templates); SDXInputError names it."""
    try:
        if isinstance(value, bool):
            raise ValueError
        number = kind(value)
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or not math.isfinite(number) or (minimum is not None and number < minimum):
        what = "a whole number" if kind is int else "a number"
        bound = f" of at least {minimum:g}" if minimum is not None else ""
        raise SDXInputError(f"{name}: expected {what}{bound}, got {value!r}")
    return number


def connection_options(args: dict[str, Any]) -> dict[str, Any]:
    """The modules' connection options from a source's arguments, with the same environment variables."""
    env = os.environ
    return {
        "api_url": args.get("api_url") or env.get("SDX_API_URL") or DEFAULT_API_URL,
        "api_token": args.get("api_token") or env.get("SDX_API_TOKEN"),
        "validate_certs": as_bool(args.get("validate_certs", env.get("SDX_VALIDATE_CERTS", True)), "validate_certs"),
        "ca_path": args.get("ca_path"),
        "timeout": as_number(args.get("timeout", 30), "timeout", float),
        "rate_limit": as_number(args.get("rate_limit", env.get("SDX_RATE_LIMIT", 60)), "rate_limit", int),
    }


def make_client(args: dict[str, Any], agent: str) -> SDXClient:
    """A client that spends the shared rate budget, as every module does; SDXInputError names a bad option."""
    return client_from_options(connection_options(args), agent=agent)


def make_fleet(args: dict[str, Any], agent: str) -> FleetAPI:
    """The fleet and site layers the sources read through, over ``make_client``'s client."""
    return FleetAPI(make_client(args, agent))


def job_event(job: dict[str, Any], *, status: str, site_id: Optional[str], job_id: Optional[str],
              idempotency_key: Optional[str] = None, previous_status: Optional[str] = None) -> dict[str, Any]:
    event: dict[str, Any] = {"kind": "job", "status": status}
    if previous_status:
        event["previous_status"] = previous_status
    event.update(site_id=site_id, job_id=job_id)
    if idempotency_key:
        event["idempotency_key"] = idempotency_key
    event["job"] = job
    return {"sdx": event}


def site_event(site: Site, *, previous_status: Optional[str] = None) -> dict[str, Any]:
    """The event for a site; ``site`` holds the fields SDX answered, no more."""
    event: dict[str, Any] = {"kind": "site", "status": site_status(site)}
    if previous_status:
        event["previous_status"] = previous_status
    event.update(site_id=site.id, site=site.model_dump(exclude_unset=True))
    return {"sdx": event}


def site_status(site: Site) -> str:
    return "online" if site.online else "offline"


# -- job_webhook ----------------------------------------------------------------------------------------------
class NotificationError(ValueError):
    """A notification body that is not the documented payload; the message says what is wrong."""


@dataclass
class Notification:
    job_id: str
    site_id: str
    status: str
    idempotency_key: Optional[str]
    body: dict[str, Any]


def parse_notification(body: Any) -> Notification:
    """Check a notify_url body against the documented payload (job_id, router_id, status...)."""
    if not isinstance(body, dict):
        raise NotificationError("the body must be a JSON object")
    status = body.get("status")
    if status not in NOTIFY_STATUSES:
        raise NotificationError(f"status: expected one of {', '.join(NOTIFY_STATUSES)}, got {status!r}")
    try:
        job_id = parse_uuid(body.get("job_id"), "job_id", "job")
        site_id = parse_uuid(body.get("router_id"), "router_id", "site")
    except SDXInputError as error:
        raise NotificationError(str(error)) from None
    key = body.get("idempotency_key")
    return Notification(job_id=job_id, site_id=site_id, status=NOTIFY_STATUSES[status],
                        idempotency_key=key if isinstance(key, str) and key else None, body=body)


class JobMemory:
    """Which statuses each recent job already produced an event for (bounded, oldest forgotten first)."""

    def __init__(self, size: int = REMEMBERED_JOBS) -> None:
        self.size = size
        self._jobs: collections.OrderedDict[str, tuple[str, set[str]]] = collections.OrderedDict()

    def seen(self, job_id: str, status: str) -> bool:
        entry = self._jobs.get(job_id)
        return entry is not None and status in entry[1]

    def last(self, job_id: str) -> Optional[str]:
        entry = self._jobs.get(job_id)
        return entry[0] if entry else None

    def record(self, job_id: str, status: str) -> Optional[str]:
        """Remember an emitted status; answers the job's previous one, when known."""
        previous, statuses = self._jobs.pop(job_id, (None, set()))
        self._jobs[job_id] = (status, statuses | {status})
        while len(self._jobs) > self.size:
            self._jobs.popitem(last=False)
        return previous


def notification_event(note: Notification, memory: JobMemory) -> Optional[dict[str, Any]]:
    """The event for a notification, or None when this job and status already made one."""
    return _remembered_job_event(note.body, note.status, note.site_id, note.job_id, note.idempotency_key, memory)


def confirmed_event(note: Notification, job: Job, memory: JobMemory) -> Optional[dict[str, Any]]:
    """The event for a notification the API confirmed: the API's job and status, not the body's."""
    return _remembered_job_event(job.to_result(), job.status, note.site_id, note.job_id,
                                 job.idempotency_key or note.idempotency_key, memory)


def _remembered_job_event(job: dict[str, Any], status: str, site_id: str, job_id: str, key: Optional[str],
                          memory: JobMemory) -> Optional[dict[str, Any]]:
    if memory.seen(job_id, status):
        return None
    previous = memory.record(job_id, status)
    return job_event(job, status=status, site_id=site_id, job_id=job_id, idempotency_key=key,
                     previous_status=previous)


def confirm_job(fleet: FleetAPI, note: Notification) -> Optional[Job]:
    """The job as the API knows it, or None when SDX does not know it or its site (404)."""
    try:
        return fleet.site(note.site_id).job(note.job_id, give_way=True)
    except SDXError as error:
        if error.status == 404:
            return None
        raise


# -- fleet_watch ----------------------------------------------------------------------------------------------
class FleetState:
    """What the last polls saw: each site's online flag and each watched site's jobs with their status."""

    def __init__(self, emit_initial: bool = False) -> None:
        self.emit_initial = emit_initial
        self.sites: Optional[dict[str, str]] = None
        self.jobs: dict[str, dict[str, str]] = {}

    def sites_seen(self, sites: list[Site]) -> list[dict[str, Any]]:
        """Site events for online/offline changes since the last answer (all of them first, if emit_initial)."""
        first = self.sites is None
        known = self.sites or {}
        events = []
        current = {}
        for site in sites:
            status = current[site.id] = site_status(site)
            before = known.get(site.id)
            if (first and self.emit_initial) or (before is not None and before != status):
                events.append(site_event(site, previous_status=before))
        self.sites = current
        return events

    def jobs_seen(self, site_id: str, jobs: list[Job]) -> list[dict[str, Any]]:
        """Job events for one site's job list: new jobs, changed statuses, pending jobs gone (cancelled)."""
        first = site_id not in self.jobs
        known = self.jobs.get(site_id, {})
        current: dict[str, str] = {}
        events = []
        for job in jobs:
            status = current[job.id] = job.status
            before = known.get(job.id)
            if (first and self.emit_initial) or (not first and before != status):
                events.append(job_event(job.to_result(), status=status, site_id=site_id, job_id=job.id,
                                        idempotency_key=job.idempotency_key, previous_status=before))
        for job_id, before in known.items():
            if job_id not in current and before == "pending":
                events.append(job_event({"id": job_id}, status="cancelled", site_id=site_id, job_id=job_id,
                                        previous_status=before))
        self.jobs[site_id] = current
        return events
