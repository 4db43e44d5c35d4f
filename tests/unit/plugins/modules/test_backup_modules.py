"""sdx_backup and sdx_backup_info in-process, with every HTTP call asserted."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
import requests
import responses

from ansible_collections.altostrat.sdx.plugins.modules import sdx_backup, sdx_backup_info
from tests.unit.compat import run_module

API = "https://sdx.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
CONNECTION = {"api_url": API, "api_token": "alto_sk_x"}
LIST = f"{API}/backup/{SITE}"
FAST = {"poll_interval": 0.01, "wait_timeout": 0.05}


def listed(seconds_ago):
    moment = datetime.fromtimestamp(time.time() - seconds_ago, timezone.utc)
    return {"filename": f"{int(moment.timestamp())}.rsc", "size": "1.0KB", "date": moment.strftime("%d/%m/%Y"),
            "time": moment.strftime("%H:%M:%S"), "created_at": moment.isoformat().replace("+00:00", "Z")}


def methods():
    return [call.request.method for call in responses.calls]


@responses.activate
def test_a_young_enough_backup_is_ok_and_nothing_is_requested():
    young = listed(600)
    responses.get(LIST, json=[young, listed(90000)])
    result = run_module(sdx_backup.main, {**CONNECTION, "site_id": SITE, "max_age": 3600})
    assert result["changed"] is False and result["requested"] is False
    assert result["backup"] == young
    assert methods() == ["GET"]


@responses.activate
def test_check_mode_predicts_a_request_and_sends_none():
    responses.get(LIST, json=[listed(90000)])
    result = run_module(sdx_backup.main, {**CONNECTION, "site_id": SITE, "max_age": 3600,
                                          "_ansible_check_mode": True})
    assert result["changed"] is True and result["requested"] is True and result["backup"] is None
    assert methods() == ["GET"]


@responses.activate
def test_a_request_waits_for_the_new_backup_and_returns_it():
    old, new = listed(90000), listed(0)
    responses.get(LIST, json=[old])
    responses.post(LIST, status=202, json={"message": "Backup requested"})
    responses.get(LIST, json=[old])
    responses.get(LIST, json=[new, old])
    result = run_module(sdx_backup.main, {**CONNECTION, "site_id": SITE, "poll_interval": 0.01})
    assert result["changed"] is True and result["backup"] == new
    assert methods() == ["GET", "POST", "GET", "GET"]


@responses.activate
def test_without_wait_the_request_is_all():
    responses.get(LIST, json=[])
    responses.post(LIST, status=202, json={"message": "Backup requested"})
    result = run_module(sdx_backup.main, {**CONNECTION, "site_id": SITE, "wait": False})
    assert result["changed"] is True and result["backup"] is None
    assert methods() == ["GET", "POST"]


@responses.activate
def test_an_offline_site_fails_at_wait_timeout_saying_so():
    responses.get(LIST, json=[listed(90000)])
    responses.post(LIST, status=202, json={"message": "Backup requested"})
    responses.get(f"{API}/sites/{SITE}", json={"id": SITE, "has_pulse": False})
    result = run_module(sdx_backup.main, {**CONNECTION, "site_id": SITE, **FAST})
    assert result["failed"] is True and result["changed"] is True
    assert "the site is offline" in result["msg"] and "within 0.05 seconds" in result["msg"]


@responses.activate
def test_a_refused_request_fails_unchanged_with_the_api_error():
    responses.get(LIST, json=[])
    responses.post(LIST, status=403, json={"type": "invalid_request_error", "code": "forbidden", "message": "No."})
    result = run_module(sdx_backup.main, {**CONNECTION, "site_id": SITE})
    assert result["failed"] is True and result["changed"] is False
    assert result["error"]["status"] == 403 and result["error"]["code"] == "forbidden"


@responses.activate
@pytest.mark.parametrize("module, args, needle", [
    (sdx_backup, {"max_age": 0}, "max_age: expected a finite number of seconds above 0"),
    (sdx_backup, {"wait_timeout": -1}, "wait_timeout: expected a finite number of seconds above 0"),
    (sdx_backup, {"site_id": "site_abc"}, "site_id: expected a site UUID"),
    (sdx_backup_info, {"filename": "../x"}, "filename: expected a backup filename"),
    (sdx_backup_info, {"compare_to": "previous"}, "compare_to: needs a backup to compare with"),
])
def test_bad_input_fails_before_any_request(module, args, needle):
    result = run_module(module.main, {**CONNECTION, "site_id": SITE, **args})
    assert result["failed"] is True and needle in result["msg"]
    assert len(responses.calls) == 0


OLD = "# 2026-11-28 00:00:00 by RouterOS 7.16.2\n/ppp secret\nadd name=u password=Pw0rd1\n"
NEW = OLD.replace("2026-11-28", "2026-11-29") + "/ip address\nadd address=192.168.99.1/24 interface=bridge\n"


@responses.activate
def test_info_reads_the_latest_masked_and_diffs_it_against_the_previous():
    new, old = listed(10), listed(90000)
    responses.get(LIST, json=[new, old])
    responses.get(f"{LIST}/{new['filename']}", json={**new, "content": NEW})
    responses.get(f"{LIST}/{old['filename']}", json={**old, "content": OLD})
    result = run_module(sdx_backup_info.main, {**CONNECTION, "site_id": SITE, "latest": True,
                                               "compare_to": "previous"})
    assert result["changed"] is False
    assert result["backups"] == [new, old]
    assert result["backup"]["filename"] == new["filename"]
    assert "password=********" in result["backup"]["content"] and "Pw0rd1" not in str(result)
    assert result["compared_to"] == old
    changed = [line for line in result["config_diff"].splitlines()[2:] if line[:1] in "+-"]
    assert changed == ["+/ip address", "+add address=192.168.99.1/24 interface=bridge"]


@responses.activate
def test_info_reveals_secrets_only_when_asked_and_warns(module_warnings):
    new = listed(10)
    responses.get(LIST, json=[new])
    responses.get(f"{LIST}/{new['filename']}", json={**new, "content": OLD})
    result = run_module(sdx_backup_info.main, {**CONNECTION, "site_id": SITE, "filename": new["filename"],
                                               "reveal_secrets": True})
    assert result["backup"]["content"] == OLD
    assert [text.split(";")[0] for text in module_warnings] == ["reveal_secrets: the result holds the router's secrets"]


@responses.activate
def test_info_reveals_secrets_under_no_log_without_a_warning(module_warnings):
    new = listed(10)
    responses.get(LIST, json=[new])
    responses.get(f"{LIST}/{new['filename']}", json={**new, "content": OLD})
    result = run_module(sdx_backup_info.main, {**CONNECTION, "site_id": SITE, "filename": new["filename"],
                                               "reveal_secrets": True, "_ansible_no_log": True})
    assert result["backup"]["content"] == OLD
    assert module_warnings == []


@responses.activate
def test_info_on_an_unlisted_filename_fails_naming_it():
    responses.get(LIST, json=[listed(10)])
    result = run_module(sdx_backup_info.main, {**CONNECTION, "site_id": SITE, "filename": "1.rsc"})
    assert result["failed"] is True and result["msg"] == f"filename: site '{SITE}' lists no backup '1.rsc'"
    assert methods() == ["GET"]


@responses.activate
def test_a_request_with_a_lost_answer_is_not_sent_again_and_the_backup_it_made_is_adopted():
    old, new = listed(90000), listed(0)
    responses.get(LIST, json=[old])
    responses.post(LIST, body=requests.exceptions.ReadTimeout("read timed out"))
    responses.get(LIST, json=[new, old])
    result = run_module(sdx_backup.main, {**CONNECTION, "site_id": SITE, "poll_interval": 0.01})
    assert result["changed"] is True and result["backup"] == new
    assert methods() == ["GET", "POST", "GET"]


@responses.activate
def test_a_lost_answer_without_wait_fails_saying_a_rerun_is_safe():
    responses.get(LIST, json=[])
    responses.post(LIST, body=requests.exceptions.ReadTimeout("read timed out"))
    result = run_module(sdx_backup.main, {**CONNECTION, "site_id": SITE, "wait": False})
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("the backup request may or may not have reached SDX; running the task again")
    assert methods() == ["GET", "POST"]
