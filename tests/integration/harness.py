"""Drive real ansible-playbook runs against a simulator process, and read what happened."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOKEN = "alto_sk_integration_7f3a9c21d4e5b6"
MODULE = "altostrat.sdx.sdx_async_script"


class SimulatorProcess:
    """``python -m tests.simulator`` on a free loopback port, plus its /_sim/ control surface."""

    def __init__(self, workdir: Path, *args: str) -> None:
        port_file = workdir / "simulator.json"
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "tests.simulator", "--port", "0", "--port-file", str(port_file),
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

    def fault(self, **rule) -> None:
        self.call("POST", "/_sim/faults", rule)

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
    """Inventory JSON without the ``__ansible_unsafe`` wrappers older ansible-core lines print."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


@dataclass
class Run:
    rc: int
    output: str
    records: list[dict] = field(default_factory=list)
    stdout: str = ""

    @property
    def text(self) -> str:
        """The output with line wrapping undone (older ansible-core lines wrap warnings)."""
        return " ".join(self.output.split())

    @property
    def inventory(self) -> dict:
        return plain(json.loads(self.stdout))

    def hostvars(self) -> dict:
        return self.inventory["_meta"]["hostvars"]

    def group(self, name: str) -> set:
        return set(self.inventory.get(name, {}).get("hosts", []))

    @property
    def result(self) -> dict:
        return self.records[-1]["result"]

    @property
    def status(self) -> str:
        return self.records[-1]["status"]

    def task(self, name: str) -> dict:
        return next(record for record in self.records if record["task"] == name)


class Ansible:
    """ansible-playbook from this Python's environment, wired to the simulator and the recorder."""

    def __init__(self, workdir: Path, sim: SimulatorProcess) -> None:
        self.workdir = workdir
        collections = str(Path(os.environ.get("ANSIBLE_COLLECTIONS_PATH") or ROOT / "build" / "src").resolve())
        self.env = {
            **os.environ,
            "ANSIBLE_COLLECTIONS_PATH": collections,
            "ANSIBLE_CALLBACK_PLUGINS": str(ROOT / "tests" / "integration" / "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "sdx_record",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_HOME": str(workdir / "ansible-home"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORKS": "10",
            "SDX_API_URL": sim.url,
            "SDX_API_TOKEN": TOKEN,
            # The simulator here has no rate limit; the budget's own tests turn it on.
            "SDX_RATE_LIMIT": "0",
        }
        self.count = 0

    def playbook(self, path: Path, *args: str, env: dict | None = None) -> Run:
        self.count += 1
        record = self.workdir / f"record-{self.count}.jsonl"
        command = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path), *args]
        done = subprocess.run(command, env={**self.env, **(env or {}), "SDX_RECORD_FILE": str(record)},
                              capture_output=True, text=True, check=False, cwd=ROOT, timeout=300)
        records = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
        return Run(done.returncode, done.stdout + done.stderr, records)

    def inventory(self, config: dict, *args: str, env: dict | None = None, name: str = "fleet.sdx.yml") -> Run:
        """``ansible-inventory -i <config file> ARGS`` (``--list`` by default); ``Run.inventory`` parses it."""
        path = self.workdir / name
        path.write_text(json.dumps({"plugin": "altostrat.sdx.sites", **config}))
        command = [str(BIN / "ansible-inventory"), "-i", str(path), *(args or ("--list",))]
        done = subprocess.run(command, env={**self.env, "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true", **(env or {})},
                              capture_output=True, text=True, check=False, cwd=ROOT, timeout=300)
        return Run(done.returncode, done.stdout + done.stderr, stdout=done.stdout)

    def adhoc(self, inventory: Path, pattern: str, module: str, args: str, *cli: str,
              env: dict | None = None) -> Run:
        """``ansible PATTERN -m MODULE -a ARGS`` with the recorder on (ad-hoc needs it loaded explicitly)."""
        self.count += 1
        record = self.workdir / f"record-{self.count}.jsonl"
        command = [str(BIN / "ansible"), "-i", str(inventory), pattern, "-m", module, "-a", args, *cli]
        done = subprocess.run(command, env={**self.env, **(env or {}), "SDX_RECORD_FILE": str(record),
                                            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"},
                              capture_output=True, text=True, check=False, cwd=ROOT, timeout=300)
        records = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
        return Run(done.returncode, done.stdout + done.stderr, records)

    def task(self, args: dict, *cli: str, module: str = MODULE, env: dict | None = None,
             task_keywords: dict | None = None, play_keywords: dict | None = None) -> Run:
        """One task of ``module`` with ``args`` in a throwaway playbook (JSON is YAML)."""
        play = {"name": "under test", "hosts": "localhost", "gather_facts": False, **(play_keywords or {}),
                "tasks": [{"name": "task under test", module: args, **(task_keywords or {})}]}
        path = self.workdir / f"play-{self.count + 1}.yml"
        path.write_text(json.dumps([play]))
        return self.playbook(path, *cli, env=env)
