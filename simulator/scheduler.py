"""``/system scheduler`` on the simulator's clock: when each entry runs its ``on-event``, time-scaled.

Router time passes ``1 / time_scale`` times faster than real time, as job phases do: at time scale 0.01 an entry
with ``interval=5m`` runs every 3 real seconds. An entry runs (RouterOS manual, System > Scheduler):

- ``start-time=startup`` (the default): every ``interval`` from when it was added, and never without one until
  the router boots; on a boot (a ``reboot`` fault plan) as if it started 3 s after it: without an ``interval`` it
  runs then, with one it does not, but one ``interval`` later, then every ``interval`` (the manual's note);
- ``start-time=HH:MM:SS`` (and ``start-date``, ``2025-01-31`` or ``jan/31/2025``): at that wall-clock moment,
  the wait to it scaled, then every ``interval``; without a date, today's or else tomorrow's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .routeros.router import Entry, Router
from .routeros.schema import BY_PATH

SCHEDULER = BY_PATH["/system scheduler"]
STARTUP_DELAY = 3  # router seconds from a boot to the run of the startup entries
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass
class Timer:
    signature: tuple
    due: float | None  # monotonic time of its next run


def seconds(duration: str) -> int:
    total = 0
    for count, unit in re.findall(r"(\d+)([wdhms])", duration):
        total += int(count) * {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}[unit]
    return total


def _date(text: str, today: datetime) -> datetime | None:
    iso = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", text)
    if iso:
        return today.replace(year=int(iso[1]), month=int(iso[2]), day=int(iso[3]))
    old = re.fullmatch(r"([a-z]{3})/(\d\d)/(\d{4})", text.lower())
    if old and old[1] in MONTHS:
        return today.replace(year=int(old[3]), month=MONTHS.index(old[1]) + 1, day=int(old[2]))
    return None


class Schedulers:
    """The timers of every site's scheduler entries, keyed by site id and entry id."""

    def __init__(self, time_scale: float) -> None:
        self.time_scale = time_scale
        self._timers: dict[str, dict[int, Timer]] = {}

    def reset(self) -> None:
        self._timers.clear()

    def suspend(self, site_id: str) -> None:
        """The router is off: nothing runs until it boots."""
        for timer in self._timers.get(site_id, {}).values():
            timer.due = None

    def boot(self, site_id: str, router: Router, now: float) -> None:
        """The router booted at ``now``: every entry starts again, the startup ones from 3 s later."""
        self._timers[site_id] = {}
        self.refresh(site_id, router, now, booting=True)

    def refresh(self, site_id: str, router: Router, now: float, booting: bool = False) -> None:
        """After a change: new or changed entries get their next run, removed ones lose theirs."""
        timers = self._timers.setdefault(site_id, {})
        entries = {entry.id: entry for entry in router.entries(SCHEDULER.path)}
        for entry_id in set(timers) - set(entries):
            del timers[entry_id]
        for entry_id, entry in entries.items():
            signature = tuple(str(router.value(SCHEDULER, entry, name)) for name in
                              ("start-date", "start-time", "interval", "disabled"))
            if entry_id not in timers or timers[entry_id].signature != signature:
                timers[entry_id] = Timer(signature, self._first_run(router, entry, now, booting))

    def _first_run(self, router: Router, entry: Entry, now: float, booting: bool = False) -> float | None:
        if router.value(SCHEDULER, entry, "disabled"):
            return None
        interval = seconds(str(router.value(SCHEDULER, entry, "interval")))
        start = str(router.value(SCHEDULER, entry, "start-time"))
        clock = re.fullmatch(r"(\d\d?):(\d\d):(\d\d)", start)
        if clock is None and booting:
            # As if its start were 3 s after the boot: with an interval, it does not run then, but an interval later.
            return now + (STARTUP_DELAY + interval) * self.time_scale
        if clock is None:  # startup
            return now + interval * self.time_scale if interval else None
        wall = datetime.now(timezone.utc)
        date = _date(str(router.value(SCHEDULER, entry, "start-date") or ""), wall)
        target = (date or wall).replace(hour=int(clock[1]), minute=int(clock[2]), second=int(clock[3]),
                                        microsecond=0)
        while target < wall:
            if interval:
                target += timedelta(seconds=interval * max(1, int((wall - target).total_seconds() // interval)))
            elif date is None:
                target += timedelta(days=1)
            else:
                return None
        return now + (target - wall).total_seconds() * self.time_scale

    def next_due(self, site_id: str) -> float | None:
        dues = [timer.due for timer in self._timers.get(site_id, {}).values() if timer.due is not None]
        return min(dues, default=None)

    def timed_sites(self) -> set[str]:
        return {site_id for site_id in self._timers if self.next_due(site_id) is not None}

    def take_due(self, site_id: str, router: Router, moment: float) -> list[tuple[str, str]]:
        """The name and ``on-event`` of each entry due at ``moment``, its run counted and its next run set."""
        events = []
        for entry in router.entries(SCHEDULER.path):
            timer = self._timers.get(site_id, {}).get(entry.id)
            if timer is None or timer.due is None or timer.due > moment:
                continue
            interval = seconds(str(router.value(SCHEDULER, entry, "interval")))
            timer.due = timer.due + interval * self.time_scale if interval else None
            entry.fixed["run-count"] = str(int(str(router.value(SCHEDULER, entry, "run-count"))) + 1)
            events.append((str(router.value(SCHEDULER, entry, "name")),
                           str(router.value(SCHEDULER, entry, "on-event"))))
        return events
