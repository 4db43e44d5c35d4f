"""A user's own change folder outside the source tree, and ansible-playbook run from it as a user runs it."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import yaml

from tests.integration.harness import BIN, ROOT, Ansible

# The test recorder is left out: the runs see only what a user's shell would hold.
TEST_ONLY = {"SDX_RECORD_FILE", "ANSIBLE_CALLBACK_PLUGINS", "ANSIBLE_CALLBACKS_ENABLED"}
TEMPLATE = "/system identity print comment=\"{{ sdx_name }} on {{ sdx_model }}\"\n"


def rendered(site: dict) -> str:
    """What templates/guest.rsc.j2 renders for a site of the simulator."""
    return f"/system identity print comment=\"{site['name']} on {site['model']}\"\n"


def installed_collection(ansible: Ansible) -> Path:
    """The altostrat.sdx the runs use; it must be an installed copy, not this source tree."""
    path = (Path(ansible.env["ANSIBLE_COLLECTIONS_PATH"]) / "ansible_collections" / "altostrat" / "sdx").resolve()
    assert (path / "MANIFEST.json").exists() and path != ROOT, (
        f"{path} is not an installed collection: run `make install` and set "
        "ANSIBLE_COLLECTIONS_PATH=build/collections, as `make integration` does")
    return path


@dataclass
class Outcome:
    rc: int
    output: str

    @property
    def text(self) -> str:
        return " ".join(self.output.split())


class ChangeFolder:
    """fleet.sdx.yml, change.yml and templates/guest.rsc.j2 in a folder of the user's own."""

    def __init__(self, root: Path, ansible: Ansible) -> None:
        self.root = root
        self.ansible = ansible
        self.collection = installed_collection(ansible)
        (root / "templates").mkdir(parents=True, exist_ok=True)
        (root / "fleet.sdx.yml").write_text("plugin: altostrat.sdx.sites\n")
        (root / "templates" / "guest.rsc.j2").write_text(TEMPLATE)

    def change(self, name: str = "change.yml", **values) -> Path:
        """A change file: by default the template in templates/, polled quickly; ``values`` add or replace."""
        change = {"rollout_description": "Tag the identity", "rollout_script_file": "templates/guest.rsc.j2",
                  "rollout_poll_interval": 0.1, **values}
        path = self.root / name
        path.write_text(yaml.safe_dump({key: value for key, value in change.items() if value is not None}))
        return path

    def run(self, *args: str, cwd: Path | None = None) -> Outcome:
        """``ansible-playbook ARGS`` started in this folder (or ``cwd``), with nothing added to the command."""
        env = {key: value for key, value in self.ansible.env.items() if key not in TEST_ONLY}
        done = subprocess.run([str(BIN / "ansible-playbook"), *args], env=env, cwd=cwd or self.root,
                              capture_output=True, text=True, check=False, timeout=600)
        return Outcome(done.returncode, done.stdout + done.stderr)

    def rollout(self, *args: str) -> Outcome:
        """What the docs tell a user to type: ``ansible-playbook altostrat.sdx.rollout -i fleet.sdx.yml -e @change.yml``."""
        return self.run("altostrat.sdx.rollout", "-i", "fleet.sdx.yml", "-e", "@change.yml", *args)

    def stray_reports(self) -> list[Path]:
        """Report files that ended up inside the installed collection."""
        return sorted(self.collection.rglob("rollout-report*"))


def read_report(directory: Path) -> tuple[dict, ElementTree.Element]:
    """rollout-report.json and the root of rollout-report.xml in ``directory``."""
    assert (directory / "rollout-report.json").exists(), f"no report in {directory}"
    return (json.loads((directory / "rollout-report.json").read_text()),
            ElementTree.parse(directory / "rollout-report.xml").getroot())


def statuses(report: dict) -> dict[str, str]:
    return {row["site"]: row["status"] for row in report["sites"]}
