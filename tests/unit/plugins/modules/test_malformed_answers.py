"""Answers of an unexpected shape fail every module with a message naming the endpoint and the field, never a
pydantic dump or a traceback (the cases test_companions.py does not cover already)."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.altostrat.sdx.plugins.modules import (sdx_async_script, sdx_backup, sdx_backup_info,
                                                               sdx_command, sdx_job, sdx_site_info)
from tests.unit.compat import run_module

API = "https://sdx.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
JOB = "0eb76fdc-b556-4ca3-91ac-0b8a5b606053"
CONNECTION = {"api_url": API, "api_token": "alto_sk_x", "site_id": SITE}
JOBS = f"{API}/site/{SITE}/job"
BACKUPS = f"{API}/backup/{SITE}"
SCRIPT = {"description": "Set identity", "script": "/system identity set name=gw"}


def fails_cleanly(result: dict, message: str) -> None:
    assert result["failed"] is True, message
    assert result["msg"].startswith(message), result["msg"]
    assert "validation error" not in result["msg"] and "Traceback" not in str(result) and "pydantic" not in str(result)


@responses.activate
def test_one_site_that_is_not_a_site_fails_site_info():
    responses.get(f"{API}/sites/{SITE}", json={"id": ["not", "an", "id"], "name": "gw"})
    result = run_module(sdx_site_info.main, CONNECTION)
    fails_cleanly(result, f"SDX API answered GET {API}/sites/{SITE} with an object that is not a Site (id: ")


@responses.activate
@pytest.mark.parametrize("item, found", [({"description": "no id"}, "an object"), (None, "null"), (7, "a int")])
def test_a_job_list_item_that_is_not_a_job_fails_the_queue_task_before_any_post(item, found):
    responses.get(JOBS, json=[item])
    result = run_module(sdx_async_script.main, {**CONNECTION, **SCRIPT})
    fails_cleanly(result, f"SDX API answered GET {JOBS} with a list whose item 0 is {found} that is not a Job")
    assert [call.request.method for call in responses.calls] == ["GET"]


@responses.activate
def test_a_polled_job_that_is_not_a_job_fails_the_wait_with_the_change_reported():
    responses.get(JOBS, json=[])
    responses.post(f"{API}/api/asynchronous/{SITE}", status=202, json={"data": {"idempotency_key": "k"}})
    responses.get(JOBS, json=[{"id": JOB, "idempotency_key": "k", **SCRIPT}])
    responses.get(f"{JOBS}/{JOB}", json={"id": JOB, "started_at": {"not": "a time"}})
    result = run_module(sdx_async_script.main, {**CONNECTION, **SCRIPT, "wait": True, "poll_interval": 0.01})
    fails_cleanly(result, f"SDX API answered GET {JOBS}/{JOB} with an object that is not a Job (started_at: ")
    assert result["changed"] is True and result["outcome"] == "queued"


@responses.activate
def test_a_job_list_that_is_not_a_list_fails_cancel_when_it_tells_the_site_from_the_job():
    responses.get(f"{JOBS}/{JOB}", status=404, json={"code": "resource_missing", "message": "No job."})
    responses.get(JOBS, json={"jobs": "none"})
    result = run_module(sdx_job.main, {**CONNECTION, "job_id": JOB})
    fails_cleanly(result, f"SDX API answered GET {JOBS} with something that is not a list")


@responses.activate
def test_a_command_answer_that_is_not_a_list_fails_the_command():
    responses.post(f"{API}/api/synchronous/{SITE}", json={"status": "success", "data": "ok"})
    result = run_module(sdx_command.main, {**CONNECTION, "command": "/system/resource/print"})
    fails_cleanly(result, f"SDX answered the command on site '{SITE}' with something that is not a list")


@responses.activate
@pytest.mark.parametrize("main, args", [(sdx_backup.main, {}), (sdx_backup_info.main, {})])
def test_a_listed_backup_with_a_field_of_another_type_fails_both_backup_modules(main, args):
    responses.get(BACKUPS, json=[{"filename": "1795824000.rsc", "size": ["12KB"]}])
    result = run_module(main, {**CONNECTION, **args})
    fails_cleanly(result, f"SDX API answered GET {BACKUPS} with a list whose item 0 is an object that is not a "
                          f"Backup (size: ")
    assert result["changed"] is False


@responses.activate
def test_a_backup_whose_content_is_not_text_fails_backup_info():
    responses.get(BACKUPS, json=[{"filename": "1795824000.rsc"}])
    responses.get(f"{BACKUPS}/1795824000.rsc", json={"content": None})
    result = run_module(sdx_backup_info.main, {**CONNECTION, "latest": True})
    fails_cleanly(result, f"SDX answered backup '1795824000.rsc' of site '{SITE}' without its content")
