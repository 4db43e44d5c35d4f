"""The simulator as a child process on a free loopback port, and its ``/_sim/`` control surface.

Shared by the integration tests, the benchmarks and anything else that needs a fleet to talk to.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# The repository root, which holds this package: the child runs ``python -m simulator`` from there.
ROOT = Path(__file__).resolve().parents[1]
TOKEN = "alto_sk_integration_7f3a9c21d4e5b6"


class SimulatorProcess:
    """``python -m simulator`` on a free loopback port, plus its /_sim/ control surface."""

    def __init__(self, workdir: Path, *args: str) -> None:
        port_file = workdir / "simulator.json"
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "simulator", "--port", "0", "--port-file", str(port_file),
             "--token", TOKEN, *args], cwd=ROOT, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not port_file.exists() or not port_file.read_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the simulator did not start")
            time.sleep(0.05)
        self.url = json.loads(port_file.read_text())["url"]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def call(self, method: str, path: str, body: object = None, token: bool = False, timeout: float = 10):
        request = urllib.request.Request(self.url + path, method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        if token:
            request.add_header("Authorization", f"Bearer {TOKEN}")
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            raw = answer.read()
        return json.loads(raw) if raw else None

    def reset(self) -> None:
        self.call("POST", "/_sim/reset")

    def settings(self, **changes) -> dict:
        """The run-time switches (``sync_shape``, ``bulk_backups``), changed first when given; reset restores them."""
        return self.call("POST" if changes else "GET", "/_sim/settings", changes or None)

    def fault(self, **rule) -> None:
        self.call("POST", "/_sim/faults", rule)

    def plan(self, **plan) -> list[dict]:
        """Set a fault plan (``plan="hold", site=..., script=..., ...``; docs/simulator.md); answers every plan."""
        return self.call("POST", "/_sim/plans", plan)

    def plans(self) -> list[dict]:
        """The plans in force, each with the jobs it acted on (``jobs``) and how often it started (``started``)."""
        return self.call("GET", "/_sim/plans")

    def log(self, method: str | None = None, path: str = "") -> list[dict]:
        return [entry for entry in self.call("GET", "/_sim/requests")
                if (method is None or entry["method"] == method) and entry["path"].startswith(path)]

    def wait_landed(self, timeout: float = 120) -> list[dict]:
        """The request log once every request has been processed (a delayed one may land after its client left)."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.call("GET", "/_sim/requests")
            if all(entry.get("landed", True) for entry in log):
                return log
            if time.monotonic() > deadline:
                raise AssertionError(f"requests still in flight after {timeout} s")
            time.sleep(0.2)

    def jobs(self, site: str | None = None) -> list[dict]:
        return [job for job in self.call("GET", "/_sim/jobs") if site is None or job["site_id"] == site]

    def sites(self, online: bool | None = None) -> list[dict]:
        sites = self.call("GET", "/sites", token=True)
        self.call("DELETE", "/_sim/requests")
        return [site for site in sites if online is None or site["has_pulse"] is online]


def plain(value):
    """ansible-inventory JSON of the simulated fleet without the ``__ansible_unsafe`` wrappers some lines print."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
