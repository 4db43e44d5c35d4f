"""sdx_async_script through ansible-playbook against the simulator."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.integration.harness import TOKEN, short_tmpdir

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
    # Not waiting, the job is not looked up: what the answer told, no id yet.
    assert job["id"] is None and job["status"] == "pending" and job["idempotency_key"]
    assert queued.result["request_id"] and queued.result["outcome"] == "queued"
    assert len(sim.log("POST")) == 1
    [created] = sim.jobs(site)
    assert created["idempotency_key"] == job["idempotency_key"]

    again = ansible.task(args(site))
    assert again.status == "ok" and again.result["outcome"] == "existing"
    assert again.result["job"]["id"] == created["id"]
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
    private = short_tmpdir()
    run = ansible.task(args(site), env={"SDX_RATE_LIMIT": "60", "TMPDIR": str(private)})
    assert run.status == "changed", run.output
    files = list(private.glob("altostrat-sdx-*/budget-*.json"))
    assert len(files) == 1
    assert TOKEN not in files[0].name and TOKEN not in files[0].read_text()
    assert len(json.loads(files[0].read_text())["stamps"]) == len(sim.log()) == 2


# -- issue items: at most one job per run, a truthful report, the fewest requests -----------------------------

def slow_posts(sim, seconds, count=1):
    sim.fault(action="delay", method="POST", path="/api/asynchronous/", seconds=seconds, count=count)


@pytest.mark.parametrize("seconds, count, timeout", [(8, 1, 3), (6, 3, 2), (15, 3, 2)])
def test_posts_slower_than_timeout_landing_during_the_run_leave_one_adopted_job(ansible, sim, site, seconds,
                                                                                count, timeout):
    slow_posts(sim, seconds, count)
    run = ansible.task(args(site, timeout=timeout))
    sim.wait_landed()
    assert len(sim.jobs(site)) == 1, run.result.get("msg")
    assert len(sim.log("POST")) == 1, "the POST was never sent again"
    assert run.status == "changed", run.output
    assert run.result["outcome"] == "adopted" and run.result["reconciled"] is True
    [job] = sim.jobs(site)
    assert run.result["job"]["id"] == job["id"]
    assert ansible.task(args(site)).status == "ok"
    sim.wait_landed()
    assert len(sim.jobs(site)) == 1


def test_a_post_landing_after_the_run_ended_is_unknown_and_the_rerun_adopts_it(ansible, sim, site):
    slow_posts(sim, 20)  # lands long after the run gave up, even on a loaded machine
    run = ansible.task(args(site, timeout=2, settle_timeout=2))
    assert run.status == "failed"
    assert run.result["changed"] is False and run.result["outcome"] == "unknown"
    assert run.result["msg"].startswith("the outcome of the queue request is unknown")
    assert "settle_timeout was 2 seconds, shorter than the default 60: the request may still be in flight and " \
           "land later, so a re-run within 58 more seconds may queue a second job" in run.result["msg"]
    assert sim.jobs(site) == [], "still in flight when the run ended"
    sim.wait_landed()
    assert len(sim.jobs(site)) == 1
    rerun = ansible.task(args(site))
    assert rerun.status == "ok" and rerun.result["outcome"] == "existing"
    assert len(sim.log("POST")) == 1 and len(sim.jobs(site)) == 1


@pytest.mark.parametrize("fault, outcome", [
    ({"action": "status", "status": 400}, "not_queued"),
    ({"action": "status", "status": 500, "count": 5}, "unknown"),
])
def test_a_refused_or_failed_post_reports_no_change(ansible, sim, site, fault, outcome):
    sim.fault(method="POST", path="/api/asynchronous/", **fault)
    run = ansible.task(args(site, **({"settle_timeout": 1} if outcome == "unknown" else {})))
    assert run.status == "failed"
    assert run.result["changed"] is False
    assert run.result["queued"] is False
    assert run.result["outcome"] == outcome and run.result["job"] is None
    assert run.result["error"]["status"] == fault["status"]
    assert len(sim.log("POST")) == 1 and sim.jobs(site) == []


@pytest.mark.parametrize("body", ["queued", {"status": "success", "data": {}}])
@pytest.mark.parametrize("wait", [False, True])
def test_an_accepted_answer_of_another_shape_is_a_change_with_a_warning(ansible, sim, site, body, wait):
    sim.fault(action="body", method="POST", path="/api/asynchronous/", body=body)
    run = ansible.task(args(site, wait=wait, poll_interval=0.5))
    assert run.status == "changed", run.output
    assert "SDX accepted the script but its answer could not be read" in run.text
    assert "validation error" not in run.output
    [job] = sim.jobs(site)
    if wait:  # found by script and description among the new jobs
        assert run.result["job"]["id"] == job["id"] and run.result["job"]["status"] == "completed"
    else:
        assert run.result["job"]["status"] == "pending" and run.result["job"]["idempotency_key"] is None


def test_a_queued_job_missing_from_the_list_fails_clearly_and_never_hangs(ansible, sim, site):
    sim.fault(action="body", method="GET", path=f"/site/{site}/job", body=[], count=100)
    run = ansible.task(args(site, wait=True, poll_interval=1, wait_timeout=600))
    assert run.status == "failed"
    assert run.result["changed"] is True and run.result["outcome"] == "queued"
    [job] = sim.jobs(site)
    message = run.result["msg"]
    assert f"no job with idempotency key {job['idempotency_key']} is listed by GET {sim.url}/site/{site}/job" in message
    assert "Idempotency relies on that list" in message
    assert "job None" not in message
    assert len(sim.log("POST")) == 1
    assert len(sim.log("GET", f"/site/{site}/job")) <= 20, "the locate window bounds the look-ups"


def test_queue_only_takes_two_requests_and_queue_and_wait_three(ansible, sim, site):
    queued = ansible.task(args(site))
    assert [(entry["method"], entry["path"]) for entry in sim.log()] == [
        ("GET", f"/site/{site}/job"), ("POST", f"/api/asynchronous/{site}")]
    assert queued.result["job"]["idempotency_key"] == sim.jobs(site)[0]["idempotency_key"]
    sim.call("DELETE", "/_sim/requests")
    # The job completes on delivery (no acknowledgement) well before the first poll: the look-up ends the wait.
    waited = ansible.task(args(site, description="Queue and wait", wait=True, poll_interval=2))
    assert waited.status == "changed" and waited.result["job"]["status"] == "completed"
    assert [(entry["method"], entry["path"]) for entry in sim.log()] == [
        ("GET", f"/site/{site}/job"), ("POST", f"/api/asynchronous/{site}"), ("GET", f"/site/{site}/job")]


@pytest.mark.parametrize("option", ["make_backup", "needs_acknowledgement", "express_execute"])
def test_a_job_queued_with_other_options_is_not_the_same_job(ansible, sim, site, option):
    script = "/system ntp client set enabled=yes"  # runs twice without error (a second add of SCRIPT fails)
    assert ansible.task(args(site, script=script)).status == "changed"
    run = ansible.task(args(site, script=script, wait=True, poll_interval=0.2, **{option: True}))
    assert run.status == "changed", run.output
    first, second = sim.jobs(site)
    assert second[{"make_backup": "should_backup"}.get(option, option)] is True
    assert run.result["job"]["id"] == second["id"] != first["id"]
    assert ansible.task(args(site, script=script, **{option: True})).status == "ok"


def test_a_delayed_request_is_processed_when_its_delay_ends(sim, site):
    slow_posts(sim, 3)
    with pytest.raises(OSError):  # urllib's timeout: the client gives up first
        sim.call("POST", f"/api/asynchronous/{site}", {"description": "d", "script": "/s"}, token=True, timeout=0.5)
    assert sim.jobs(site) == [] and sim.log("POST")[0]["landed"] is False
    sim.wait_landed()
    assert len(sim.jobs(site)) == 1 and sim.log("POST")[0]["status"] == 202
