"""Job notifications: POST the documented payload to a job's ``notify_url`` whenever its status changes.

The real API only calls ``https://`` URLs. The simulator calls loopback addresses only (it never sends anything
off the machine), and it accepts ``http://`` loopback URLs too, so tests can run a plain receiver; for an
``https://`` loopback receiver it skips certificate checks (tests use self-signed certificates).
"""

from __future__ import annotations

import ipaddress
import json
import ssl
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from urllib.parse import urlsplit

from .fleet import Fleet, Job

CUSTOMER_ID = "5f1c2b7a-3d4e-4f60-8a9b-0c1d2e3f4a5b"
TICK = 0.05
ATTEMPTS = 3
RETRY_PAUSE = 0.5
FINAL = ("completed", "failed", "deleted")


def is_loopback_url(url: object, schemes: tuple[str, ...] = ("http", "https")) -> bool:
    """True for an http(s) URL whose host is a loopback address or ``localhost``."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _stamp(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds") if moment else None


def notify_status(job: Job) -> str:
    """The payload's status vocabulary: pending, running, completed, failed, deleted."""
    if job.cancelled:
        return "deleted"
    if job.failed_at:
        return "failed"
    if job.completed_at:
        return "completed"
    return "running" if job.started_at else "pending"


class Notifier:
    """One background thread that advances watched jobs and sends a notification per status change."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self._lock = threading.Lock()
        self._watched: dict[str, str | None] = {}  # job id -> last status notified
        self._deleted_at: dict[str, datetime] = {}
        self._thread: threading.Thread | None = None
        self._seq = int(time.time())
        self._log: list[dict] = []

    def watch(self, job: Job) -> None:
        """Start notifying for a job queued with a notify_url."""
        if not job.notify_url:
            return
        with self._lock:
            self._watched[job.id] = None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sdx-notifier", daemon=True)
                self._thread.start()
        self.tick()

    def log(self) -> list[dict]:
        with self._lock:
            return list(self._log)

    def clear(self) -> None:
        with self._lock:
            self._watched.clear()
            self._log.clear()

    def _run(self) -> None:
        while True:
            time.sleep(TICK)
            if not self.tick():
                with self._lock:
                    if not self._watched:
                        self._thread = None
                        return

    def tick(self) -> bool:
        """Send what changed since the last tick; answers whether jobs are still watched."""
        due: list[tuple[Job, dict]] = []
        with self.fleet.lock, self._lock:
            now = time.monotonic()
            for job_id, last in list(self._watched.items()):
                job = self.fleet.jobs.get(job_id)
                if job is None:  # the fleet was reset
                    del self._watched[job_id]
                    continue
                self.fleet.catch_up(job.site_id, now)
                status = notify_status(job)
                if status == last:
                    continue
                self._watched[job_id] = status
                if status == "deleted":
                    self._deleted_at[job_id] = datetime.now(timezone.utc)
                if status in FINAL:
                    del self._watched[job_id]
                self._seq += 1
                due.append((job, self.payload(job, status)))
            watching = bool(self._watched)
        for job, payload in due:
            threading.Thread(target=self._deliver, args=(job.notify_url, payload), daemon=True).start()
        return watching

    def payload(self, job: Job, status: str) -> dict:
        return {
            "job_id": job.id,
            "customer_id": CUSTOMER_ID,
            "description": job.description,
            "router_id": job.site_id,
            "idempotency_key": job.idempotency_key,
            "express_execute": job.express_execute,
            "needs_acknowledgement": job.needs_acknowledgement,
            "make_backup": job.make_backup,
            "seq_id": self._seq,
            "started_at": _stamp(job.started_at),
            "completed_at": _stamp(job.completed_at),
            "failed_at": _stamp(job.failed_at),
            "deleted_at": _stamp(self._deleted_at.get(job.id)),
            "status": status,
        }

    def _deliver(self, url: str, payload: dict) -> None:
        entry = {"id": str(uuid.uuid4()), "url": url, "payload": payload, "answers": []}
        if not is_loopback_url(url):
            entry["answers"].append("refused: the simulator only calls loopback URLs")
        else:
            for attempt in range(ATTEMPTS):
                answer = _post(url, payload)
                entry["answers"].append(answer)
                if isinstance(answer, int) and (answer < 500 and answer != 429):
                    break
                if attempt + 1 < ATTEMPTS:
                    time.sleep(RETRY_PAUSE)
        with self._lock:
            self._log.append(entry)


def _post(url: str, payload: dict) -> int | str:
    """One POST; answers the HTTP status, or the connection error as text."""
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "User-Agent": "sdx-simulator-notifier"})
    context = ssl._create_unverified_context() if url.startswith("https:") else None  # pylint: disable=protected-access
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError) as error:
        return f"error: {getattr(error, 'reason', error)}"
