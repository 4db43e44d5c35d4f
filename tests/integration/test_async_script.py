"""sdx_async_script through ansible-playbook against the simulator."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.integration.harness import TOKEN

SCRIPT = "/ip address add address=192.168.99.1/24 interface=bridge"


def args(site, **extra):
    return {"site_id": site, "description": "Add guest network", "script": SCRIPT, **extra}


def test_check_queue_rerun_and_check_again(ansible, sim, site):
    predicted = ansible.task(args(site), "--check")
    assert predicted.status == "changed" and predicted.result["job"] is None
    assert sim.log("POST") == [] and sim.jobs() == []

    queued = ansible.task(args(site))
    assert queued.status == "changed"
    job = queued.result["job"]
    assert job["id"] and job["idempotency_key"] and job["status"] in ("pending", "running", "completed")
    assert queued.result["request_id"]
    assert len(sim.log("POST")) == 1

    again = ansible.task(args(site))
    assert again.status == "ok"
    assert again.result["job"]["id"] == job["id"]
    predicted_again = ansible.task(args(site), "--check")
    assert predicted_again.status == "ok"
    assert len(sim.log("POST")) == 1
    assert len(sim.jobs(site)) == 1


def test_wait_reports_the_transitions_it_saw(ansible, sim, site):
    run = ansible.task(args(site, wait=True, poll_interval=0.05, needs_acknowledgement=True, make_backup=True))
    assert run.status == "changed", run.output
    assert run.result["job"]["status"] == "completed"
    assert [step["status"] for step in run.result["transitions"]] == ["pending", "running", "completed"]
    assert run.result["job"]["associated_backup"].startswith(site)
    posted = sim.log("POST")[0]["body"]
    assert posted == {"description": "Add guest network", "script": SCRIPT, "make_backup": True,
                      "express_execute": False, "needs_acknowledgement": True}


def test_an_error_script_fails_the_wait_with_changed_and_one_job(ansible, sim, site):
    run = ansible.task(args(site, script="/system script run broken :error", wait=True, poll_interval=0.05,
                            needs_acknowledgement=True))
    assert run.rc != 0 and run.status == "failed"
    assert run.result["changed"] is True
    assert run.result["job"]["status"] == "failed"
    assert "failed at" in run.result["msg"]
    assert len(sim.jobs(site)) == 1
    # A failed job does not count as done: the next run queues the script again.
    assert ansible.task(args(site, script="/system script run broken :error")).status == "changed"
    assert len(sim.jobs(site)) == 2


def test_force_queues_every_time(ansible, sim, site):
    assert ansible.task(args(site)).status == "changed"
    assert ansible.task(args(site, force=True)).status == "changed"
    assert len(sim.jobs(site)) == 2


def test_waiting_on_an_offline_site_times_out_with_the_pending_job(ansible, sim, offline_site):
    run = ansible.task(args(offline_site, wait=True, wait_timeout=0.5, poll_interval=0.1))
    assert run.status == "failed"
    assert run.result["changed"] is True
    assert run.result["job"]["status"] == "pending"
    assert "still pending after 0.5 seconds" in run.result["msg"]


def test_diff_mode_shows_the_script(ansible, site):
    run = ansible.task(args(site), "--check", "--diff")
    assert f"+{SCRIPT}" in run.output


@pytest.mark.parametrize("change, message", [
    ({"site_id": "branch-0001"}, "site_id: expected a site UUID"),
    ({"script": ""}, "script: must not be empty"),
    ({"notify_url": "http://hooks.example.com/sdx"}, "notify_url: expected an https:// URL"),
])
def test_bad_input_is_named_and_nothing_is_sent(ansible, sim, site, change, message):
    run = ansible.task(args(site, **change))
    assert run.status == "failed"
    assert run.result["msg"].startswith(message)
    assert sim.log() == []


def test_a_missing_token_says_how_to_set_it(ansible, sim, site):
    run = ansible.task(args(site), env={"SDX_API_TOKEN": ""})
    assert run.status == "failed"
    assert "set the api_token option or the SDX_API_TOKEN environment variable" in run.result["msg"]
    assert sim.log() == []


def test_a_rejected_token_is_reported_as_such(ansible, sim, site):
    run = ansible.task(args(site), env={"SDX_API_TOKEN": "alto_sk_wrong"})
    assert run.result["msg"].startswith("SDX rejected the API token (HTTP 401): Unauthenticated.")
    assert run.result["error"]["status"] == 401
    assert "alto_sk_wrong" not in run.output
    assert sim.log("POST") == []


def test_an_unknown_site_is_reported_as_not_found(ansible):
    missing = str(uuid.uuid4())
    run = ansible.task(args(missing))
    assert run.result["msg"].startswith(f"site '{missing}' was not found: SDX API answered HTTP 404")
    assert run.result["error"]["code"] == "resource_missing"


def test_module_defaults_group_sets_the_connection(ansible, sim, site):
    run = ansible.task(args(site), env={"SDX_API_URL": "", "SDX_API_TOKEN": ""},
                       play_keywords={"module_defaults": {"group/altostrat.sdx.sdx": {
                           "api_url": sim.url, "api_token": TOKEN}}})
    assert run.status == "changed", run.output
    assert len(sim.jobs(site)) == 1


def test_the_token_never_shows_even_at_vvvv(ansible, site):
    run = ansible.task(args(site, api_token=TOKEN), "-vvvv", env={"SDX_API_TOKEN": ""})
    assert run.status == "changed"
    assert TOKEN not in run.output
    failed = ansible.task(args(site, api_token=TOKEN, site_id="bad"), "-vvvv", env={"SDX_API_TOKEN": ""})
    assert failed.status == "failed"
    assert TOKEN not in failed.output


def test_the_rate_budget_counts_every_request_in_a_file_named_without_the_token(ansible, sim, site, tmp_path):
    run = ansible.task(args(site), env={"SDX_RATE_LIMIT": "60", "TMPDIR": str(tmp_path)})
    assert run.status == "changed", run.output
    files = list(tmp_path.glob("altostrat-sdx-*/budget-*.json"))
    assert len(files) == 1
    assert TOKEN not in files[0].name and TOKEN not in files[0].read_text()
    assert len(json.loads(files[0].read_text())["stamps"]) == len(sim.log()) == 3
