"""Drive real ansible-playbook runs against a simulator process, and read what happened."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from simulator.process import TOKEN, SimulatorProcess, plain

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MODULE = "altostrat.sdx.sdx_async_script"


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


def interpreter_wrapper(folder: Path) -> str:
    """A script that runs this Python: another interpreter path, so the site modules run as module processes.

    A site module runs inside its action plugin only when its interpreter is the controller's own Python; with
    SDX_TEST_MODULE_PROCESS set (or module_process=True), tests run each module the other way, as a process.
    """
    wrapper = folder / "python-wrapper"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


class Ansible:
    """ansible-playbook from this Python's environment, wired to the simulator and the recorder."""

    def __init__(self, workdir: Path, sim: SimulatorProcess, module_process: bool | None = None) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        if module_process is None:
            module_process = bool(os.environ.get("SDX_TEST_MODULE_PROCESS"))
        self.interpreter = interpreter_wrapper(workdir) if module_process else sys.executable
        collections = str(Path(os.environ.get("ANSIBLE_COLLECTIONS_PATH") or ROOT / "build" / "src").resolve())
        self.env = {
            **os.environ,
            "ANSIBLE_COLLECTIONS_PATH": collections,
            "ANSIBLE_CALLBACK_PLUGINS": str(ROOT / "tests" / "integration" / "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "sdx_record",
            "ANSIBLE_PYTHON_INTERPRETER": self.interpreter,
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


def short_tmpdir() -> Path:
    """A private folder with a short path, for a run's TMPDIR: ansible-core 2.21 puts a Unix socket under TMPDIR,
    whose path may not exceed 107 bytes, which a pytest tmp_path can. Removed when the test session ends."""
    folder = Path(tempfile.mkdtemp(prefix="sdx-", dir="/tmp"))  # mode 0700
    atexit.register(shutil.rmtree, folder, True)
    return folder
