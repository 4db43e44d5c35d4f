"""Configuration backups: ``POST /backup/{siteId}``, ``GET /backup/{siteId}[/{filename}]``.

A backup holds the site router's ``/export`` at its moment: a job's pre-change backup is taken just before
the job's script runs, a requested one when the router exports (a moment after the request). Job state
advances lazily (on reads), in the order things happen; the fleet tells the store each moment it reaches
(``on_moment``), so a backup due at that moment takes the configuration as it was then.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .config import Routers, render
from .fleet import EXAMPLE_SITE_ID, Fleet, Job, Site
from .routeros.render import export_sections
from .routeros.seed import seed_router

# Seconds from POST /backup until the backup is listed, at time scale 1.0.
BACKUP_SECONDS = 3.0
# Backups every site already has: (days ago, whether the seeded DNS entry was there yet).
SEEDED = ((2, False), (1, True))
# The documentation's example backup (the API docs' filename): the example site's oldest backup, so that
# examples naming it run as written.
EXAMPLE_BACKUP = "1732567800.rsc"


@dataclass
class Backup:
    site_id: str
    filename: str
    moment: datetime
    due: float  # monotonic time from which it is listed
    before_job: str | None = None  # a job's pre-change backup: taken just before that job ran
    content: str | None = None  # the export, once the router has taken it

    def listed(self, now: float) -> bool:
        return now >= self.due


def human_size(size: int) -> str:
    """``12.3KB`` as the API shows sizes."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024 or unit == "MB":
            return f"{value:.1f}{unit}"
        value /= 1024
    return f"{value:.1f}MB"


class BackupStore:
    """Every site's backups. ``associated`` makes jobs name their pre-change backup (``associated_backup``)."""

    def __init__(self, fleet: Fleet, routers: Routers, time_scale: float, associated: bool = True) -> None:
        self.fleet = fleet
        self.routers = routers
        self.time_scale = time_scale
        self.associated = associated
        self._lock = threading.RLock()
        self._backups: dict[str, list[Backup]] = {}
        self._seeded: set[str] = set()
        fleet.on_job_start = self._job_started
        fleet.on_moment = self._moment

    def reset(self) -> None:
        with self._lock:
            self._backups.clear()
            self._seeded.clear()

    def _moment(self, site_id: str, now: float) -> None:
        """Fleet hook: the site's clock reached ``now``; requested backups due by then take the export."""
        site = self.fleet.sites.get(site_id)
        if site is None:
            return
        with self._lock:
            for backup in self._backups.get(site_id, []):
                if backup.content is None and backup.due <= now:
                    backup.content = self.routers.export(site, backup.moment)

    # -- backups ----------------------------------------------------------------------------------
    def _site_backups(self, site: Site) -> list[Backup]:
        with self._lock:
            if site.id not in self._seeded:
                self._seeded.add(site.id)
                self._backups.setdefault(site.id, []).extend(self._seed(site))
            return self._backups.setdefault(site.id, [])

    def _seed(self, site: Site) -> list[Backup]:
        seeded = []
        now = datetime.now(timezone.utc).replace(microsecond=0)
        for index, (days, with_dns) in enumerate(SEEDED):
            moment = now - timedelta(days=days)
            if site.id == EXAMPLE_SITE_ID and index == 0:
                moment = datetime.fromtimestamp(int(EXAMPLE_BACKUP.removesuffix(".rsc")), timezone.utc)
            sections = export_sections(seed_router(site, with_dns=with_dns))
            seeded.append(Backup(site.id, f"{int(moment.timestamp())}.rsc", moment, 0.0,
                                 content=render(site, sections, moment)))
        return seeded

    def _add(self, site: Site, moment: datetime, due: float, before_job: str | None = None) -> Backup:
        """A new backup, its filename the moment's UNIX second (the next free one when taken)."""
        backups = self._site_backups(site)
        taken = {backup.filename for backup in backups}
        second = int(moment.timestamp())
        while f"{second}.rsc" in taken:
            second += 1
        backup = Backup(site.id, f"{second}.rsc", moment, due, before_job=before_job)
        backups.append(backup)
        return backup

    def _job_started(self, job: Job) -> None:
        """Fleet hook: a job queued with make_backup is backed up just before its script runs."""
        if not job.make_backup or job.started_at is None:
            return
        site = self.fleet.sites.get(job.site_id)
        if site is None:
            return
        with self._lock:
            backup = self._add(site, job.started_at, 0.0, before_job=job.id)
            backup.content = self.routers.export(site, job.started_at)
            if self.associated:
                job.associated_backup = f"{site.id}/{backup.filename}"

    def request(self, site: Site) -> bool:
        """POST /backup: the router exports a little later; an offline router never does."""
        if not site.online:
            return False
        now = time.monotonic()
        due = now + BACKUP_SECONDS * self.time_scale
        moment = datetime.now(timezone.utc) + timedelta(seconds=due - now)
        with self._lock:
            self._add(site, moment, due)
        return True

    def listed(self, site: Site) -> list[Backup]:
        """The backups listed now, newest first (jobs advanced first, so job backups are current)."""
        self.fleet.site_jobs(site.id)
        now = time.monotonic()
        with self._lock:
            backups = [backup for backup in self._site_backups(site) if backup.listed(now)]
        return sorted(backups, key=lambda backup: (backup.moment, backup.filename), reverse=True)

    def find(self, site: Site, filename: str) -> Backup | None:
        return next((backup for backup in self.listed(site) if backup.filename == filename), None)

    def content(self, site: Site, backup: Backup) -> str:
        if backup.content is None:  # listed, so due: the fleet has not reached its moment yet
            self.fleet.catch_up(site.id, time.monotonic())
        return backup.content or self.routers.export(site, backup.moment)

    def to_api(self, site: Site, backup: Backup, with_content: bool = False) -> dict:
        with self.fleet.lock:
            text = self.content(site, backup)
        data = {
            "filename": backup.filename,
            "size": human_size(len(text.encode())),
            "date": backup.moment.strftime("%d/%m/%Y"),
            "time": backup.moment.strftime("%H:%M:%S"),
            "created_at": backup.moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        if with_content:
            data["content"] = text
        return data

    def latest_of(self, site_ids: list[str]) -> dict:
        """``POST /backups/latest``: each site's newest backup with its content, and an error for each other."""
        results: dict[str, dict] = {}
        errors: dict[str, dict] = {}
        for site_id in dict.fromkeys(site_ids):
            site = self.fleet.sites.get(site_id)
            listed = self.listed(site) if site is not None else []
            if listed:
                results[site_id] = self.to_api(site, listed[0], with_content=True)
            elif site is None:
                errors[site_id] = {"code": "resource_missing", "message": f"No site found with id '{site_id}'."}
            else:
                errors[site_id] = {"code": "no_backups", "message": f"Site '{site_id}' has no backups yet."}
        return {"results": results, "total_sites": len(results) + len(errors), "successful": len(results),
                "errors": errors}
