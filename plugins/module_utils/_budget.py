# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""A request budget shared by every process on this machine that uses the same API URL and token.

SDX allows a number of requests per minute per API key, and Ansible runs each task in its own process,
one per fork. Each process records its requests in one small state file (keyed by a hash of URL and
token, never the token itself) under an exclusive ``fcntl`` lock.

A request holds its slot from the moment it is taken until ``window`` seconds after its answer came
back; a request still in flight holds its slot too. A request reaches the server after its slot was
taken and before its answer comes back, so two requests that share a slot arrive at the server at least
``window`` seconds apart, however late the first one arrived: no span of ``window`` seconds at the server
ever holds more than the limit, whatever window the server counts in. A request that gives way (a poll
of a running job, which may as well come a little later) waits while another process has a request
waiting. When the server answers 429 anyway (another machine uses the same token), its ``Retry-After``
closes the budget for every process until then.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Optional

WINDOW = 60.0
# Seconds added to each hold, for clocks that run at slightly different rates here and at the server.
MARGIN = 0.25
# A process that registered a waiting request this long ago without taking it is assumed gone.
STALE_WAITER = 120.0
# A request in flight this long is assumed lost with its process (a live process answers within its timeout).
STALE_IN_FLIGHT = 900.0
# How often a request that waits for an in-flight slot looks again.
RECHECK = 0.25
# A wait longer than this is told to on_wait (once per request), so that the user sees why the task is slow.
NOTICE_AFTER = 2.0


def state_dir() -> Path:
    path = Path(tempfile.gettempdir()) / f"altostrat-sdx-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _alive(pid: Any) -> bool:
    try:
        os.kill(int(pid), 0)
    except (OSError, TypeError, ValueError, OverflowError):
        return False
    return True


class RateBudget:
    """At most ``per_minute`` requests per ``window`` (60) seconds at the server, across processes.

    ``acquire()`` takes a slot before a request and answers the seconds it waited for it; ``release()`` after
    its answer starts the slot's last ``window`` seconds. ``waited`` totals the seconds every ``acquire()`` waited.
    """

    def __init__(self, api_url: str, api_token: str, per_minute: int, directory: Optional[Path] = None,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 window: float = WINDOW, alive: Callable[[Any], bool] = _alive,
                 on_wait: Optional[Callable[[Optional[float], int, int], None]] = None) -> None:
        self.per_minute = per_minute
        self.window = window
        digest = hashlib.sha256(f"{api_url.rstrip('/')}\0{api_token}".encode()).hexdigest()[:32]
        self.path = (directory or state_dir()) / f"budget-{digest}.json"
        self.clock = clock
        self.sleep = sleep
        self.alive = alive
        self.waited = 0.0
        self._ticket: Optional[str] = None
        # Told once per acquire() that waits more than NOTICE_AFTER: (seconds expected or None, limit, processes).
        self.on_wait = on_wait

    def acquire(self, give_way: bool = False) -> float:
        """Block until a request may go out now and take its slot; answers the seconds waited.

        With ``give_way`` it also waits while a request of another process is waiting for a slot.
        """
        if self._ticket is not None:  # the previous request never reported its answer: its hold starts now
            self.release()
        waited = 0.0
        told = False
        me = str(os.getpid())
        while True:
            with _LockedState(self.path) as state:
                now = self.clock()
                slots = self._live_slots(state, now)
                waiters = {pid: since for pid, since in state.get("waiters", {}).items()
                           if pid != me and now - since < STALE_WAITER}
                closed = state.get("closed_until") if isinstance(state.get("closed_until"), (int, float)) else 0.0
                if closed <= now and len(slots) < self.per_minute and not (give_way and waiters):
                    self._ticket = uuid.uuid4().hex
                    slots.append({"ticket": self._ticket, "pid": os.getpid(), "taken": now, "until": None})
                    state.update(stamps=slots, waiters=waiters)
                    self.waited += waited
                    return waited
                if not give_way:
                    waiters[me] = state.get("waiters", {}).get(me, now)
                state.update(stamps=slots, waiters=waiters)
                pause = self._next_free(slots, now) if len(slots) >= self.per_minute else RECHECK
                if closed > now:
                    pause = closed - now
                processes = len({str(slot.get("pid")) for slot in slots} | set(waiters) | {me})
            pause = max(0.01, min(pause, self.window))
            if not told and self.on_wait is not None and waited + pause > NOTICE_AFTER:
                told = True
                self.on_wait(pause if pause > RECHECK else None, self.per_minute, processes)
            self.sleep(pause)
            waited += pause

    def release(self, retry_after: Optional[float] = None) -> None:
        """The answer of the request that holds this budget's slot came back (or it failed): hold it
        for one more window from now. ``retry_after`` (from a 429) closes the budget that long for every
        process, since the server has just said that requests sent before then are refused."""
        ticket, self._ticket = self._ticket, None
        if ticket is None and retry_after is None:
            return
        with _LockedState(self.path) as state:
            now = self.clock()
            if retry_after is not None:
                closed = state.get("closed_until") if isinstance(state.get("closed_until"), (int, float)) else 0.0
                state["closed_until"] = max(closed, now + min(retry_after, self.window))
            if ticket is None:
                return
            slots = self._live_slots(state, now)
            until = now + self.window + MARGIN
            for slot in slots:
                if slot.get("ticket") == ticket:
                    slot["until"] = until
                    break
            else:  # the state file was lost meanwhile: count the request anyway
                slots.append({"ticket": ticket, "pid": os.getpid(), "taken": now, "until": until})
            state["stamps"] = slots

    def _live_slots(self, state: dict, now: float) -> list[dict]:
        """The slots still held (the state's ``stamps``: when each was taken, and until when it is held, None
        while in flight); a request in flight whose process is gone ends its hold a window from now."""
        slots = []
        for slot in state.get("stamps", []):
            if not isinstance(slot, dict) or not isinstance(slot.get("taken"), (int, float)):
                continue
            if slot.get("until") is None and (not self.alive(slot.get("pid"))
                                              or now - slot["taken"] > STALE_IN_FLIGHT):
                slot["until"] = now + self.window + MARGIN
            until = slot.get("until")
            if until is None or (isinstance(until, (int, float)) and until > now):
                slots.append(slot)
        return slots

    @staticmethod
    def _next_free(slots: list[dict], now: float) -> float:
        """Seconds until the first answered slot frees; a short recheck when all are in flight."""
        ends = [slot["until"] for slot in slots if slot.get("until") is not None]
        return min(ends) - now if ends else RECHECK


class _LockedState:
    """The JSON state file, read and written back under an exclusive lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = None
        self.state: dict = {}

    def __enter__(self) -> dict:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        self.handle = os.fdopen(fd, "r+", encoding="utf-8")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        text = self.handle.read()
        try:
            loaded = json.loads(text) if text.strip() else {}
        except ValueError:
            loaded = {}
        self.state = loaded if isinstance(loaded, dict) else {}
        return self.state

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None:
                self.handle.seek(0)
                self.handle.truncate()
                self.handle.write(json.dumps(self.state))
                self.handle.flush()
        finally:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
