"""The simulated fleet: each site's contact with SDX and the job lifecycle."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol

from .sites import CONTROL, EXAMPLE_SITE_ID, Heartbeats, Site, base62, build_fleet, iso, wall

__all__ = ["EXAMPLE_SITE_ID", "Fleet", "Job", "Site", "build_fleet", "iso"]

# Seconds a job spends in each phase at time scale 1.0 (the device polls, then runs the script).
PICKUP_SECONDS = 4.0
EXPRESS_PICKUP_SECONDS = 1.0
RUN_SECONDS = 3.0


class Clock(Protocol):
    """Something that happens to a site at moments of the simulator's clock (its scheduler, a fault plan)."""

    def next_due(self, site_id: str) -> float | None: ...

    def fire(self, site_id: str, moment: float) -> None: ...

    def timed_sites(self) -> set[str]: ...


@dataclass
class Job:  # pylint: disable=too-many-instance-attributes
    id: str
    site_id: str
    idempotency_key: str
    description: str
    script: str
    express_execute: bool
    needs_acknowledgement: bool
    make_backup: bool
    notify_url: str | None
    created_mono: float
    created_at: datetime
    pickup_due: float | None = None
    finish_due: float | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    failed_at: datetime | None = None
    cancelled: bool = False
    seq: int = 0
    associated_backup: str | None = None  # set by the backup store when the job's pre-change backup is taken
    error: str | None = None  # the RouterOS error that stopped its script (shown on the control surface only)
    unreported: bool = False  # ran, but its site lost contact before it could report: reported on return
    # What a fault plan (plans.py) does to it: "pending" never picked up, "running" taken but never run
    lost: str | None = None
    await_scheduler: str | None = None  # held until a scheduler entry named like this regex has run (a plan)
    not_before: float | None = None  # not picked up before this moment (a plan's slow pickup; monotonic)
    abandoned: bool = False  # its router lost power while it ran: it never reports

    @property
    def token(self) -> str:
        return base62(uuid.UUID(self.id).int)

    @staticmethod
    def wall(mono: float) -> datetime:
        return wall(mono)

    def to_api(self) -> dict:
        return {
            "id": self.id,
            "token": self.token,
            "site_id": self.site_id,
            "idempotency_key": self.idempotency_key,
            "description": self.description,
            "express_execute": self.express_execute,
            "needs_acknowledgement": self.needs_acknowledgement,
            "should_backup": self.make_backup,
            "associated_backup": self.associated_backup,
            "started_at": iso(self.started_at) if self.started_at else None,
            "completed_at": iso(self.completed_at) if self.completed_at else None,
            "failed_at": iso(self.failed_at) if self.failed_at else None,
            "created_at": iso(self.created_at),
            "log_url": f"logs?group=sites&streams={self.site_id}&filter={{$.message=*{self.token}*}}",
            "script": self.script,
        }


class Fleet:
    """Sites plus their jobs; every method is safe to call from several server threads."""

    def __init__(self, count: int, offline_ratio: float, seed: int, time_scale: float) -> None:
        self.lock = threading.RLock()
        self.time_scale = time_scale
        self._recipe = (count, offline_ratio, seed)
        self.sites = {site.id: site for site in build_fleet(*self._recipe)}
        self.jobs: dict[str, Job] = {}
        self.heartbeats = Heartbeats(time_scale)
        self._seq = 0
        self._sites_version = 0
        self.clocks: list[Clock] = []  # scheduler entries and fault plans, run in time order with the jobs
        self.on_queue: Callable[[Job], None] | None = None  # fault plans mark the jobs they match
        self.on_job_start: Callable[[Job], None] | None = None  # the backup store's make_backup snapshot
        self.on_job_run: Callable[[Job, float], str | None] | None = None  # runs the script: None, or its error
        self.on_moment: Callable[[str, float], None] | None = None  # site's clock reached a moment (monotonic)

    @property
    def sites_version(self) -> int:
        return self._sites_version

    def site_api(self, site: Site) -> dict:
        """The Site object as the API shows it now: pulse and last check-in from the heartbeat clock."""
        now = time.monotonic()
        return site.to_api(wall(now), self.heartbeats.seen(site.presence, now))

    def update_site(self, site_id: str, name: str | None = None, identity: str | None = None) -> Site:
        with self.lock:
            site = self.sites[site_id]
            site.name = site.name if name is None else name
            site.identity = site.identity if identity is None else identity
            self._sites_version += 1
            return site

    def set_online(self, site_id: str, online: bool, moment: float | None = None) -> Site:
        """The control surface: a site SDX knows to be offline (no pulse at once), or back."""
        return self.set_blocked(site_id, CONTROL, not online, moment)

    def set_blocked(self, site_id: str, reason: str, blocked: bool, moment: float | None = None) -> Site:
        """One reason the router cannot reach SDX starts or ends (at ``moment``); contact needs none left."""
        with self.lock:
            site = self.sites[site_id]
            now = time.monotonic() if moment is None else moment
            was_online, presence = site.online, site.presence
            if blocked and was_online:
                presence.last_beat = self.heartbeats.last_beat(presence, now)
            if blocked:
                presence.blocks.add(reason)
            else:
                presence.blocks.discard(reason)
            if site.online != was_online:
                if site.online:
                    presence.since = now  # it checks in the moment contact is back
                self._contact_changed(site, now)
            self._sites_version += 1
            return site

    def _contact_changed(self, site: Site, now: float) -> None:
        """Contact lost: jobs not picked up wait. Contact back: they are picked up, and a job whose run cut the
        contact reports its outcome."""
        for job in self.jobs.values():
            if job.site_id != site.id:
                continue
            if job.started_at is None:
                if not site.online:
                    job.pickup_due = None
                elif job.pickup_due is None:
                    self._arm_pickup(job, now)
            elif site.online and job.unreported:
                job.unreported = False
                self._report(job, now)

    def _pickup_delay(self, job: Job) -> float:
        return (EXPRESS_PICKUP_SECONDS if job.express_execute else PICKUP_SECONDS) * self.time_scale

    def _arm_pickup(self, job: Job, now: float) -> None:
        """When the router will take the job: after its poll delay, once in contact and no plan holds it."""
        if job.lost == "pending" or job.await_scheduler is not None or not self.sites[job.site_id].online:
            job.pickup_due = None
            return
        job.pickup_due = max(now + self._pickup_delay(job), job.not_before or now)

    def release(self, job: Job, moment: float) -> None:
        """A plan stops holding the job back: it is picked up as a newly queued one would be."""
        job.await_scheduler = None
        if job.started_at is None and not job.cancelled:
            self._arm_pickup(job, moment)

    def queue(self, site: Site, body: dict) -> Job:
        with self.lock:
            now = time.monotonic()
            self._seq += 1
            job = Job(
                id=str(uuid.uuid4()),
                site_id=site.id,
                idempotency_key=str(uuid.uuid4()),
                description=body["description"],
                script=body["script"],
                express_execute=bool(body.get("express_execute", False)),
                needs_acknowledgement=bool(body.get("needs_acknowledgement", False)),
                make_backup=bool(body.get("make_backup", False)),
                notify_url=body.get("notify_url"),
                created_mono=now,
                created_at=wall(now),
                seq=self._seq,
            )
            if self.on_queue is not None:
                self.on_queue(job)
            self._arm_pickup(job, now)
            self.jobs[job.id] = job
            return job

    @staticmethod
    def _next_event(job: Job) -> float | None:
        """When the job next moves (picked up, or finished running), or None."""
        if job.cancelled:
            return None
        if job.started_at is None:
            return job.pickup_due
        if job.finish_due is not None and job.completed_at is None and job.failed_at is None:
            return job.finish_due
        return None

    def _run(self, job: Job, moment: float) -> str | None:
        if self.on_job_run is None:
            return "error" if ":error" in job.script else None
        return self.on_job_run(job, moment)

    def _step(self, job: Job) -> None:
        """Move a job one phase along: pending -> running (or done, without acknowledgement) -> done."""
        if job.started_at is None:
            job.started_at = job.wall(job.pickup_due)
            if job.lost == "running":  # taken, then lost on the router: never run, never reported
                job.completed_at = None if job.needs_acknowledgement else job.started_at
                return
            if self.on_job_start is not None:
                self.on_job_start(job)
            if not job.needs_acknowledgement:
                # Without acknowledgement the job completes on delivery and errors go unreported.
                job.error = self._run(job, job.pickup_due)
                job.completed_at = job.started_at
                return
            job.finish_due = job.pickup_due + RUN_SECONDS * self.time_scale
            return
        moment = job.finish_due
        job.error = self._run(job, moment)
        if job.abandoned:  # the power went as the script ran
            return
        job.finish_due = None
        if not self.sites[job.site_id].online:
            job.unreported = True  # its own change cut the router off: it reports when contact is back
        else:
            self._report(job, moment)

    def _report(self, job: Job, moment: float) -> None:
        if job.error is not None:
            job.failed_at = job.wall(moment)
        else:
            job.completed_at = job.wall(moment)

    def power_loss(self, site_id: str) -> None:
        """The router lost power: a job it was running never reports (its script is gone with the power)."""
        with self.lock:
            for job in self.jobs.values():
                if job.site_id == site_id and job.needs_acknowledgement and job.started_at is not None \
                        and not (job.completed_at or job.failed_at):
                    job.finish_due, job.unreported, job.abandoned = None, False, True

    def catch_up(self, site_id: str, now: float) -> None:
        """Play the site's jobs and clocks up to ``now`` in the order things happen, so scripts run in that order
        (a job before a clock due at the same moment)."""
        with self.lock:
            while True:
                due: list[tuple] = [(moment, 0, job.seq, job) for job in self.jobs.values()
                                    if job.site_id == site_id and (moment := self._next_event(job)) is not None
                                    and moment <= now]
                due += [(moment, 1, index, clock) for index, clock in enumerate(self.clocks)
                        if (moment := clock.next_due(site_id)) is not None and moment <= now]
                if not due:
                    break
                moment, kind, _order, what = min(due, key=lambda item: item[:3])
                if self.on_moment is not None:
                    self.on_moment(site_id, moment)
                if kind == 0:
                    self._step(what)
                else:
                    what.fire(site_id, moment)
            if self.on_moment is not None:
                self.on_moment(site_id, now)

    def due_sites(self, now: float) -> set[str]:
        with self.lock:
            sites = {job.site_id for job in self.jobs.values()
                     if (moment := self._next_event(job)) is not None and moment <= now}
            for clock in self.clocks:
                sites |= clock.timed_sites()
            return sites

    def site_jobs(self, site_id: str) -> list[Job]:
        with self.lock:
            self.catch_up(site_id, time.monotonic())
            jobs = [job for job in self.jobs.values() if job.site_id == site_id and not job.cancelled]
            return sorted(jobs, key=lambda job: job.seq, reverse=True)

    def job(self, site_id: str, job_id: str) -> Job | None:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None or job.site_id != site_id or job.cancelled:
                return None
            self.catch_up(site_id, time.monotonic())
            return job

    def cancel(self, job: Job) -> bool:
        """Cancel a job that has not started; False when it already started."""
        with self.lock:
            self.catch_up(job.site_id, time.monotonic())
            if job.started_at is not None:
                return False
            job.cancelled = True
            return True

    def all_jobs(self) -> list[dict]:
        with self.lock:
            now = time.monotonic()
            for site_id in {job.site_id for job in self.jobs.values()}:
                self.catch_up(site_id, now)
            return [dict(job.to_api(), cancelled=job.cancelled, error=job.error, lost=job.lost,
                         held_until_scheduler=job.await_scheduler, abandoned=job.abandoned)
                    for job in sorted(self.jobs.values(), key=lambda item: item.seq)]

    def reset(self) -> None:
        """Back to the fleet as generated: no jobs, no renamed or toggled sites."""
        with self.lock:
            self.jobs.clear()
            self.sites = {site.id: site for site in build_fleet(*self._recipe)}
            self._sites_version += 1
