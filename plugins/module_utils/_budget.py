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
import math
import os
import stat
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Optional

from ._errors import SDXLocalError

WINDOW = 60.0
# Seconds added to each hold, for clocks that run at slightly different rates here and at the server.
MARGIN = 0.25
# A process that registered a waiting request this long ago without taking it is assumed gone.
STALE_WAITER = 120.0
# A request in flight this long is assumed lost with its process (a live process answers within its timeout).
STALE_IN_FLIGHT = 900.0
# Slack for the wall clock stepping back a little between two processes' reads of the state.
CLOCK_STEP = 1.0
# How often a request that waits for an in-flight slot looks again.
RECHECK = 0.25
# A wait longer than this is told to on_wait (once per request), so that the user sees why the task is slow.
NOTICE_AFTER = 2.0


def state_dir() -> Path:
    """This user's private folder for budget files under the temporary folder, made 0700 when missing.

    A folder someone else made first (another local user can pick the name) is refused: it is used only when it
    is a real folder (not a link), owned by this user, and closed to group and others.
    """
    path = Path(tempfile.gettempdir()) / f"altostrat-sdx-{os.getuid()}"
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as error:
        raise BudgetStateError(path, f"cannot be created ({error.strerror})") from None
    check_private(path, os.lstat(path), stat.S_ISDIR, "a folder")
    return path


class BudgetStateError(SDXLocalError):
    """The budget's state on disk is not safe to use; the message names the path and what is wrong with it."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"rate budget: {path} {problem}, so it is not used: another local user could then read "
                         f"or steer this user's requests. Remove it, point TMPDIR at a folder of your own, or turn "
                         f"the budget off with rate_limit: 0")


def check_private(path: Path, info: os.stat_result, is_kind: Callable[[int], bool], kind: str) -> None:
    """BudgetStateError unless ``info`` (of ``path``, not followed) is ``kind``, owned by this user, mode 0?00."""
    if stat.S_ISLNK(info.st_mode):
        raise BudgetStateError(path, "is a symbolic link")
    if not is_kind(info.st_mode):
        raise BudgetStateError(path, f"is not {kind}")
    if info.st_uid != os.getuid():
        raise BudgetStateError(path, f"is owned by user id {info.st_uid}, not by this user ({os.getuid()})")
    if info.st_mode & 0o077:
        raise BudgetStateError(path, f"is open to group or others (mode {stat.S_IMODE(info.st_mode):04o}, expected "
                                     f"{'0700' if kind == 'a folder' else '0600'})")


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
        self.warnings: list[str] = []
        # Told each warning as it arises (a module's warn()); the inventory reads ``warnings`` instead.
        self.warn: Optional[Callable[[str], None]] = None
        self._ticket: Optional[str] = None
        # Told once per acquire() that waits more than NOTICE_AFTER: (seconds expected or None, limit, processes).
        self.on_wait = on_wait

    def _locked(self) -> _LockedState:
        return _LockedState(self.path, self.clock, self.window, self._unreadable)

    def _unreadable(self, problem: str) -> None:
        """One warning per budget, however often the state is found unreadable."""
        if self.warnings:
            return
        self.warnings.append(f"rate budget: the state in {self.path} could not be used ({problem}); it was started "
                             f"afresh, so requests other processes made in the last minute may go uncounted once")
        if self.warn is not None:
            self.warn(self.warnings[-1])

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
            with self._locked() as state:
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
        with self._locked() as state:
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
    """The JSON state file, read and written back under an exclusive lock.

    It is opened without following a link, and used only when it is a regular file of this user's that no one
    else may read or write. A state that cannot be read or cannot be true (see ``impossible``) counts as empty,
    and ``report`` is told why.
    """

    def __init__(self, path: Path, clock: Callable[[], float], window: float, report: Callable[[str], None]) -> None:
        self.path = path
        self.clock = clock
        self.window = window
        self.report = report
        self.fd = -1
        self.state: dict = {}

    def __enter__(self) -> dict:
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as error:
            if os.path.islink(self.path):
                raise BudgetStateError(self.path, "is a symbolic link") from None
            raise BudgetStateError(self.path, f"cannot be opened ({error.strerror})") from None
        try:
            check_private(self.path, os.fstat(self.fd), stat.S_ISREG, "a regular file")
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            self.state = self._read()
        except BaseException:
            os.close(self.fd)
            raise
        return self.state

    def _read(self) -> dict:
        chunks = []
        while True:
            chunk = os.read(self.fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        raw = b"".join(chunks)
        if not raw.strip():
            return {}
        try:
            loaded = json.loads(raw.decode("utf-8"))
        except RecursionError:
            problem = "it nests too deep"
        except ValueError as error:  # UnicodeDecodeError included
            problem = f"it is not JSON text ({str(error)[:80]})"
        else:
            # The time is read once the lock is held: a time another process wrote before is never later.
            problem = impossible(loaded, self.clock(), self.window)
            if problem is None:
                return loaded
        self.report(problem)
        return {}

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None:
                data = json.dumps(self.state).encode()
                os.lseek(self.fd, 0, os.SEEK_SET)
                os.ftruncate(self.fd, 0)
                while data:
                    data = data[os.write(self.fd, data):]
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


def _time(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def impossible(state: Any, now: float, window: float) -> Optional[str]:
    """Why a state read from the file cannot be one this code wrote, or None when it can.

    Every time in it must be a finite number no later than a window (and the margin) from ``now``: later ones
    would hold requests back for longer than any window, and only a broken or hostile writer makes them.
    """
    latest = now + window + MARGIN + CLOCK_STEP
    if not isinstance(state, dict):
        return f"it holds {type(state).__name__}, not an object"
    stamps, waiters = state.get("stamps", []), state.get("waiters", {})
    if not isinstance(stamps, list) or not isinstance(waiters, dict):
        return "its stamps are not a list or its waiters not an object"
    if "closed_until" in state and not (_time(state["closed_until"]) and state["closed_until"] <= latest):
        return f"closed_until is {str(state['closed_until'])[:40]}, not a time within a window from now"
    for slot in stamps:
        if not isinstance(slot, dict) or not (_time(slot.get("taken")) and slot["taken"] <= latest):
            return "a stamp has no time it was taken, or one in the future"
        until = slot.get("until")
        if until is not None and not (_time(until) and until <= latest):
            return f"a stamp is held until {str(until)[:40]}, beyond a window from now"
    if not all(isinstance(pid, str) and _time(since) and since <= latest for pid, since in waiters.items()):
        return "a waiter has no process id or no time it started waiting"
    return None
