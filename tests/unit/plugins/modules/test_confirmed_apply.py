"""Confirmed apply in-process, every HTTP call asserted: what is sent, in what order, and that the confirm goes once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import requests
import responses

from ansible_collections.altostrat.sdx.plugins.module_utils import _jobs
from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._confirm import ConfirmPlan, script_revert
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError
from ansible_collections.altostrat.sdx.plugins.module_utils._confirm_flow import wait_change
from ansible_collections.altostrat.sdx.plugins.module_utils._retry import RetryPolicy
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI
from ansible_collections.altostrat.sdx.plugins.modules import sdx_async_script, sdx_config
from tests.unit.compat import FakeClock, run_module

API = "https://sdx.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
CHANGE, CONFIRM = "0eb76fdc-b556-4ca3-91ac-0b8a5b606053", "1fc87fdc-b556-4ca3-91ac-0b8a5b606054"
KEY, CONFIRM_KEY = "c4a3498b-ead4-47c6-aa4f-d4662e1fdb54", "d5b4498b-ead4-47c6-aa4f-d4662e1fdb55"
CONNECTION = {"api_url": API, "api_token": "alto_sk_x", "site_id": SITE, "poll_interval": 0.01,
              "settle_timeout": 0.05, "wait_timeout": 0.3}
SYNC = f"{API}/api/synchronous/{SITE}"
JOBS = f"{API}/site/{SITE}/job"
QUEUE = f"{API}/api/asynchronous/{SITE}"
ADDRESSES = [{".id": "*1", "address": "192.168.88.1/24", "interface": "bridge", "comment": "defconf",
              "dynamic": False, "disabled": False}]
GUEST = {"address": "192.168.99.1/24", "interface": "bridge", "comment": "guest"}


def ago(seconds: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def change_job(started: float = 2, completed: float = 1, **extra) -> dict:
    return {"id": CHANGE, "idempotency_key": KEY, "description": "sdx_config ip address (merged)",
            "created_at": ago(started + 1), "started_at": ago(started), "completed_at": ago(completed), **extra}


def confirm_job(**times) -> dict:
    return {"id": CONFIRM, "idempotency_key": CONFIRM_KEY, "description": "confirm", "created_at": ago(0.5), **times}


def queued_answer(key: str) -> dict:
    return {"json": {"data": {"idempotency_key": key, "request_id": "r"}}, "status": 202}


def methods() -> list[str]:
    return [f"{call.request.method} {call.request.url.removeprefix(API).split('?')[0]}" for call in responses.calls]


def posted_scripts() -> list[dict]:
    return [json.loads(call.request.body) for call in responses.calls if call.request.url == QUEUE]


def sync_commands() -> list[dict]:
    return [json.loads(call.request.body) for call in responses.calls if call.request.url == SYNC]


def the_change_ran(scheduler_rows: list, last_seen: float = 0.2) -> None:
    """Read, no revert of an earlier run armed, queue, and the change job completed; the next read of the scheduler
    answers ``scheduler_rows``."""
    responses.post(SYNC, json=ADDRESSES)
    responses.post(SYNC, json=[])
    responses.get(JOBS, json=[])
    responses.post(QUEUE, **queued_answer(KEY))
    responses.get(JOBS, json=[change_job()])
    responses.post(SYNC, json=scheduler_rows)
    responses.get(f"{API}/sites/{SITE}", json={"id": SITE, "has_pulse": True, "last_seen_at": ago(last_seen)})


def config(**args) -> dict:
    return run_module(sdx_config.main, {**CONNECTION, "path": "ip address", "data": [GUEST],
                                        "confirm_timeout": "5m", **args})


@responses.activate
def test_confirmed_proves_contact_sends_the_confirm_once_and_reads_the_entry_gone():
    the_change_ran([{"name": "sdx-confirm-x", "run-count": "0"}])
    responses.get(JOBS, json=[change_job()])
    responses.post(QUEUE, **queued_answer(CONFIRM_KEY))
    responses.get(JOBS, json=[confirm_job(started_at=ago(0.2), completed_at=ago(0.1)), change_job()])
    responses.post(SYNC, json=[])
    responses.post(SYNC, json=[*ADDRESSES, {".id": "*2", **GUEST, "dynamic": False}])
    result = config()
    assert result["outcome"] == "confirmed" and result["converged"] is True and result["changed"] is True, result
    change, confirm = posted_scripts()
    name = result["confirm"]["scheduler"]
    assert change["script"].startswith(f"/system scheduler add name={name} start-time=startup interval=5m ")
    assert change["script"].splitlines()[-1] == ("/ip address add address=192.168.99.1/24 interface=bridge "
                                                 "comment=guest")
    assert confirm["script"] == f"/system scheduler remove {name}\n"
    assert confirm["needs_acknowledgement"] is True and confirm["express_execute"] is True
    by_name = f"?name={name}"
    assert [body.get("parameters") for body in sync_commands()] == [None, by_name, by_name, by_name, None]
    assert methods() == ["POST /api/synchronous/" + SITE, "POST /api/synchronous/" + SITE,
                         "GET /site/" + SITE + "/job", "POST /api/asynchronous/" + SITE,
                         "GET /site/" + SITE + "/job", "POST /api/synchronous/" + SITE, "GET /sites/" + SITE,
                         "GET /site/" + SITE + "/job", "POST /api/asynchronous/" + SITE, "GET /site/" + SITE + "/job",
                         "POST /api/synchronous/" + SITE, "POST /api/synchronous/" + SITE]
    assert result["confirm"]["contact"]["check_in_at"] and result["confirm"]["job"]["id"] == CONFIRM


@responses.activate
def test_check_mode_shows_the_scheduler_and_revert_and_sends_no_post():
    responses.post(SYNC, json=ADDRESSES)
    responses.post(SYNC, json=[])
    result = config(_ansible_check_mode=True)
    assert result["changed"] is True and result["outcome"] is None
    assert result["confirm"]["revert"] == ["/ip address remove [find where address=192.168.99.1/24 interface=bridge]"]
    assert result["confirm"]["armed"][0].startswith("/system scheduler add name=sdx-confirm-")
    assert methods() == [f"POST /api/synchronous/{SITE}"] * 2
    assert sync_commands()[1] == {"command": "/system/scheduler/print",
                                  "parameters": f"?name={result['confirm']['scheduler']}"}


@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check"])
@responses.activate
def test_a_revert_of_an_earlier_run_still_armed_is_refused_before_any_post(check_mode):
    responses.post(SYNC, json=ADDRESSES)
    responses.post(SYNC, json=[{".id": "*9", "name": "sdx-confirm-x", "run-count": "0"}])
    result = config(_ansible_check_mode=check_mode)
    name = result["confirm"]["scheduler"]
    assert result["failed"] is True and result["outcome"] is None, result
    assert f"still holds the scheduler entry {name}, armed by an earlier run" in result["msg"]
    assert "nothing was queued" in result["msg"] and f"/system scheduler remove {name}" in result["msg"]
    assert methods() == [f"POST /api/synchronous/{SITE}"] * 2


@responses.activate
def test_sdx_async_script_refuses_when_its_revert_is_still_armed():
    responses.post(SYNC, json=[{".id": "*9", "name": "sdx-confirm-x"}])
    result = run_module(sdx_async_script.main, {
        **CONNECTION, "description": "d", "script": "/system identity set name=x", "confirm_timeout": "10m",
        "revert_script": "/system identity set name=y", "wait": True, "needs_acknowledgement": True})
    assert result["failed"] is True and "armed by an earlier run" in result["msg"], result
    assert methods() == [f"POST /api/synchronous/{SITE}"]


@responses.activate
def test_a_secret_the_router_prints_is_masked_as_written_in_the_change_and_in_the_armed_revert():
    old, new = 'pa$$ w"rd', 'n3w$ "x'
    responses.post(SYNC, json=[{".id": "*1", "name": "u1", "password": old, "profile": "default",
                                "service": "any", "disabled": False}])
    responses.post(SYNC, json=[])
    result = config(_ansible_check_mode=True, path="ppp secret", keys=["name"],
                    data=[{"name": "u1", "password": new}])
    assert result["changed"] is True and result["confirm"]["revert"], result
    shown = "\n".join(texts(result))
    for written in ("pa$$", "pa\\$\\$", 'w"rd', 'w\\"rd', "n3w", '\\"x'):
        assert written not in shown, (written, shown)
    assert result["commands"] == ['/ppp secret set [find where name=u1] password="********"']
    assert result["confirm"]["revert"] == ['/ppp secret set [find where name=u1] password="********"']


def texts(value) -> list[str]:
    """Every text in a result, however deep."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in texts(item)]
    return [value] if isinstance(value, str) else []


def test_a_revert_script_is_armed_as_written_blank_lines_inside_a_quoted_value_included():
    written = '/ip address set [find where address=192.168.99.1/24] comment="a\n\n  b "\n/system identity set name=x'
    plan = script_revert("sdx-confirm-0123456789ab", 300, f"\n{written}\n")
    assert "\n".join(plan.revert) == written
    assert plan.on_event == f"/system scheduler remove [find where name=sdx-confirm-0123456789ab]\n{written}"
    with pytest.raises(SDXInputError, match="revert_script: expected the RouterOS commands"):
        script_revert("sdx-confirm-0123456789ab", 300, " \n\t\n")


@responses.activate
def test_the_entry_gone_at_the_first_answer_means_reverted_and_no_confirm_is_sent():
    the_change_ran([])
    responses.post(SYNC, json=ADDRESSES)
    result = config()
    assert result["failed"] is True and result["changed"] is True and result["outcome"] == "reverted"
    assert "its revert ran" in result["msg"] and "holds what it held before the change" in result["msg"]
    assert result["reverted_to_before"] is True and len(posted_scripts()) == 1


@responses.activate
def test_a_confirm_with_an_unknown_outcome_is_not_sent_again_and_is_never_confirmed():
    the_change_ran([{"name": "sdx-confirm-x"}])
    responses.get(JOBS, json=[change_job()])
    responses.post(QUEUE, body=requests.exceptions.ReadTimeout("read timed out"))
    result = config()
    assert result["failed"] is True and result["outcome"] == "unknown" and result["changed"] is True
    assert "it was not sent again" in result["msg"] and "check the router for the scheduler entry" in result["msg"]
    # Not the queue's generic advice (a re-run of the task finds nothing to change and would not confirm).
    assert "A re-run reads the job list first" not in result["msg"] and "does not confirm" in result["msg"]
    assert len(posted_scripts()) == 2


@responses.activate
def test_a_confirm_job_that_failed_means_the_revert_ran_first():
    the_change_ran([{"name": "sdx-confirm-x"}])
    responses.get(JOBS, json=[change_job()])
    responses.post(QUEUE, **queued_answer(CONFIRM_KEY))
    responses.get(JOBS, json=[confirm_job(started_at=ago(0.2), failed_at=ago(0.1)), change_job()])
    responses.post(SYNC, json=[])
    responses.post(SYNC, json=ADDRESSES)
    result = config()
    assert result["outcome"] == "reverted" and "the confirm job" in result["msg"] and "failed" in result["msg"]
    assert len(posted_scripts()) == 2


@responses.activate
def test_no_check_in_after_the_job_before_the_deadline_sends_no_confirm():
    responses.post(SYNC, json=ADDRESSES)
    responses.post(SYNC, json=[])
    responses.get(JOBS, json=[])
    responses.post(QUEUE, **queued_answer(KEY))
    responses.get(JOBS, json=[change_job(started=59.7, completed=59.5)])
    responses.post(SYNC, json=[{"name": "sdx-confirm-x"}])
    responses.get(f"{API}/sites/{SITE}", json={"id": SITE, "has_pulse": True, "last_seen_at": ago(70)})
    result = config(confirm_timeout="1m")
    assert result["failed"] is True and result["outcome"] == "unknown", result
    assert "did not check in after the job" in result["msg"] and "still holds the scheduler entry" in result["msg"]
    assert len(posted_scripts()) == 1


@responses.activate
def test_a_site_object_without_last_seen_at_fails_naming_the_assumption():
    the_change_ran([{"name": "sdx-confirm-x"}])
    responses.replace(responses.GET, f"{API}/sites/{SITE}", json={"id": SITE, "has_pulse": True})
    result = config()
    assert result["failed"] is True and "relies on the site's last_seen_at" in result["msg"]
    assert len(posted_scripts()) == 1


@pytest.mark.parametrize("args, message", [
    ({"confirm_timeout": "5m", "wait": False}, "confirm_timeout: needs wait=true"),
    ({"confirm_timeout": "5m", "state": "gathered", "data": None}, "state=gathered changes nothing"),
    ({"confirm_timeout": "25h"}, "from 1m to 24h"),
    ({"confirm_timeout": "2d"}, "expected a duration such as 90s, 5m or 1h30m"),
])
@responses.activate
def test_bad_confirm_options_of_sdx_config_fail_before_any_request(args, message):
    result = config(**args)
    assert result["failed"] is True and message in result["msg"]
    assert not responses.calls


@responses.activate
def test_sdx_async_script_with_a_backup_revert_saves_it_first_and_the_confirm_removes_it():
    responses.post(SYNC, json=[])
    responses.get(JOBS, json=[])
    result = run_module(sdx_async_script.main, {
        **CONNECTION, "description": "d", "script": "/system identity set name=x", "confirm_timeout": "10m",
        "revert_to_backup": True, "wait": True, "needs_acknowledgement": True, "_ansible_check_mode": True})
    name = result["confirm"]["scheduler"]
    assert result["outcome"] == "would_queue" and methods() == [f"POST /api/synchronous/{SITE}", f"GET /site/{SITE}/job"]
    assert result["confirm"]["armed"][0] == f"/system backup save name={name} dont-encrypt=yes"
    assert result["confirm"]["revert"] == [f'/system backup load name={name}.backup password=""']
    assert result["confirm"]["confirm_script"] == [f"/system scheduler remove {name}",
                                                   f"/file remove [find where name={name}.backup]"]


def running_change() -> dict:
    return {"id": CHANGE, "idempotency_key": KEY, "description": "d", "created_at": ago(3), "started_at": ago(2)}


@responses.activate
def test_a_change_job_that_never_reports_stops_being_waited_for_once_its_revert_ran():
    fake = FakeClock()
    client = SDXClient(API, "t", retry=RetryPolicy(base_delay=0.0), sleep=fake.sleep, clock=fake.clock)
    responses.get(JOBS, json=[running_change()])
    responses.get(f"{JOBS}/{CHANGE}", json=running_change())
    responses.post(SYNC, status=504, json={"type": "api_error", "code": "tunnel_timeout", "message": "timeout"})
    responses.post(SYNC, json=[])
    armed = ConfirmPlan(name="sdx-confirm-0123456789ab", seconds=300, revert=["/x"])
    target = _jobs.Target(idempotency_key=KEY)
    outcome = wait_change(SiteAPI(client, SITE), target, armed, 300, 5, fake.sleep, fake.clock)
    assert outcome.timed_out and outcome.job.status == "running"
    assert "found its scheduler entry sdx-confirm-0123456789ab gone" in outcome.failure(SITE, 300)
    assert [body["parameters"] for body in sync_commands()] == ["?name=sdx-confirm-0123456789ab"] * 2
    assert fake.now < 300  # two reads, one every six polls once the job was found, well before wait_timeout
    assert [step["status"] for step in outcome.transitions] == ["pending", "running"]


@responses.activate
def test_without_confirm_timeout_the_change_wait_reads_no_scheduler():
    fake = FakeClock()
    client = SDXClient(API, "t", retry=RetryPolicy(base_delay=0.0), sleep=fake.sleep, clock=fake.clock)
    responses.get(JOBS, json=[running_change()])
    responses.get(f"{JOBS}/{CHANGE}", json=running_change())
    outcome = wait_change(SiteAPI(client, SITE), _jobs.Target(idempotency_key=KEY), None, 60, 5, fake.sleep,
                          fake.clock)
    assert outcome.timed_out and sync_commands() == []
