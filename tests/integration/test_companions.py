"""The companion modules, module_defaults and ad-hoc use, through ansible against the simulator."""

from __future__ import annotations

import json
import uuid

from tests.integration.harness import ROOT, TOKEN

JOB_MODULE = "altostrat.sdx.sdx_job"


def queue(ansible, site, **extra):
    run = ansible.task({"site_id": site, "description": "Companion test", "script": "/system identity print",
                        **extra})
    assert run.status == "changed", run.output
    return run.result["job"]


def test_site_info_lists_filters_and_gets_one(ansible, sim):
    every = ansible.task({}, module="altostrat.sdx.sdx_site_info")
    assert every.status == "ok"
    assert len(every.result["sites"]) == 12
    assert set(every.result["sites"][0]) >= {"id", "pid", "name", "has_pulse", "model", "software_version"}
    offline = ansible.task({"online": False}, module="altostrat.sdx.sdx_site_info")
    assert {site["has_pulse"] for site in offline.result["sites"]} == {False}
    assert len(offline.result["sites"]) == 3
    pattern = ansible.task({"name": "branch-000*", "online": True}, module="altostrat.sdx.sdx_site_info")
    assert {site["name"] for site in pattern.result["sites"]} <= {f"branch-000{i}" for i in range(1, 10)}
    assert pattern.result["sites"]
    target = every.result["sites"][3]
    exact = ansible.task({"name": target["name"]}, module="altostrat.sdx.sdx_site_info")
    assert [site["id"] for site in exact.result["sites"]] == [target["id"]]
    one = ansible.task({"site_id": target["id"]}, "--check", module="altostrat.sdx.sdx_site_info")
    assert one.status == "ok" and one.result["sites"][0]["name"] == target["name"]
    assert sim.log("POST") == []


def test_job_info_by_list_status_key_and_id(ansible, sim, site):
    queued = queue(ansible, site)
    assert queued["id"] is None, "a queue without wait does not look the job up"
    info = "altostrat.sdx.sdx_job_info"
    by_key = ansible.task({"site_id": site, "idempotency_key": queued["idempotency_key"]}, module=info)
    [job] = by_key.result["jobs"]
    assert job["id"] == sim.jobs(site)[0]["id"]
    assert job["token"] and job["token"] in job["log_url"], "the token is the job's log reference"
    listed = ansible.task({"site_id": site}, module=info)
    assert [item["id"] for item in listed.result["jobs"]] == [job["id"]]
    assert listed.result["jobs"][0]["status"] in ("pending", "running", "completed")
    by_id = ansible.task({"site_id": site, "job_id": job["id"], "include_script": True}, "--check", module=info)
    assert by_id.result["jobs"][0]["script"] == "/system identity print"
    failed_only = ansible.task({"site_id": site, "status": ["failed"]}, module=info)
    assert failed_only.result["jobs"] == []
    unknown = ansible.task({"site_id": site, "job_id": str(uuid.uuid4())}, module=info)
    assert unknown.status == "ok" and unknown.result["jobs"] == []


def test_job_info_on_an_unknown_site_fails(ansible):
    missing = str(uuid.uuid4())
    run = ansible.task({"site_id": missing}, module="altostrat.sdx.sdx_job_info")
    assert run.status == "failed"
    assert run.result["msg"].startswith(f"site '{missing}' was not found")


def test_cancel_a_pending_job_in_check_mode_then_for_real_then_again(ansible, sim, offline_site):
    queue(ansible, offline_site)
    [job] = sim.jobs(offline_site)
    args = {"site_id": offline_site, "job_id": job["id"], "state": "absent"}
    predicted = ansible.task(args, "--check", module=JOB_MODULE)
    assert predicted.status == "changed"
    assert sim.log("DELETE") == []
    assert predicted.result["job"]["status"] == "pending"
    cancelled = ansible.task(args, module=JOB_MODULE)
    assert cancelled.status == "changed"
    assert cancelled.result["job"]["status"] == "cancelled"
    assert len(sim.log("DELETE")) == 1
    assert sim.jobs(offline_site)[0]["cancelled"] is True
    again = ansible.task(args, module=JOB_MODULE)
    assert again.status == "ok"
    assert again.result["job"] is None or again.result["job"]["status"] == "cancelled"
    assert len(sim.log("DELETE")) == 1


def test_cancel_of_a_started_job_fails_with_job_already_started(ansible, sim, site):
    job = queue(ansible, site, wait=True, poll_interval=0.05)
    args = {"site_id": site, "job_id": job["id"]}
    predicted = ansible.task(args, "--check", module=JOB_MODULE)
    assert predicted.status == "failed" and "job_already_started" in predicted.result["msg"]
    run = ansible.task(args, module=JOB_MODULE)
    assert run.status == "failed"
    assert run.result["changed"] is False
    assert run.result["error"]["code"] == "job_already_started"
    assert sim.jobs(site)[0]["cancelled"] is False


def test_cancel_on_an_unknown_site_fails_and_an_unknown_job_is_ok(ansible, site):
    missing = str(uuid.uuid4())
    run = ansible.task({"site_id": missing, "job_id": missing}, module=JOB_MODULE)
    assert run.status == "failed" and run.result["msg"].startswith(f"site '{missing}' was not found")
    gone = ansible.task({"site_id": site, "job_id": missing}, module=JOB_MODULE)
    assert gone.status == "ok"


def test_command_reads_refuses_writes_and_reports_offline_sites(ansible, sim, site, offline_site):
    command = "altostrat.sdx.sdx_command"
    read = ansible.task({"site_id": site, "command": "/system/resource/print"}, "--check", module=command)
    assert read.status == "ok"
    assert read.result["output"][0]["board-name"]
    refused = ansible.task({"site_id": site, "command": "/system/reboot"}, module=command)
    assert refused.status == "failed"
    assert refused.result["msg"].startswith("command: '/system/reboot' may change the router")
    executed = ansible.task({"site_id": site, "command": "/execute", "parameters": ["=script=/system reboot"]},
                            module=command)
    assert executed.status == "failed"
    assert len(sim.log("POST")) == 1
    allowed = ansible.task({"site_id": site, "command": "/system/reboot", "allow_write": True}, "--check",
                           module=command)
    assert allowed.status == "changed" and len(sim.log("POST")) == 1
    offline = ansible.task({"site_id": offline_site, "command": "/system/resource/print"}, module=command)
    assert offline.status == "failed"
    assert offline.result["msg"].startswith(f"site '{offline_site}' is offline")
    assert offline.result["error"]["code"] == "site_offline"


def test_module_defaults_group_reaches_every_module(ansible, sim, site):
    defaults = {"group/altostrat.sdx.sdx": {"api_url": sim.url, "api_token": TOKEN}}
    env = {"SDX_API_URL": "", "SDX_API_TOKEN": ""}
    calls = [
        ("altostrat.sdx.sdx_site_info", {"online": True}),
        ("altostrat.sdx.sdx_job_info", {"site_id": site}),
        ("altostrat.sdx.sdx_command", {"site_id": site, "command": "/system/identity/print"}),
        ("altostrat.sdx.sdx_job", {"site_id": site, "job_id": str(uuid.uuid4())}),
        ("altostrat.sdx.sdx_async_script", {"site_id": site, "description": "d", "script": "/x"}),
    ]
    for module, args in calls:
        run = ansible.task(args, module=module, env=env, play_keywords={"module_defaults": defaults})
        assert run.status in ("ok", "changed"), (module, run.output)


def write_inventory(tmp_path, hosts: dict):
    inventory = {"all": {"hosts": hosts, "vars": {"ansible_connection": "local"}}}
    path = tmp_path / "sites.yml"
    path.write_text(json.dumps(inventory))
    return path


def test_adhoc_commands_take_site_id_from_the_host(ansible, sim, tmp_path):
    online = sim.sites(online=True)[:2]
    hosts = {site["name"]: {"sdx_site_id": site["id"]} for site in online}
    hosts["no-site"] = {}
    inventory = write_inventory(tmp_path, hosts)
    names = ",".join(site["name"] for site in online)
    queued = ansible.adhoc(inventory, names, "altostrat.sdx.sdx_async_script",
                           "description='Ad-hoc identity' script='/system identity print'")
    assert queued.rc == 0, queued.output
    assert sorted(record["status"] for record in queued.records) == ["changed", "changed"]
    assert {job["site_id"] for job in sim.jobs()} == {site["id"] for site in online}
    again = ansible.adhoc(inventory, names, "altostrat.sdx.sdx_async_script",
                          "description='Ad-hoc identity' script='/system identity print'")
    assert sorted(record["status"] for record in again.records) == ["ok", "ok"]
    for module, args in (("altostrat.sdx.sdx_command", "command=/system/identity/print"),
                         ("altostrat.sdx.sdx_job_info", "status=pending,running,completed"),
                         ("altostrat.sdx.sdx_site_info", "")):
        run = ansible.adhoc(inventory, names, module, args)
        assert run.rc == 0, (module, run.output)
        assert len(run.records) == 2
    site_info = ansible.adhoc(inventory, online[0]["name"], "altostrat.sdx.sdx_site_info", "")
    assert [site["id"] for site in site_info.result["sites"]] == [online[0]["id"]]
    missing = ansible.adhoc(inventory, "no-site", "altostrat.sdx.sdx_command", "command=/system/identity/print")
    assert missing.rc != 0
    assert "site_id: not given, and host 'no-site' has no sdx_site_id variable" in missing.result["msg"]


def test_the_module_defaults_example_playbook_runs_from_the_environment_or_a_variable(ansible, sim):
    example = ROOT / "examples" / "use-module-defaults.yml"
    assert "SDX_API_URL=" in example.read_text() and "SDX_API_TOKEN=" in example.read_text()
    run = ansible.playbook(example, env={"SDX_API_URL": sim.url, "SDX_API_TOKEN": TOKEN})
    assert run.rc == 0, run.output
    assert run.task("Its resources, read live")["result"]["output"][0]["version"]
    from_variable = ansible.playbook(example, "-e", f"sdx_api_token={TOKEN}", env={"SDX_API_TOKEN": ""})
    assert from_variable.rc == 0, from_variable.output
    assert {entry["auth"] for entry in sim.log()} == {"ok"}


def test_an_api_token_given_empty_falls_back_to_the_environment(ansible, sim, site):
    run = ansible.task({"site_id": site, "api_token": ""}, module="altostrat.sdx.sdx_site_info")
    assert run.status == "ok", run.output
    assert [entry["auth"] for entry in sim.log()] == ["ok"]
    nowhere = ansible.task({"site_id": site, "api_token": ""}, module="altostrat.sdx.sdx_site_info",
                           env={"SDX_API_TOKEN": ""})
    assert nowhere.status == "failed"
    assert nowhere.result["msg"].startswith("api_token: no API token given")


def test_answers_of_an_unexpected_shape_fail_modules_and_inventory_clearly(ansible, sim, site):
    sim.fault(action="body", method="GET", path="/sites", body=[{"name": "no id"}], count=2)
    expected = f"SDX API answered GET {sim.url}/sites with a list whose item 0 is an object that is not a Site " \
               f"(id: Field required)"
    run = ansible.task({}, module="altostrat.sdx.sdx_site_info")
    assert run.status == "failed" and run.result["msg"].startswith(expected)
    inventory = ansible.inventory({})
    assert inventory.rc != 0 and expected in inventory.text
    assert "Traceback" not in inventory.output and "validation error" not in inventory.output
    sim.fault(action="body", method="GET", path=f"/site/{site}/job", body=[{"description": "no id"}])
    jobs = ansible.task({"site_id": site}, module="altostrat.sdx.sdx_job_info")
    assert jobs.status == "failed"
    assert jobs.result["msg"].startswith(f"SDX API answered GET {sim.url}/site/{site}/job with a list whose item 0 "
                                         f"is an object that is not a Job (id: Field required)")
