"""Each site's router configuration, held by the RouterOS engine (``simulator.routeros``).

A site's router starts from its seed; the script of each job runs on it when the job runs (first error stops
it, the lines before stay applied, and the job fails). ``/export`` text, which backups hold, is rendered from
the same state as ``print`` answers.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Callable

from .contact import cut_reason
from .fleet import Fleet, Job, Site
from .routeros.render import export_sections
from .routeros.router import Router
from .routeros.schema import BY_PATH
from .routeros.script import run_script
from .routeros.seed import seed_router
from .scheduler import Schedulers

_IDENTITY = BY_PATH["/system identity"]
CUT, POWER = "config", "power"  # the reasons this module blocks a site's contact
BOOT_SECONDS = 30.0  # router seconds a reboot keeps it down
EXPORT_WIDTH = 80  # RouterOS wraps export lines with " \" and a four-space continuation past this width


class Routers:
    """The router of every site, seeded on first use; runs job scripts for the fleet (``on_job_run``) and its
    scheduler entries (a clock of the fleet), reboots it when a script asks (``/system reboot``, ``/system backup
    load``), and powers it off and boots it for the ``reboot`` fault plan."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self._lock = threading.RLock()
        self._routers: dict[str, Router] = {}
        self.schedulers = Schedulers(fleet.time_scale)
        self.cut: dict[str, str] = {}  # sites whose own configuration cut them off from SDX, and why
        self._boots: dict[str, float] = {}  # routers rebooting, and when they are up again (monotonic)
        # after a script ran (a job's, or the on-event of the entries named): the fault plans look
        self.on_change: Callable[[str, float, Job | None, list[str]], None] | None = None
        fleet.on_job_run = self.run_job
        fleet.clocks.append(self)

    def next_due(self, site_id: str) -> float | None:
        dues = [due for due in (self.schedulers.next_due(site_id), self._boots.get(site_id)) if due is not None]
        return min(dues, default=None)

    def timed_sites(self) -> set[str]:
        return self.schedulers.timed_sites() | set(self._boots)

    def fire(self, site_id: str, moment: float) -> None:
        if self._boots.get(site_id, moment + 1) <= moment:
            del self._boots[site_id]
            self.boot(site_id, moment)
        else:
            self.run_timers(site_id, moment)

    def reset(self) -> None:
        with self._lock:
            self._routers.clear()
            self.schedulers.reset()
            self.cut.clear()
            self._boots.clear()

    def router(self, site: Site) -> Router:
        with self._lock:
            if site.id not in self._routers:
                self._routers[site.id] = seed_router(site)
            return self._routers[site.id]

    def run_job(self, job: Job, moment: float) -> str | None:
        """Run the job's script on its site's router: None when it ran through, else RouterOS's error."""
        site = self.fleet.sites.get(job.site_id)
        if site is None:
            return "no such site"
        with self._lock:
            error = run_script(self.router(site), job.script)
        self._changed(site, moment, job)
        return None if error is None else str(error)

    def run_timers(self, site_id: str, moment: float) -> None:
        """Fleet hook: the site's scheduler entries due at ``moment`` run their ``on-event`` scripts."""
        site = self.fleet.sites[site_id]
        with self._lock:
            router = self.router(site)
            events = self.schedulers.take_due(site_id, router, moment)
            for _name, event in events:
                run_script(router, event)  # an error stops that event's script only, as on RouterOS
                if router.rebooting:
                    break
        self._changed(site, moment, ran=[name for name, _event in events])

    def scheduler_names(self, site_id: str) -> list[str]:
        with self._lock:
            router = self.router(self.fleet.sites[site_id])
            menu = BY_PATH["/system scheduler"]
            return [str(router.value(menu, entry, "name")) for entry in router.entries(menu.path)]

    def power_off(self, site_id: str, moment: float) -> None:
        """The router loses power: no contact, no scheduler, and a job it was running never reports."""
        self.fleet.set_blocked(site_id, POWER, True, moment)
        self.fleet.power_loss(site_id)
        with self._lock:
            self.schedulers.suspend(site_id)

    def boot(self, site_id: str, moment: float) -> None:
        """The router boots with the configuration it had (RouterOS saves each change as it is made)."""
        site = self.fleet.sites[site_id]
        site.presence.booted = moment
        with self._lock:
            self.schedulers.boot(site_id, self.router(site), moment)
        self.fleet.set_blocked(site_id, POWER, False, moment)

    def _changed(self, site: Site, moment: float, job: Job | None = None, ran: list[str] | None = None) -> None:
        """After a script: timers follow the scheduler, the identity the site, contact the configuration."""
        with self._lock:
            router = self.router(site)
            self.schedulers.refresh(site.id, router, moment)
            identity = str(router.value(_IDENTITY, None, "name"))
            reason = cut_reason(router)
            rebooting, router.rebooting = router.rebooting, False
        if rebooting:  # down before anything could report; up again a while later
            self.power_off(site.id, moment)
            self._boots[site.id] = moment + BOOT_SECONDS * self.fleet.time_scale
        if identity != site.identity:
            self.fleet.update_site(site.id, identity=identity)
        if reason is not None:
            self.cut[site.id] = reason
        else:
            self.cut.pop(site.id, None)
        if (reason is not None) != (CUT in site.presence.blocks):
            self.fleet.set_blocked(site.id, CUT, reason is not None, moment)
        if self.on_change is not None:
            self.on_change(site.id, moment, job, ran or [])

    def set_identity(self, site: Site, identity: str) -> None:
        """The control surface renamed the site's router: its /system identity follows."""
        with self._lock:
            self.router(site).settings["/system identity"]["name"] = identity

    def export(self, site: Site, moment: datetime) -> str:
        with self._lock:
            return render(site, export_sections(self.router(site)), moment)


def wrap(line: str) -> list[str]:
    """Break a long line at spaces, as RouterOS does: `` \\`` at the end, four spaces on the next line."""
    out: list[str] = []
    while len(line) > EXPORT_WIDTH:
        cut = line.rfind(" ", 0, EXPORT_WIDTH - 2)
        if cut <= 4:
            break
        out.append(line[:cut + 1] + "\\")
        line = "    " + line[cut + 1:]
    return out + [line]


def render(site: Site, sections: dict[str, list[str]], moment: datetime) -> str:
    """The export text: RouterOS's header comment, then each section and its lines."""
    if site.software_version.startswith("6."):
        stamp = moment.strftime("%b/%d/%Y %H:%M:%S").lower()
    else:
        stamp = moment.strftime("%Y-%m-%d %H:%M:%S")
    lines = [f"# {stamp} by RouterOS {site.software_version}", f"# software id = {site.software_id}", "#",
             f"# model = {site.model}", f"# serial number = {site.serial_number}"]
    for section, entries in sections.items():
        if entries:
            lines.append(section)
            for entry in entries:
                lines.extend(wrap(entry))
    return "\n".join(lines) + "\n"
