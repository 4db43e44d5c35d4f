"""sdx_async_script in-process, with every HTTP call asserted."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from ansible_collections.altostrat.sdx.plugins.modules import sdx_async_script
from tests.unit.compat import run_module

API = "https://sdx.test"
TOKEN = "alto_sk_module_unit_secret"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
JOBS = f"{API}/site/{SITE}/job"
QUEUE = f"{API}/api/asynchronous/{SITE}"
ARGS = {"api_url": API, "api_token": TOKEN, "site_id": SITE, "description": "Add guest network",
        "script": "/ip address add address=192.168.99.1/24 interface=bridge"}
NEW_JOB = {"id": "j-new", "idempotency_key": "k-new", "description": ARGS["description"], "script": ARGS["script"],
           "created_at": "2026-11-28T12:00:00Z"}


def run(**extra):
    return run_module(sdx_async_script.main, {**ARGS, **extra})


def methods():
    return [call.request.method for call in responses.calls]


@responses.activate
@pytest.mark.parametrize("check_mode", [False, True])
def test_first_run_queues_and_check_mode_predicts_it_without_posting(check_mode):
    responses.get(JOBS, json=[])
    responses.post(QUEUE, status=202, json={"status": "success", "data": {
        "idempotency_key": "k-new", "request_id": "req-1", "target": SITE}})
    result = run(_ansible_check_mode=check_mode)
    assert result["changed"] is True and result["queued"] is True
    if check_mode:
        assert methods() == ["GET"]
        assert result["job"] is None
        assert result["outcome"] == "would_queue"
        assert "would queue" in result["msg"]
    else:
        # Queue only: the idempotency read and the POST, no look-up of the job.
        assert methods() == ["GET", "POST"]
        assert result["outcome"] == "queued"
        assert result["job"] == {"id": None, "idempotency_key": "k-new", "site_id": SITE, "status": "pending",
                                 "description": ARGS["description"], "created_at": None}
        assert result["request_id"] == "req-1"


@responses.activate
def test_queue_and_wait_on_a_job_done_before_the_first_poll_takes_three_requests():
    responses.get(JOBS, json=[])
    responses.post(QUEUE, status=202, json={"status": "success", "data": {"idempotency_key": "k-new"}})
    responses.get(JOBS, json=[dict(NEW_JOB, started_at="t1", completed_at="t2")])
    result = run(wait=True, poll_interval=0.01)
    assert methods() == ["GET", "POST", "GET"]
    assert result["changed"] is True and result["job"]["id"] == "j-new"
    assert result["job"]["status"] == "completed"


@responses.activate
@pytest.mark.parametrize("status", [400, 422])
def test_a_refused_queue_request_reports_no_change(status):
    responses.get(JOBS, json=[])
    responses.post(QUEUE, status=status, json={"type": "invalid_request_error", "code": "parameter_invalid",
                                               "message": "No."})
    result = run()
    assert result["failed"] is True
    assert result["changed"] is False and result["queued"] is False
    assert result["outcome"] == "not_queued" and result["job"] is None
    assert result["error"]["status"] == status
    assert methods() == ["GET", "POST"]


@responses.activate
def test_a_500_every_time_is_an_unknown_outcome_with_no_change_and_one_post():
    responses.get(JOBS, json=[])
    responses.post(QUEUE, status=500, json={"type": "api_error", "code": "internal_server_error", "message": "x"})
    result = run(settle_timeout=0.05)
    assert result["failed"] is True
    assert result["changed"] is False and result["queued"] is False
    assert result["outcome"] == "unknown"
    assert result["msg"].startswith("the outcome of the queue request is unknown")
    assert "a re-run within 59.95 more seconds may queue a second job" in result["msg"]
    assert result["error"]["status"] == 500 and result["error"]["code"] == "internal_server_error"
    assert methods().count("POST") == 1


@responses.activate
@pytest.mark.parametrize("body", [{"json": "queued"}, {"json": {"status": "success", "data": {}}}])
def test_a_202_that_cannot_be_read_is_a_change_with_a_warning(body, module_warnings):
    responses.get(JOBS, json=[])
    responses.post(QUEUE, status=202, **body)
    result = run()
    assert result.get("failed") is not True
    assert result["changed"] is True and result["outcome"] == "queued"
    assert result["job"]["idempotency_key"] is None and result["job"]["status"] == "pending"
    assert [text.split(" (")[0] for text in module_warnings] == ["SDX accepted the script but its answer could not be read"]
    assert "validation error" not in json.dumps(result)


@responses.activate
@pytest.mark.parametrize("check_mode", [False, True])
def test_an_equal_job_means_ok_and_no_post(check_mode):
    responses.get(JOBS, json=[dict(NEW_JOB, started_at="t1", completed_at="t2")])
    result = run(_ansible_check_mode=check_mode)
    assert methods() == ["GET"]
    assert result["changed"] is False and result["queued"] is False
    assert result["job"]["id"] == "j-new"
    assert result["job"]["status"] == "completed"


@responses.activate
def test_check_mode_with_force_posts_nothing_and_does_not_wait():
    responses.get(JOBS, json=[NEW_JOB])
    result = run(force=True, wait=True, _ansible_check_mode=True)
    assert methods() == ["GET"]
    assert result["changed"] is True


@responses.activate
def test_a_dropped_post_yields_exactly_one_job():
    responses.get(JOBS, json=[])
    responses.post(QUEUE, body=requests.exceptions.ConnectionError("Connection aborted."))
    responses.get(JOBS, json=[NEW_JOB])
    result = run()
    assert methods() == ["GET", "POST", "GET"]
    assert result["changed"] is True
    assert result["reconciled"] is True and result["outcome"] == "adopted"
    assert result["job"]["id"] == "j-new"


@responses.activate
def test_diff_shows_the_script_and_the_result_never_holds_script_or_token():
    responses.get(JOBS, json=[])
    result = run(_ansible_check_mode=True, _ansible_diff=True)
    assert result["diff"]["before"] == ""
    assert result["diff"]["after"] == ARGS["script"] + "\n"
    assert TOKEN not in json.dumps(result)
    # Ansible echoes the task arguments under "invocation" (use no_log on the task for secret scripts).
    del result["diff"]
    result.pop("invocation", None)
    assert ARGS["script"] not in json.dumps(result)


@responses.activate
@pytest.mark.parametrize("change, message", [
    ({"site_id": "branch-1"}, "site_id: expected a site UUID such as"),
    ({"script": "   "}, "script: must not be empty"),
    ({"notify_url": "http://hooks.example.com/sdx"}, "notify_url: expected an https:// URL"),
    ({"api_token": ""}, "api_token: no API token given; set the api_token option or the SDX_API_TOKEN"),
    ({"api_url": "v1.api.altostrat.io"}, "api_url: expected an http(s) URL"),
    ({"timeout": 0}, "timeout: expected a finite number of seconds above 0"),
    ({"wait_timeout": -1}, "wait_timeout: expected a finite number of seconds above 0"),
    ({"settle_timeout": 0}, "settle_timeout: expected a finite number of seconds above 0"),
])
def test_bad_input_fails_before_any_request(change, message):
    result = run(**change)
    assert result["failed"] is True
    assert result["msg"].startswith(message)
    assert len(responses.calls) == 0


@responses.activate
def test_api_errors_keep_status_type_code_and_message():
    responses.get(JOBS, status=404, json={"type": "invalid_request_error", "code": "resource_missing",
                                          "message": f"No site found with id '{SITE}'.", "doc_url": "https://d/e"})
    result = run()
    assert result["failed"] is True
    assert result["msg"].startswith(f"site '{SITE}' was not found: SDX API answered HTTP 404")
    assert result["error"] == {"status": 404, "type": "invalid_request_error", "code": "resource_missing",
                               "message": f"No site found with id '{SITE}'.", "doc_url": "https://d/e"}


@responses.activate
def test_a_failed_job_fails_the_wait_with_changed_and_the_job():
    responses.get(JOBS, json=[])
    responses.post(QUEUE, status=202, json={"status": "success", "data": {"idempotency_key": "k-new"}})
    responses.get(JOBS, json=[NEW_JOB])
    responses.get(f"{JOBS}/j-new", json=dict(NEW_JOB, started_at="t1", failed_at="t2"))
    result = run(wait=True, poll_interval=0.01)
    assert result["failed"] is True and result["changed"] is True
    assert result["job"]["status"] == "failed"
    assert [step["status"] for step in result["transitions"]] == ["pending", "failed"]
    assert "failed at t2" in result["msg"]
