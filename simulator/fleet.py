"""The simulated fleet: deterministic sites and their job lifecycle."""

from __future__ import annotations

import random
import string
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

MODELS = (
    ("RB5009UG+S+", "RB5009", "arm64", True),
    ("hAP ax3", "C53UiG+5HPaxD2HPaxD", "arm64", True),
    ("CCR2004-1G-12S+2XS", "CCR2004", "arm64", True),
    ("hEX S", "RB760iGS", "mmips", True),
    ("CHR", "CHR", "x86_64", False),
)
VERSIONS = ("7.15.1", "7.16.2", "7.14.3", "7.12.1", "6.49.15")
REGIONS = ("emea", "apac", "amer")
# The first site has the id the API documentation uses in its examples, so documented examples run as written.
EXAMPLE_SITE_ID = "9c69345c-8d39-4786-9f17-8153c988c89a"
BASE62 = string.digits + string.ascii_letters
ALNUM = string.ascii_uppercase + string.digits

# Seconds a job spends in each phase at time scale 1.0 (the device polls, then runs the script).
PICKUP_SECONDS = 4.0
EXPRESS_PICKUP_SECONDS = 1.0
RUN_SECONDS = 3.0


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def base62(number: int, width: int = 10) -> str:
    digits = []
    while number and len(digits) < width:
        number, rest = divmod(number, 62)
        digits.append(BASE62[rest])
    return "".join(reversed(digits)) or "0"


@dataclass
class Site:
    id: str
    pid: str
    name: str
    identity: str
    model: str
    board_name: str
    architecture_name: str
    routerboard: bool
    software_version: str
    serial_number: str
    software_id: str
    last_seen_from: str
    region: str
    online: bool
    created_at: datetime

    def to_api(self, now: datetime) -> dict:
        last_seen = now - timedelta(seconds=20 if self.online else 3600)
        return {
            "id": self.id,
            "pid": self.pid,
            "name": self.name,
            "address": None,
            "has_pulse": self.online,
            "uptime": "3 days, 14 hours, 5 minutes" if self.online else None,
            "architecture_name": self.architecture_name,
            "hardware_hash": uuid.uuid5(uuid.NAMESPACE_OID, self.id).hex,
            "serial_number": self.serial_number,
            "software_version": self.software_version,
            "software_id": self.software_id,
            "identity": self.identity,
            "last_seen_from": self.last_seen_from,
            "model": self.model,
            "board_name": self.board_name,
            "routerboard": self.routerboard,
            "last_seen": "20 seconds ago" if self.online else "1 hour ago",
            "last_seen_at": iso(last_seen),
            "created_at": iso(self.created_at),
            "updated_at": iso(last_seen),
            "deleted_at": None,
            "scheduler_removal": None,
        }

    def metadata(self) -> dict:
        return {
            "name": self.name,
            "timezone": "UTC",
            "location": {"lat": None, "lon": None},
            "tags": [f"region:{self.region}", f"tier:{'core' if 'CCR' in self.model else 'branch'}"],
        }


def random_text(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choices(alphabet, k=length))


def build_fleet(count: int, offline_ratio: float, seed: int) -> list[Site]:
    rng = random.Random(seed)
    offline = set(rng.sample(range(1, count), min(count - 1, round(count * offline_ratio)))) if count else set()
    epoch = datetime(2025, 1, 1, tzinfo=timezone.utc)
    sites = []
    for index in range(count):
        model, board, arch, routerboard = rng.choice(MODELS)
        site_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if index else EXAMPLE_SITE_ID
        name = f"branch-{index + 1:04d}"
        sites.append(Site(
            id=site_uuid,
            pid="site_" + random_text(rng, string.ascii_lowercase + string.digits, 25),
            name=name,
            identity=f"{name}-gw",
            model=model,
            board_name=board,
            architecture_name=arch,
            routerboard=routerboard,
            software_version=rng.choice(VERSIONS),
            serial_number=random_text(rng, "ABCDEF0123456789", 12),
            software_id=random_text(rng, ALNUM, 4) + "-" + random_text(rng, ALNUM, 4),
            last_seen_from=f"198.51.100.{index % 250 + 1}",
            region=rng.choice(REGIONS),
            online=index not in offline,
            created_at=epoch + timedelta(hours=index),
        ))
    return sites


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

    @property
    def token(self) -> str:
        return base62(uuid.UUID(self.id).int)

    def wall(self, mono: float) -> datetime:
        return self.created_at + timedelta(seconds=mono - self.created_mono)

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
        self._seq = 0
        self._sites_version = 0
        self.on_job_start: Callable[[Job], None] | None = None  # the backup store's make_backup snapshot
        self.on_job_run: Callable[[Job, float], str | None] | None = None  # runs the script: None, or its error
        self.next_timer: Callable[[str], float | None] | None = None  # a site's next scheduler run (monotonic)
        self.on_timer: Callable[[str, float], None] | None = None  # runs the scheduler entries due then
        self.on_moment: Callable[[str, float], None] | None = None  # site's clock reached a moment (monotonic)

    @property
    def sites_version(self) -> int:
        return self._sites_version

    def update_site(self, site_id: str, name: str | None = None, identity: str | None = None) -> Site:
        with self.lock:
            site = self.sites[site_id]
            site.name = site.name if name is None else name
            site.identity = site.identity if identity is None else identity
            self._sites_version += 1
            return site

    def set_online(self, site_id: str, online: bool, moment: float | None = None) -> Site:
        """Contact lost: jobs not picked up wait. Contact back (at ``moment``): they are picked up, and a job
        whose run cut the contact reports its outcome."""
        with self.lock:
            site = self.sites[site_id]
            site.online = online
            self._sites_version += 1
            now = time.monotonic() if moment is None else moment
            for job in self.jobs.values():
                if job.site_id != site_id or job.started_at is not None:
                    if online and job.site_id == site_id and job.unreported:
                        job.unreported = False
                        self._report(job, now)
                    continue
                if not online:
                    job.pickup_due = None
                elif job.pickup_due is None:
                    job.pickup_due = now + self._pickup_delay(job)
            return site

    def _pickup_delay(self, job: Job) -> float:
        return (EXPRESS_PICKUP_SECONDS if job.express_execute else PICKUP_SECONDS) * self.time_scale

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
                created_at=datetime.now(timezone.utc),
                seq=self._seq,
            )
            if site.online:
                job.pickup_due = now + self._pickup_delay(job)
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
            if self.on_job_start is not None:
                self.on_job_start(job)
            if not job.needs_acknowledgement:
                # Without acknowledgement the job completes on delivery and errors go unreported.
                job.error = self._run(job, job.pickup_due)
                job.completed_at = job.started_at
                return
            job.finish_due = job.pickup_due + RUN_SECONDS * self.time_scale
            return
        job.error = self._run(job, job.finish_due)
        if not self.sites[job.site_id].online:
            job.unreported = True  # its own change cut the router off: it reports when contact is back
            job.finish_due = None
        else:
            self._report(job, job.finish_due)

    def _report(self, job: Job, moment: float) -> None:
        if job.error is not None:
            job.failed_at = job.wall(moment)
        else:
            job.completed_at = job.wall(moment)

    def catch_up(self, site_id: str, now: float) -> None:
        """Play the site's jobs up to ``now`` in the order things happen, so scripts run in that order."""
        with self.lock:
            while True:
                jobs = [job for job in self.jobs.values() if job.site_id == site_id]
                due = [(moment, job.seq, job) for job in jobs
                       if (moment := self._next_event(job)) is not None and moment <= now]
                timer = self.next_timer(site_id) if self.next_timer is not None else None
                if timer is not None and timer <= now and (not due or timer < min(item[0] for item in due)):
                    if self.on_moment is not None:
                        self.on_moment(site_id, timer)
                    self.on_timer(site_id, timer)
                    continue
                if not due:
                    break
                moment, _seq, job = min(due, key=lambda item: item[:2])
                if self.on_moment is not None:
                    self.on_moment(site_id, moment)
                self._step(job)
            if self.on_moment is not None:
                self.on_moment(site_id, now)

    def due_sites(self, now: float) -> set[str]:
        with self.lock:
            return {job.site_id for job in self.jobs.values()
                    if (moment := self._next_event(job)) is not None and moment <= now}

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
            return [dict(job.to_api(), cancelled=job.cancelled, error=job.error)
                    for job in sorted(self.jobs.values(), key=lambda item: item.seq)]

    def reset(self) -> None:
        """Back to the fleet as generated: no jobs, no renamed or toggled sites."""
        with self.lock:
            self.jobs.clear()
            self.sites = {site.id: site for site in build_fleet(*self._recipe)}
            self._sites_version += 1
