"""Where a site module runs: inside its action plugin when the task would start the controller's own Python on
the controller, as a module process otherwise; and the same report either way."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest
from ansible.release import __version__ as ANSIBLE_VERSION

from tests.integration.harness import BIN, TOKEN, Ansible

IN_PLUGIN = "running in the action plugin"
AS_PROCESS = "Using module file"


@pytest.fixture
def ansible(tmp_path, sim):
    """Runs whose interpreter is this Python, so that only the task itself decides, whatever the test line."""
    return Ansible(tmp_path, sim, module_process=False)


def queue(site: str, description: str = "Where it runs", **extra) -> dict:
    return {"site_id": site, "description": description, "script": "/system identity print", **extra}


def ran_in_plugin(run) -> bool:
    """Which way the task ran, from -vvv: each way says so, and only one of them must."""
    in_plugin, as_process = IN_PLUGIN in run.output, f"{AS_PROCESS} " in run.output
    assert in_plugin != as_process, run.output[-3000:]
    return in_plugin


@pytest.mark.parametrize("module_process", [False, True])
def test_the_interpreter_decides_where_the_module_runs(sim, site, tmp_path, module_process):
    ansible = Ansible(tmp_path, sim, module_process=module_process)
    run = ansible.task(queue(site), "-vvv")
    assert run.status == "changed", run.output[-3000:]
    assert ran_in_plugin(run) is not module_process
    assert len(sim.log("POST")) == 1


def comparable(result: dict) -> dict:
    """A result without what differs between two runs of one task: job ids and times."""
    skip = {"job", "request_id", "idempotency_key", "ansible_facts", "_ansible_no_log"}
    kept = {key: value for key, value in result.items() if key not in skip}
    if "msg" in kept:  # ansible-core lists the valid booleans from a set, in each process's own order
        kept["msg"] = kept["msg"].split(" Valid booleans include:")[0]
    return kept


SCENARIOS = [
    ("queue", queue, [], "changed"),
    ("check mode", lambda site: queue(site, "Predicted"), ["--check", "--diff"], "changed"),
    ("wrong option", lambda site: queue(site, make_backup="maybe"), [], "failed"),
    ("unknown option", lambda site: queue(site, colour="red"), [], "failed"),
    ("bad token", lambda site: queue(site, api_token="alto_sk_not_the_right_one"), [], "failed"),
]


@pytest.mark.parametrize("name, args, cli, status", SCENARIOS, ids=[scenario[0] for scenario in SCENARIOS])
def test_both_ways_report_the_same(sim, site, tmp_path, name, args, cli, status):
    results = {}
    for module_process in (False, True):
        sim.reset()
        run = Ansible(tmp_path / str(module_process), sim, module_process=module_process).task(args(site), *cli)
        assert run.status == status, (name, run.output[-3000:])
        results[module_process] = comparable(run.result)
    assert results[False] == results[True]


def test_the_rerun_adopts_the_job_whichever_way_queued_it(sim, site, tmp_path):
    first = Ansible(tmp_path / "plugin", sim, module_process=False).task(queue(site))
    second = Ansible(tmp_path / "process", sim, module_process=True).task(queue(site))
    assert first.status == "changed" and second.status == "ok"
    assert second.result["outcome"] == "existing" and len(sim.jobs()) == 1


def test_a_task_environment_runs_a_module_process_that_reads_it(ansible, sim, site):
    # The module process gets the task's environment; the action plugin's process could not honour it.
    run = ansible.task(queue(site), "-vvv", task_keywords={"environment": {"SDX_API_TOKEN": "alto_sk_from_the_env_x"}})
    assert not ran_in_plugin(run)
    assert run.status == "failed" and run.result["error"]["status"] == 401, run.output[-3000:]
    assert not sim.jobs()


def test_an_async_task_runs_a_module_process(ansible, sim, site):
    run = ansible.task(queue(site, wait=True, poll_interval=0.2), "-vvv", task_keywords={"async": 60, "poll": 1})
    assert not ran_in_plugin(run)
    assert run.status == "changed" and run.result["job"]["status"] == "completed", run.output[-3000:]


def test_become_runs_a_module_process(ansible, sim, site):
    # su to a user that does not exist fails; the module process was chosen before that.
    run = ansible.task(queue(site), "-vvv", task_keywords={"become": True, "become_method": "ansible.builtin.su",
                                                           "become_user": "nobody-here"})
    assert not ran_in_plugin(run)
    assert run.status == "failed" and not sim.jobs()


def test_a_task_delegated_to_localhost_runs_in_the_action_plugin(ansible, sim, site, tmp_path):
    # The play's host is never reached (its connection would be ssh); the delegated localhost is this Python.
    hosts = tmp_path / "hosts.json"
    hosts.write_text(json.dumps({"all": {"hosts": {"branch": {"ansible_host": "192.0.2.1", "sdx_site_id": site,
                                                              "ansible_connection": "ssh"}}}}))
    playbook = tmp_path / "delegated.yml"
    playbook.write_text(json.dumps([{"name": "delegated", "hosts": "branch", "gather_facts": False, "tasks": [
        {"name": "queue", "altostrat.sdx.sdx_async_script": queue(site), "delegate_to": "localhost"}]}]))
    run = ansible.playbook(playbook, "-i", str(hosts), "-vvv")
    assert run.status == "changed", run.output[-3000:]
    assert ran_in_plugin(run)


def test_hosts_of_the_inventory_plugin_run_the_modules_in_the_action_plugin(ansible, sim, tmp_path):
    # The inventory sets ansible_python_interpreter to "{{ ansible_playbook_python }}", a template to resolve.
    inventory = tmp_path / "fleet.sdx.yml"
    inventory.write_text(json.dumps({"plugin": "altostrat.sdx.sites"}))
    online = sim.sites(online=True)
    run = ansible.adhoc(inventory, "sdx_online", "altostrat.sdx.sdx_job_info", "", "-vvv",
                        env={"ANSIBLE_PYTHON_INTERPRETER": "/nonexistent/python"})
    assert run.rc == 0, run.output[-3000:]
    assert run.output.count(IN_PLUGIN) == len(online) > 0 and f"{AS_PROCESS} " not in run.output


@pytest.mark.parametrize("module, args", [
    ("altostrat.sdx.sdx_command", {"command": "/ip/address/print", "parameters": "?interface=bri\u0000dge"}),
    ("altostrat.sdx.sdx_site_info", {"name": "branch\u0000"}),
    ("altostrat.sdx.sdx_job_info", {"idempotency_key": "key\u0000"}),
])
@pytest.mark.parametrize("module_process", [False, True])
def test_a_nul_in_any_option_fails_naming_it_before_any_request_both_ways(sim, site, tmp_path, module, args,
                                                                          module_process):
    ansible = Ansible(tmp_path, sim, module_process=module_process)
    run = ansible.task({"site_id": site, **args}, module=module)
    option = next(iter(args.keys() - {"command"}))
    assert run.status == "failed" and run.result["msg"] == f"{option}: must not contain a NUL character (\\x00)"
    assert sim.log() == []


def test_a_value_of_a_type_no_module_could_receive_fails_before_any_request_both_ways(sim, site, tmp_path):
    # ansible-core 2.19 and later keep the bytes a template returns; older lines turn them into text.
    args = {"site_id": site, "command": "/ip/address/print", "parameters": "{{ '?interface=bridge'.encode() }}"}
    seen = {}
    for module_process in (False, True):
        sim.reset()
        run = Ansible(tmp_path / str(module_process), sim, module_process=module_process).task(
            args, module="altostrat.sdx.sdx_command")
        seen[module_process] = (run.status, len(sim.log()))
        if not module_process and run.status == "failed":
            assert run.result["msg"].startswith("parameters: expected text, a number, a boolean, a list or a dict")
    assert seen[False] == seen[True]
    if tuple(int(part) for part in ANSIBLE_VERSION.split(".")[:2]) >= (2, 19):
        assert seen[False] == ("failed", 0)


@pytest.mark.parametrize("module_process", [False, True])
def test_an_inline_vault_token_works_both_ways(sim, site, tmp_path, module_process):
    ansible = Ansible(tmp_path, sim, module_process=module_process)
    password = tmp_path / "vault-password"
    password.write_text("correct horse battery staple\n")
    encrypted = subprocess.run([str(BIN / "ansible-vault"), "encrypt_string", "--vault-password-file", str(password),
                                TOKEN, "--name", "api_token"], env=ansible.env, capture_output=True, text=True,
                               check=True).stdout
    playbook = tmp_path / "vaulted.yml"
    playbook.write_text(
        "- name: vaulted token\n  hosts: localhost\n  gather_facts: false\n  module_defaults:\n"
        "    group/altostrat.sdx.sdx:\n" + textwrap.indent(encrypted, " " * 6) +
        f"  tasks:\n    - name: queue\n      altostrat.sdx.sdx_async_script:\n        site_id: {site}\n"
        "        description: Vaulted\n        script: /system identity print\n")
    run = ansible.playbook(playbook, "--vault-password-file", str(password), "-vvv", env={"SDX_API_TOKEN": ""})
    assert run.status == "changed", run.output[-3000:]
    assert ran_in_plugin(run) is not module_process
    assert TOKEN not in run.output and len(sim.jobs()) == 1


@pytest.mark.parametrize("switch", ["environment", "ansible.cfg"])
def test_the_off_switch_runs_a_module_process_where_the_action_plugin_would_run_it(ansible, sim, site, tmp_path, switch):
    env = {"ANSIBLE_SDX_MODULE_PROCESS": "true"}
    if switch == "ansible.cfg":
        config = tmp_path / "ansible.cfg"
        config.write_text("[altostrat.sdx]\nmodule_process = true\n")
        env = {"ANSIBLE_CONFIG": str(config)}
    run = ansible.task(queue(site), "-vvv", env=env)
    assert run.status == "changed", run.output[-3000:]
    assert not ran_in_plugin(run)
    assert len(sim.jobs()) == 1


def test_the_off_switch_set_to_false_keeps_the_action_plugin(ansible, sim, site):
    run = ansible.task(queue(site), "-vvv", env={"ANSIBLE_SDX_MODULE_PROCESS": "false"})
    assert run.status == "changed" and ran_in_plugin(run), run.output[-3000:]


def test_a_loop_reports_each_item_the_same_both_ways(sim, site, tmp_path):
    # The items of a loop run one after another in one worker; each must start as a module process would.
    results = {}
    for module_process in (False, True):
        sim.reset()
        run = Ansible(tmp_path / str(module_process), sim, module_process=module_process).task(
            {**queue(site, "{{ item }}")}, task_keywords={"loop": ["first", "second", "first"]})
        assert run.status == "changed", run.output[-3000:]
        items = run.result["results"]
        assert [item["changed"] for item in items] == [True, True, False]
        assert [item["outcome"] for item in items] == ["queued", "queued", "existing"]
        results[module_process] = [comparable(item) for item in items]
        assert len(sim.jobs()) == 2
    assert results[False] == results[True]
