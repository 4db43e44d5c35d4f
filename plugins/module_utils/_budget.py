# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIVATE: internal to altostrat.sdx; may change without notice.
"""A request budget shared by every process on this machine that uses the same API URL and token.

SDX allows a number of requests per minute per API key, and Ansible runs each task in its own process,
one per fork. Each process records its requests in one small state file (keyed by a hash of URL and
token, never the token itself) under an exclusive ``fcntl`` lock, and waits when the last minute is
spent. The window slides, so no span of 60 seconds ever holds more than the limit, whatever window the
server uses. Polls of a running job give way: they wait while another process has a request waiting.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Callable, Optional

WINDOW = 60.0
# Seconds added to each wait, for the time a request takes to reach the server after it is counted here.
MARGIN = 0.25
# A process that registered a waiting request this long ago without taking it is assumed gone.
STALE_WAITER = 120.0


def state_dir() -> Path:
    path = Path(tempfile.gettempdir()) / f"altostrat-sdx-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


class RateBudget:
    """At most ``per_minute`` requests in any ``window`` (60) seconds, across processes."""

    def __init__(self, api_url: str, api_token: str, per_minute: int, directory: Optional[Path] = None,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 window: float = WINDOW) -> None:
        self.per_minute = per_minute
        self.window = window
        digest = hashlib.sha256(f"{api_url.rstrip('/')}\0{api_token}".encode()).hexdigest()[:32]
        self.path = (directory or state_dir()) / f"budget-{digest}.json"
        self.clock = clock
        self.sleep = sleep
        self.waited = 0.0

    def acquire(self, poll: bool = False) -> float:
        """Block until a request may go out now; answers the seconds waited."""
        waited = 0.0
        me = str(os.getpid())
        while True:
            with self._locked() as state:
                now = self.clock()
                stamps = [stamp for stamp in state.get("stamps", []) if now - self.window < stamp <= now]
                waiters = {pid: since for pid, since in state.get("waiters", {}).items()
                           if pid != me and now - since < STALE_WAITER}
                others_waiting = bool(waiters)
                if len(stamps) < self.per_minute and not (poll and others_waiting):
                    stamps.append(now)
                    state.update(stamps=stamps, waiters=waiters)
                    self.waited += waited
                    return waited
                if not poll:
                    waiters[me] = state.get("waiters", {}).get(me, now)
                state.update(stamps=stamps, waiters=waiters)
                pause = (stamps[0] + self.window + MARGIN - now) if len(stamps) >= self.per_minute else MARGIN
            pause = max(0.01, min(pause, self.window))
            self.sleep(pause)
            waited += pause

    def _locked(self) -> "_LockedState":
        return _LockedState(self.path)


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
