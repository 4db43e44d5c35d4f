"""The API token never shows: not at -vvvv, not in results, not in errors of failed requests."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.integration.harness import TOKEN, Ansible


@pytest.mark.parametrize("module_process", [False, True], ids=["in the action plugin", "as a module process"])
def test_playbook_runs_at_vvvv_never_show_the_token(sim, site, tmp_path, module_process):
    ansible = Ansible(tmp_path, sim, module_process=module_process)
    sim.fault(action="status", status=500, method="GET", path=f"/site/{site}/job/")
    token = {"api_token": TOKEN}
    tasks = [
        {"name": "queue", "altostrat.sdx.sdx_async_script": {"site_id": site, "description": "d", "script": "/x",
                                                             **token}},
        {"name": "poll hits a 500", "altostrat.sdx.sdx_async_script": {
            "site_id": site, "description": "d2", "script": "/y", "wait": True, "poll_interval": 0.05, **token},
         "ignore_errors": True},
        {"name": "unknown site", "altostrat.sdx.sdx_job_info": {"site_id": str(uuid.uuid4()), **token},
         "ignore_errors": True},
        {"name": "command", "altostrat.sdx.sdx_command": {"site_id": site, "command": "/system/identity/print",
                                                          **token}},
        {"name": "show a result", "ansible.builtin.debug": {"var": "hostvars[inventory_hostname]"}},
    ]
    playbook = tmp_path / "secrets.yml"
    playbook.write_text(json.dumps([{"name": "secrets", "hosts": "localhost", "gather_facts": False,
                                     "module_defaults": {"group/altostrat.sdx.sdx": {"api_token": TOKEN}},
                                     "tasks": tasks}]))
    run = ansible.playbook(playbook, "-vvvv", env={"SDX_API_TOKEN": ""})
    statuses = {record["task"]: record["status"] for record in run.records}
    assert statuses["queue"] == "changed" and statuses["command"] == "ok"
    assert statuses["poll hits a 500"] == statuses["unknown site"] == "failed"
    assert "SDX API answered HTTP 500" in run.output and "was not found" in run.output
    assert TOKEN not in run.output
    assert TOKEN not in json.dumps(run.records)


def test_inventory_list_and_vvvv_never_show_the_token(ansible, sim):
    plain = ansible.inventory({}, "--list", "-vvvv")
    assert plain.rc == 0
    # Without --export, ansible-inventory --list prints every extra var, a token given with -e included;
    # AWX runs inventory updates with --export, and the docs say to prefer SDX_API_TOKEN.
    templated = ansible.inventory({"api_token": "{{ vault_token }}"}, "--list", "--export", "-vvvv", "-e",
                                  f"vault_token={TOKEN}", env={"SDX_API_TOKEN": ""})
    assert templated.rc == 0 and "branch-0012" in templated.output
    sim.fault(action="status", status=500, path="/sites")
    failed = ansible.inventory({}, "--list", "-vvvv")
    assert failed.rc != 0 and "SDX API answered HTTP 500" in failed.text
    for run in (plain, templated, failed):
        assert TOKEN not in run.output
