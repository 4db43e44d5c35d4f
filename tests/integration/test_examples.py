"""Every module's EXAMPLES, as written, run against the simulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from simulator.fleet import EXAMPLE_SITE_ID
from tests.integration.harness import ROOT, TOKEN
from tests.plugin_docs import doc_block

MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("sdx_*.py"))


def examples(module: str) -> list[dict]:
    return yaml.safe_load(doc_block(f"plugins/modules/{module}.py", "EXAMPLES"))


@pytest.mark.parametrize("module", MODULES)
def test_examples_run_as_written_and_hold_when_run_again(ansible, tmp_path: Path, module):
    play = {
        "name": f"EXAMPLES of {module}", "hosts": "localhost", "gather_facts": False,
        # What the examples expect from their surroundings: a vaulted token, and an inventory host's variables
        # (given by an inventory below, so that hostvars has them too).
        "vars": {"vault_sdx_token": TOKEN},
        "module_defaults": {"altostrat.sdx.sdx_async_script": {"poll_interval": 0.2}},
        "tasks": examples(module),
    }
    path = tmp_path / f"{module}-examples.yml"
    path.write_text(json.dumps([play]))
    inventory = tmp_path / "site.yml"
    inventory.write_text(json.dumps({"all": {"hosts": {"localhost": {
        "sdx_id": EXAMPLE_SITE_ID, "sdx_site_id": EXAMPLE_SITE_ID, "sdx_online": True}}}}))
    for _time in ("first", "second"):
        run = ansible.playbook(path, "-i", str(inventory))
        assert run.rc == 0, (_time, run.output)
        assert run.records, "no task ran"
        assert {record["status"] for record in run.records} <= {"ok", "changed", "skipped"}, (_time, run.output)


def test_the_site_info_example_lists_every_site_on_an_inventory_host(ansible, tmp_path: Path):
    listing = next(task for task in examples("sdx_site_info") if task["name"].startswith("List every site"))
    play = {"name": "on an inventory host", "hosts": "localhost", "gather_facts": False,
            "vars": {"sdx_site_id": EXAMPLE_SITE_ID}, "tasks": [listing]}
    path = tmp_path / "list.yml"
    path.write_text(json.dumps([play]))
    run = ansible.playbook(path)
    assert run.rc == 0, run.output
    assert len(run.task(listing["name"])["result"]["sites"]) == 12


def inventory_examples() -> list[dict]:
    return list(yaml.safe_load_all(doc_block("plugins/inventory/sites.py", "EXAMPLES")))


@pytest.mark.parametrize("index", range(len(inventory_examples())))
def test_inventory_examples_work_as_written(ansible, tmp_path: Path, index):
    config = dict(inventory_examples()[index])
    config.pop("plugin")
    run = ansible.inventory(config, "--list", "-e", f"vault_sdx_token={TOKEN}", env={"HOME": str(tmp_path)})
    assert run.rc == 0, run.output
    assert run.group("sdx"), "no hosts"


def test_the_shipped_fleet_file_works(ansible):
    config = yaml.safe_load((ROOT / "examples" / "fleet.sdx.yml").read_text())
    config.pop("plugin")
    run = ansible.inventory(config)
    assert run.rc == 0, run.output
    assert len(run.group("sdx_online")) == 9
