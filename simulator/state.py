"""What one simulator process holds: the fleet, the rate window, faults, the request log; API errors."""

from __future__ import annotations

import collections
import json
import threading
import time
from urllib.parse import urlsplit

from .backups import BackupStore
from .config import Routers
from .faults import FaultBook, FaultRule
from .fleet import Fleet, Site
from .notify import Notifier, is_loopback_url
from .plans import PlanBook
from .sites import HEARTBEAT_SECONDS, MISSED_HEARTBEATS

DOC_URL = "https://docs.altostrat.io/errors/"


class ApiError(Exception):
    """An ErrorResponse the simulator answers with."""

    def __init__(self, status: int, error_type: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"type": error_type, "code": code, "message": message, "doc_url": DOC_URL + code}


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, "invalid_request_error", "resource_missing", f"No {what} found with id '{ident}'.")


def invalid(code: str, message: str) -> ApiError:
    return ApiError(400, "invalid_request_error", code, message)


class RateLimiter:
    """Sliding one-minute window per API key, as Laravel's throttle middleware counts."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._lock = threading.Lock()
        self._hits: dict[str, collections.deque] = {}

    def check(self, key: str) -> tuple[bool, int, int]:
        """Record a hit; answer (allowed, remaining, seconds until a slot frees)."""
        if self.per_minute <= 0:
            return True, -1, 0
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, collections.deque())
            while hits and now - hits[0] >= 60.0:
                hits.popleft()
            if len(hits) >= self.per_minute:
                wait = 60.0 - (now - hits[0])
                return False, 0, max(1, int(wait + 0.999))
            hits.append(now)
            return True, self.per_minute - len(hits), 0

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


class Simulator:  # pylint: disable=too-many-instance-attributes
    """All state one simulator process serves."""

    def __init__(self, *, sites: int, offline_ratio: float, token: str, rate_limit: int, seed: int,
                 time_scale: float, page_size: int = 0, retry_after: bool = True,
                 associated_backup: bool = True, sync_shape: str = "envelope", bulk_backups: bool = True,
                 heartbeat_seconds: float = HEARTBEAT_SECONDS, missed_heartbeats: int = MISSED_HEARTBEATS,
                 plans: tuple = (), faults: tuple = ()) -> None:
        self.fleet = Fleet(sites, offline_ratio, seed, time_scale)
        self.routers = Routers(self.fleet)
        self.backups = BackupStore(self.fleet, self.routers, time_scale, associated=associated_backup)
        self.plans = PlanBook(self.fleet, self.routers)
        # Switches a test may flip at run time (/_sim/settings); reset() restores these, the start's values.
        self.initial_settings = {"sync_shape": sync_shape, "bulk_backups": bulk_backups,
                                 "heartbeat_seconds": heartbeat_seconds, "missed_heartbeats": missed_heartbeats}
        self.settings: dict = {}
        self.initial_plans, self.initial_faults = plans, faults  # the command line's, set again on reset
        self.token = token
        self.limiter = RateLimiter(rate_limit)
        self.retry_after = retry_after
        self.page_size = page_size
        self.faults = FaultBook()
        self.notifier = Notifier(self.fleet)
        self._log_lock = threading.Lock()
        self._log: list[dict] = []
        self._sites_cache: dict[tuple, bytes] = {}
        self.apply_settings(self.initial_settings)
        self._set_initial_plans()

    def apply_settings(self, changes: dict) -> None:
        self.settings.update(changes)
        self.fleet.heartbeats.seconds = float(self.settings["heartbeat_seconds"])
        self.fleet.heartbeats.missed = int(self.settings["missed_heartbeats"])

    def _set_initial_plans(self) -> None:
        for rule in self.initial_faults:
            self.faults.add(FaultRule.from_json(rule))
        for plan in self.initial_plans:
            self.plans.add(plan)

    def record(self, entry: dict) -> None:
        with self._log_lock:
            entry["seq"] = len(self._log) + 1
            self._log.append(entry)

    def requests(self) -> list[dict]:
        with self._log_lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def reset(self) -> None:
        self.plans.clear()  # first: an outage it ends acts on the sites before they are generated afresh
        self.fleet.reset()
        self.routers.reset()
        self.apply_settings(self.initial_settings)
        self.notifier.clear()
        self.backups.reset()
        self.faults.clear()
        self.limiter.reset()
        self.clear_log()
        self._set_initial_plans()

    def settle(self) -> None:
        """Bring every site with a job, scheduler entry or fault plan due up to now, before answering whether it
        is online: a job may have cut a router off, a scheduler's revert brought one back."""
        now = time.monotonic()
        for site_id in self.fleet.due_sites(now):
            self.fleet.catch_up(site_id, now)

    def site(self, site_id: str) -> Site:
        self.settle()
        site = self.fleet.sites.get(site_id)
        if site is None:
            raise not_found("site", site_id)
        return site

    def sites_page(self, page: int, base_url: str) -> bytes:
        """The serialised /sites answer, cached per fleet version because 10,000 sites are 5 MB."""
        self.settle()
        with self.fleet.lock:
            key = (self.fleet.sites_version, self.fleet.heartbeats.beat_number(time.monotonic()),
                   self._pulses_lagging(), page, base_url)
        cached = self._sites_cache.get(key)
        if cached is not None:
            return cached
        with self.fleet.lock:
            sites = [self.fleet.site_api(site) for site in self.fleet.sites.values()]
        if self.page_size <= 0:
            body: object = sites
        else:
            last = max(1, -(-len(sites) // self.page_size))
            chunk = sites[(page - 1) * self.page_size:page * self.page_size]
            body = {
                "data": chunk,
                "links": {
                    "first": f"{base_url}/sites?page=1",
                    "last": f"{base_url}/sites?page={last}",
                    "prev": f"{base_url}/sites?page={page - 1}" if page > 1 else None,
                    "next": f"{base_url}/sites?page={page + 1}" if page < last else None,
                },
                "meta": {"current_page": page, "per_page": self.page_size, "total": len(sites), "last_page": last},
            }
        encoded = json.dumps(body).encode()
        self._sites_cache = {key: encoded, **{k: v for k, v in self._sites_cache.items() if k[:3] == key[:3]}}
        return encoded

    def _pulses_lagging(self) -> tuple[str, ...]:
        """The cut-off sites SDX still counts online (their missed heartbeats not yet enough): part of the cache key."""
        now, beats = time.monotonic(), self.fleet.heartbeats
        return tuple(site.id for site in self.fleet.sites.values()
                     if not site.online and beats.pulse(site.presence, now))


def validate_async_body(body: object) -> dict:
    """Check a queue request against the documented AsynchronousScriptRequest schema."""
    if not isinstance(body, dict):
        raise invalid("parameter_invalid", "The request body must be a JSON object.")
    for name in ("description", "script"):
        if name not in body or body[name] is None:
            raise invalid("parameter_missing", f"The '{name}' parameter is required.")
        if not isinstance(body[name], str) or not body[name].strip():
            raise invalid("parameter_invalid", f"The '{name}' parameter must be a non-empty string.")
    for name in ("make_backup", "express_execute", "needs_acknowledgement"):
        if body.get(name) is not None and not isinstance(body[name], bool):
            raise invalid("parameter_invalid", f"The '{name}' parameter must be a boolean.")
    notify_url = body.get("notify_url")
    if notify_url is not None:
        parts = urlsplit(notify_url) if isinstance(notify_url, str) else None
        # Loopback http:// is a simulator exception so tests can receive notifications (notify.py).
        https = parts is not None and parts.scheme == "https" and bool(parts.netloc)
        if not https and not is_loopback_url(notify_url):
            raise invalid("parameter_invalid", "The 'notify_url' parameter must be an https URL.")
    return body


def check_latest_body(body: object) -> list[str]:
    """The ``sites`` of a ``POST /backups/latest`` body: 1 to 50 site ids, or the ApiError that says why not."""
    if not isinstance(body, dict) or "sites" not in body:
        raise invalid("parameter_missing", "The 'sites' parameter is required.")
    sites = body["sites"]
    if not isinstance(sites, list) or not all(isinstance(site, str) and site for site in sites):
        raise invalid("parameter_invalid", "The 'sites' parameter must be an array of site ids.")
    if not 1 <= len(sites) <= 50:
        raise invalid("parameter_invalid", "The 'sites' parameter must hold between 1 and 50 site ids.")
    return sites
