"""Fault plans (tests only): what happens to a site's jobs and its contact with SDX, on the simulator's clock.

Where ``faults.py`` breaks HTTP answers, a plan breaks the router's side, as the SDX documentation and the RouterOS
manual describe it. Each plan is for one site (``site``: its id or name; ``lose`` and ``hold`` may leave it out to
match every site) and is matched to jobs by their script (``script``: a regular expression searched in it, so a
test can target "the confirm job"), passing ``skip`` matches by first and then acting on ``count`` of them (0:
every one). Durations are router seconds, scaled by the time scale as job phases are.

- ``lose``: the API accepts the job (202, listed), but the router never runs it. ``stage: pending`` (default): it
  never picks it up, so the job stays pending (and can be cancelled). ``stage: running``: the router takes it
  (``started_at``) and loses it before its script runs: with ``needs_acknowledgement`` it stays running for
  ever, without it it is marked completed on delivery, as the documentation says such jobs are, though nothing ran.
- ``hold``: the router picks the job up late: not before ``seconds`` after it was queued, and, with
  ``until_scheduler`` (a regular expression matched to whole ``/system scheduler`` names), only once an entry so
  named has run its ``on-event`` or none is left on the router. The site keeps checking in and answering
  synchronous commands meanwhile: this is the race where a revert fires while the confirm waits in the queue.
- ``flap``: the site loses contact for ``down`` seconds, then has it for ``up``, ``times`` times (0: for ever),
  starting ``after`` seconds from when the plan is set, or from when a job matching ``script`` ran its script.
  Its configuration has nothing to do with it; while down it misses heartbeats, synchronous commands fail and jobs
  wait, as when a change cuts it off.
- ``reboot``: the router loses power ``after`` seconds from when the plan is set or a matching job ran, and boots
  ``down`` seconds later (RouterOS saves each change as it is made, so the configuration is as it was). A job it
  was running never reports. Scheduler entries start again as on a boot: ``start-time=startup`` ones as if
  started 3 s after it (run then without an ``interval``, one ``interval`` later with one); those with a clock
  time keep to it, runs missed while off are lost.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

from .config import BOOT_SECONDS, Routers
from .fleet import Fleet, Job

KINDS = ("lose", "hold", "flap", "reboot")
COMMON = {"plan", "site", "script", "skip", "count"}
KIND_FIELDS = {"lose": {"stage"}, "hold": {"seconds", "until_scheduler"}, "flap": {"after", "down", "up", "times"},
               "reboot": {"after", "down"}}


class PlanError(ValueError):
    pass


def _number(data: dict, name: str, default: float | None, minimum: float = 0.0) -> float | None:
    value = data.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise PlanError(f"{name} must be a number of router seconds, at least {minimum:g}")
    return float(value)


def _count(data: dict, name: str, default: int) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PlanError(f"{name} must be a whole number, 0 or more")
    return value


def _regex(data: dict, name: str) -> re.Pattern | None:
    value = data.get(name)
    if value is None:
        return None
    try:
        return re.compile(value)
    except (re.error, TypeError) as error:
        raise PlanError(f"{name} must be a regular expression: {error}") from None


@dataclass
class Plan:  # pylint: disable=too-many-instance-attributes
    """One fault plan as set through ``POST /_sim/plans``, with what it did so far."""

    kind: str
    site: str | None
    script: re.Pattern | None
    skip: int
    count: int
    options: dict
    number: int = 0  # its place among the plans set (a flap blocks contact under its own name)
    matched: list[str] = field(default_factory=list)  # ids of the jobs it acted on
    started: int = 0  # flap and reboot: how many times it started

    @classmethod
    def from_json(cls, data: object, fleet: Fleet) -> "Plan":
        if not isinstance(data, dict) or data.get("plan") not in KINDS:
            raise PlanError(f"plan must be one of {', '.join(KINDS)}")
        kind = data["plan"]
        unknown = set(data) - COMMON - KIND_FIELDS[kind]
        if unknown:
            raise PlanError(f"unknown fields for a {kind} plan: {', '.join(sorted(unknown))}")
        site = data.get("site")
        if site is not None:
            site = next((item.id for item in fleet.sites.values() if site in (item.id, item.name)), None)
            if site is None:
                raise PlanError(f"site {data['site']!r} is neither the id nor the name of a site")
        elif kind in ("flap", "reboot"):
            raise PlanError(f"a {kind} plan needs the site it is for")
        return cls(kind, site, _regex(data, "script"), _count(data, "skip", 0), _count(data, "count", 1),
                   cls._options(kind, data))

    @staticmethod
    def _options(kind: str, data: dict) -> dict:
        if kind == "lose":
            if data.get("stage", "pending") not in ("pending", "running"):
                raise PlanError("stage must be pending or running")
            return {"stage": data.get("stage", "pending")}
        if kind == "hold":
            options = {"seconds": _number(data, "seconds", None), "until_scheduler": _regex(data, "until_scheduler")}
            if options["seconds"] is None and options["until_scheduler"] is None:
                raise PlanError("a hold plan needs seconds, until_scheduler or both")
            return options
        options = {"after": _number(data, "after", 0.0), "down": _number(data, "down", BOOT_SECONDS, 0.001)}
        if kind == "flap":
            if "down" not in data:
                raise PlanError("a flap plan needs down: how long each outage lasts")
            options.update(up=_number(data, "up", 0.0), times=_count(data, "times", 1))
            if options["times"] == 0 and not options["up"]:
                raise PlanError("a flap plan for ever (times: 0) needs up: how long contact lasts between outages")
        return options

    def takes(self, job: Job) -> bool:
        """Whether the plan acts on this job (counting it when it does)."""
        if self.site not in (None, job.site_id) or (self.script is not None and not self.script.search(job.script)):
            return False
        if self.skip:
            self.skip -= 1
            return False
        if self.count and len(self.matched) >= self.count:
            return False
        self.matched.append(job.id)
        return True

    def to_json(self) -> dict:
        options = {name: value.pattern if isinstance(value, re.Pattern) else value
                   for name, value in self.options.items()}
        return {"plan": self.kind, "site": self.site, "script": self.script.pattern if self.script else None,
                "skip": self.skip, "count": self.count, **options, "jobs": list(self.matched), "started": self.started}


@dataclass
class Outage:
    """A flap or reboot under way on one site: its next transition."""

    plan: Plan
    due: float
    down: bool  # whether the next transition starts an outage (or ends one)
    left: int  # outages still to start (flap; 0 with times 0 means for ever)


class PlanBook:
    """The plans in force; a clock of the fleet (outages) and the hooks that mark jobs."""

    def __init__(self, fleet: Fleet, routers: Routers) -> None:
        self.fleet = fleet
        self.routers = routers
        self.time_scale = fleet.time_scale
        self._lock = threading.RLock()
        self._plans: list[Plan] = []
        self._outages: dict[str, list[Outage]] = {}
        fleet.clocks.append(self)
        fleet.on_queue = self.job_queued
        routers.on_change = self.router_changed

    def check(self, plans: list) -> None:
        """Raise PlanError for the first plan that is not valid, before any is set."""
        for data in plans:
            Plan.from_json(data, self.fleet)

    def add(self, data: object) -> None:
        plan = Plan.from_json(data, self.fleet)
        with self.fleet.lock, self._lock:
            self._plans.append(plan)
            plan.number = len(self._plans)
            if plan.kind in ("flap", "reboot") and plan.script is None:  # started by being set, not by a job
                self._start(plan, time.monotonic())

    def clear(self) -> None:
        """Forget every plan: an outage under way ends now, a held job is released; a lost job stays lost."""
        now = time.monotonic()
        with self.fleet.lock, self._lock:
            ongoing = [(site_id, outage) for site_id, outages in self._outages.items() for outage in outages
                       if not outage.down]
            self._plans.clear()
            self._outages.clear()
            for site_id, outage in ongoing:
                self._end(site_id, outage.plan, now)
            for job in self.fleet.jobs.values():
                if job.await_scheduler is not None or job.not_before is not None:
                    job.not_before = None
                    self.fleet.release(job, now)

    def to_json(self) -> list[dict]:
        with self._lock:
            return [plan.to_json() for plan in self._plans]

    # -- jobs -------------------------------------------------------------------------------------
    def job_queued(self, job: Job) -> None:
        """Fleet hook: the first plan of ``lose`` or ``hold`` that takes the job marks it."""
        with self._lock:
            plan = next((plan for plan in self._plans if plan.kind in ("lose", "hold") and plan.takes(job)), None)
        if plan is None:
            return
        if plan.kind == "lose":
            job.lost = plan.options["stage"]
            return
        if plan.options["seconds"] is not None:
            job.not_before = job.created_mono + plan.options["seconds"] * self.time_scale
        pattern = plan.options["until_scheduler"]
        if pattern is not None:
            self.fleet.catch_up(job.site_id, job.created_mono)  # the router as it is now: has a revert run?
        if pattern is not None and self._scheduled(job.site_id, pattern):
            job.await_scheduler = pattern.pattern

    def _scheduled(self, site_id: str, pattern: re.Pattern) -> bool:
        return any(pattern.fullmatch(name) for name in self.routers.scheduler_names(site_id))

    def router_changed(self, site_id: str, moment: float, job: Job | None, ran: list[str]) -> None:
        """Routers hook: a script ran on the router (a job's, or the ``on-event`` of the entries in ``ran``)."""
        with self._lock:
            if job is not None:
                for plan in self._plans:
                    if plan.kind in ("flap", "reboot") and plan.script is not None and plan.takes(job):
                        self._start(plan, moment)
        for held in [item for item in self.fleet.jobs.values()
                     if item.site_id == site_id and item.await_scheduler is not None]:
            pattern = re.compile(held.await_scheduler)
            if any(pattern.fullmatch(name) for name in ran) or not self._scheduled(site_id, pattern):
                self.fleet.release(held, moment)

    # -- outages (the fleet's clock) --------------------------------------------------------------------
    def _start(self, plan: Plan, moment: float) -> None:
        """The plan's first outage starts ``after`` seconds from ``moment``; with none, at once: when a job's
        script started it, before the job can report."""
        plan.started += 1
        outage = Outage(plan, moment + plan.options["after"] * self.time_scale, True,
                        plan.options.get("times", 1))
        self._outages.setdefault(plan.site, []).append(outage)
        if not plan.options["after"]:
            self._turn(plan.site, outage, moment)

    def next_due(self, site_id: str) -> float | None:
        with self._lock:
            return min((outage.due for outage in self._outages.get(site_id, [])), default=None)

    def timed_sites(self) -> set[str]:
        with self._lock:
            return {site_id for site_id, outages in self._outages.items() if outages}

    def fire(self, site_id: str, moment: float) -> None:
        with self._lock:
            outage = min((item for item in self._outages.get(site_id, []) if item.due <= moment),
                         key=lambda item: item.due)
        self._turn(site_id, outage, moment)

    def _turn(self, site_id: str, outage: Outage, moment: float) -> None:
        """The outage starts or ends at ``moment``; the next turn is set, or it is over."""
        with self._lock:
            options, starting = outage.plan.options, outage.down
            if outage.down:
                outage.left -= 1
                outage.down, outage.due = False, moment + options["down"] * self.time_scale
            elif outage.left != 0 or options.get("times") == 0:
                outage.down, outage.due = True, moment + options.get("up", 0.0) * self.time_scale
            else:
                self._outages[site_id].remove(outage)
        if not starting:
            self._end(site_id, outage.plan, moment)
        elif outage.plan.kind == "flap":
            self.fleet.set_blocked(site_id, f"flap {outage.plan.number}", True, moment)
        else:
            self.routers.power_off(site_id, moment)

    def _end(self, site_id: str, plan: Plan, moment: float) -> None:
        if plan.kind == "flap":
            self.fleet.set_blocked(site_id, f"flap {plan.number}", False, moment)
        else:
            self.routers.boot(site_id, moment)
