"""The companion modules in-process, with every HTTP call asserted."""

from __future__ import annotations

import responses

from ansible_collections.altostrat.sdx.plugins.modules import sdx_command, sdx_job, sdx_job_info, sdx_site_info
from tests.unit.compat import run_module

API = "https://sdx.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
JOB = "0eb76fdc-b556-4ca3-91ac-0b8a5b606053"
CONNECTION = {"api_url": API, "api_token": "alto_sk_x"}
JOB_URL = f"{API}/site/{SITE}/job/{JOB}"


def methods():
    return [call.request.method for call in responses.calls]


@responses.activate
def test_cancel_in_check_mode_reads_but_never_deletes():
    responses.get(JOB_URL, json={"id": JOB, "description": "d"})
    result = run_module(sdx_job.main, {**CONNECTION, "site_id": SITE, "job_id": JOB, "_ansible_check_mode": True})
    assert result["changed"] is True
    assert methods() == ["GET"]


@responses.activate
def test_cancel_deletes_a_pending_job():
    responses.get(JOB_URL, json={"id": JOB})
    responses.delete(JOB_URL, status=204)
    result = run_module(sdx_job.main, {**CONNECTION, "site_id": SITE, "job_id": JOB})
    assert result["changed"] is True
    assert methods() == ["GET", "DELETE"]


@responses.activate
def test_cancel_of_a_started_job_surfaces_job_already_started_unchanged():
    responses.get(JOB_URL, json={"id": JOB, "started_at": "t"})
    responses.delete(JOB_URL, status=400, json={"type": "invalid_request_error", "code": "job_already_started",
                                                "message": "The job has already started."})
    result = run_module(sdx_job.main, {**CONNECTION, "site_id": SITE, "job_id": JOB})
    assert result["failed"] is True and result["changed"] is False
    assert result["error"]["code"] == "job_already_started"
    assert "The job has already started." in result["msg"]


@responses.activate
def test_write_commands_are_refused_before_any_request():
    result = run_module(sdx_command.main, {**CONNECTION, "site_id": SITE, "command": "/system/reboot"})
    assert result["failed"] is True
    assert result["msg"].startswith("command: '/system/reboot' may change the router")
    assert len(responses.calls) == 0


@responses.activate
def test_allowed_write_commands_are_not_sent_in_check_mode():
    result = run_module(sdx_command.main, {**CONNECTION, "site_id": SITE, "command": "/system/reboot",
                                           "allow_write": True, "_ansible_check_mode": True})
    assert result["changed"] is True
    assert len(responses.calls) == 0


@responses.activate
def test_read_commands_run_in_check_mode_and_accept_a_bare_array():
    responses.post(f"{API}/api/synchronous/{SITE}", json=[{"name": "gw"}])
    result = run_module(sdx_command.main, {**CONNECTION, "site_id": SITE, "command": "/system identity print",
                                           "_ansible_check_mode": True})
    assert result["changed"] is False
    assert result["output"] == [{"name": "gw"}]
    assert responses.calls[0].request.body == b'{"command": "/system/identity/print"}'


@responses.activate
def test_site_info_unknown_id_is_an_empty_list():
    responses.get(f"{API}/sites/{SITE}", status=404, json={"code": "resource_missing", "message": "No site."})
    result = run_module(sdx_site_info.main, {**CONNECTION, "site_id": SITE})
    assert result["sites"] == [] and result["changed"] is False


@responses.activate
def test_job_info_filters_by_key_and_status_and_hides_scripts():
    responses.get(f"{API}/site/{SITE}/job", json=[
        {"id": "a", "idempotency_key": "k1", "script": "/secret", "completed_at": "t"},
        {"id": "b", "idempotency_key": "k2", "script": "/x"}])
    result = run_module(sdx_job_info.main, {**CONNECTION, "site_id": SITE, "idempotency_key": "k1"})
    assert [job["id"] for job in result["jobs"]] == ["a"]
    assert "script" not in result["jobs"][0]
    result = run_module(sdx_job_info.main, {**CONNECTION, "site_id": SITE, "status": ["pending"],
                                            "include_script": True})
    assert [(job["id"], job["script"]) for job in result["jobs"]] == [("b", "/x")]


@responses.activate
def test_a_cancel_with_an_unknown_outcome_is_read_back_and_reports_the_change():
    responses.get(JOB_URL, json={"id": JOB})
    responses.delete(JOB_URL, status=502, json={})
    responses.get(JOB_URL, status=404, json={"type": "invalid_request_error", "code": "resource_missing",
                                             "message": "No job."})
    result = run_module(sdx_job.main, {**CONNECTION, "site_id": SITE, "job_id": JOB})
    assert result["changed"] is True and result.get("failed") is not True
    assert methods() == ["GET", "DELETE", "GET"]


@responses.activate
def test_answers_of_an_unexpected_shape_fail_each_module_clearly():
    responses.get(f"{API}/sites", json=[{"name": "no id"}])
    responses.get(f"{API}/site/{SITE}/job", json=["not a job"])
    responses.get(JOB_URL, json={"description": "no id"})
    cases = [
        (sdx_site_info.main, {}, f"SDX API answered GET {API}/sites with a list whose item 0 is an object that is "
                                 f"not a Site (id: Field required)"),
        (sdx_job_info.main, {"site_id": SITE}, f"SDX API answered GET {API}/site/{SITE}/job with a list whose "
                                               f"item 0 is a str that is not a Job"),
        (sdx_job_info.main, {"site_id": SITE, "job_id": JOB}, f"SDX API answered GET {JOB_URL} with an object "
                                                              f"that is not a Job (id: Field required)"),
        (sdx_job.main, {"site_id": SITE, "job_id": JOB}, f"SDX API answered GET {JOB_URL} with an object that "
                                                         f"is not a Job (id: Field required)"),
    ]
    for main, args, message in cases:
        result = run_module(main, {**CONNECTION, **args})
        assert result["failed"] is True, message
        assert result["msg"].startswith(message), result["msg"]
        assert "validation error" not in result["msg"] and "Traceback" not in str(result)
