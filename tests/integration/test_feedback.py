"""What a user sees while a task is slow, and what a failure tells them to do, through ansible-playbook."""

from __future__ import annotations

import json
import re

import pytest

from tests.integration.harness import Ansible
from tests.integration.test_rate_budget import site_inventory

SITE_INFO = "altostrat.sdx.sdx_site_info"
BUDGET_LINE = re.compile(r"^\[site-\d\d\] waiting about \d+ s for the SDX request budget \(10 requests/min, used "
                         r"by \d+ processes of this machine in the last minute\)$", re.M)


@pytest.mark.main_line  # a minute by nature: the budget's window is a minute
def test_a_fleet_run_the_limit_stretches_says_so_up_front_and_each_long_wait_once(sim, tmp_path):
    ansible = Ansible(tmp_path, sim, module_process=False)  # live lines need the module run in its action plugin
    inventory = site_inventory(tmp_path / "sites.json", sim.sites())
    playbook = tmp_path / "read.yml"
    playbook.write_text(json.dumps([{"name": "read every site", "hosts": "sites", "gather_facts": False,
                                     "tasks": [{"name": "read the site", SITE_INFO: {}}]}]))
    budget_dir = tmp_path / "budget"
    budget_dir.mkdir()
    run = ansible.playbook(playbook, "-i", str(inventory), "-f", "12",
                           env={"SDX_RATE_LIMIT": "10", "TMPDIR": str(budget_dir)})
    assert run.rc == 0, run.output
    assert run.output.count("altostrat.sdx.sdx_site_info on 12 hosts: about 12 SDX requests at 10 requests/min: "
                            "this takes at least 1 minute") == 1, run.output
    # the two hosts beyond the limit wait about a minute each, and say so once, not once per recheck
    assert len(BUDGET_LINE.findall(run.output)) == 2, run.output


@pytest.mark.parametrize("module_process", [False, True], ids=["in the action plugin", "as a module process"])
def test_a_job_pending_on_an_offline_site_says_why_as_it_waits_and_when_it_fails(sim, offline_site, tmp_path,
                                                                                 module_process):
    """Live lines come from a module run in its action plugin; a module process has no live output, only the failure."""
    ansible = Ansible(tmp_path, sim, module_process=module_process)
    name = next(site["name"] for site in sim.sites() if site["id"] == offline_site)
    run = ansible.task({"site_id": offline_site, "description": "waits for the router", "script": "/log info x",
                        "wait": True, "needs_acknowledgement": True, "wait_timeout": 13, "poll_interval": 1})
    assert run.status == "failed"
    lines = [line for line in run.output.splitlines() if "stays pending" in line]
    expected = rf"\[localhost\] job \S+ stays pending: site '{re.escape(name)}' \({offline_site}\) is offline since " \
               rf"\S+; it runs when the router checks in again \(waiting up to \d+ s more, wait_timeout\)"
    assert [bool(re.fullmatch(expected, line)) for line in lines] == ([] if module_process else [True]), run.output
    message = run.result["msg"]
    assert f"on site '{name}' ({offline_site}) was still pending after 13 seconds (wait_timeout): the site is " \
           f"offline since " in message, message
    assert "Re-running the task later adopts the same job" in message


def test_waiting_without_acknowledgement_warns_once_however_many_jobs_wait(ansible, sim, site, tmp_path):
    task = {"name": "wait without acknowledgement", "loop": ["one", "two"],
            "altostrat.sdx.sdx_async_script": {"site_id": site, "description": "note {{ item }}",
                                               "script": "/log info {{ item }}", "wait": True,
                                               "poll_interval": 0.2}}
    playbook = tmp_path / "unacknowledged.yml"
    playbook.write_text(json.dumps([{"name": "p", "hosts": "localhost", "gather_facts": False, "tasks": [task]}]))
    run = ansible.playbook(playbook)
    assert run.rc == 0, run.output
    assert run.text.count("wait: true without needs_acknowledgement: true waits only until the router downloads "
                          "the script") == 1, run.output
    acknowledged = ansible.task({"site_id": site, "description": "acknowledged", "script": "/log info ack",
                                 "wait": True, "needs_acknowledgement": True, "poll_interval": 0.2})
    assert acknowledged.status == "changed" and "needs_acknowledgement" not in acknowledged.output


@pytest.mark.parametrize("module_process", [False, True], ids=["in the action plugin", "as a module process"])
def test_failures_name_the_site_by_its_inventory_name(sim, tmp_path, module_process):
    """No answer of these runs gives the site's name (a job list does not, and a short wait reads no site): the
    name comes from the host's sdx_site_name, which the inventory plugin set."""
    ansible = Ansible(tmp_path, sim, module_process=module_process)
    online = sim.sites(online=True)[0]
    offline = sim.sites(online=False)[0]
    inventory = tmp_path / "fleet.sdx.yml"
    inventory.write_text("plugin: altostrat.sdx.sites\ninclude_offline: true\n")
    script = "altostrat.sdx.sdx_async_script"
    plays = [
        {"name": "a script that fails on the router", "hosts": online["name"], "gather_facts": False,
         "tasks": [{"name": "failed job", "ignore_errors": True,
                    script: {"description": "broken", "script": ":error", "wait": True,
                             "needs_acknowledgement": True, "poll_interval": 0.2}}]},
        {"name": "an offline site", "hosts": offline["name"], "gather_facts": False,
         "tasks": [{"name": "pending job", "ignore_errors": True,
                    script: {"description": "waits", "script": "/log info x", "wait": True, "wait_timeout": 2,
                             "poll_interval": 0.5, "needs_acknowledgement": True}},
                   {"name": "command", "altostrat.sdx.sdx_command": {"command": "/system/identity/print"}}]},
    ]
    playbook = tmp_path / "fail.yml"
    playbook.write_text(json.dumps(plays))
    run = ansible.playbook(playbook, "-i", str(inventory))
    assert run.rc != 0
    failed = {record["task"]: record["result"]["msg"] for record in run.records if record["status"] == "failed"}
    assert set(failed) == {"failed job", "pending job", "command"}, run.output
    named = f"'{online['name']}' ({online['id']})"
    assert re.fullmatch(rf"job \S+ on site {re.escape(named)} failed at \S+; see the job's log .*",
                        failed["failed job"]), failed
    # also where ansible-core shows the error (2.19 and later take it from the module's output as it was parsed)
    assert f"on site {online['id']}" not in run.output, run.output
    named = f"'{offline['name']}' ({offline['id']})"
    assert f"on site {named} was still pending after 2 seconds (wait_timeout)" in failed["pending job"]
    assert f"site {named} is offline, and synchronous commands need it online" in failed["command"], failed
