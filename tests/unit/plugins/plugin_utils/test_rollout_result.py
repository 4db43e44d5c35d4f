"""Each site's outcome (status, message, job fields) as the role records it, decided by one function."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.altostrat.sdx.plugins.filter.rollout_result import FilterModule
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _rollout

JOB = {"id": "j1", "status": "completed", "created_at": "2026-11-28T12:00:00Z",
       "started_at": "2026-11-28T12:00:04Z", "completed_at": "2026-11-28T12:00:06Z"}
QUEUED = {"changed": True, "job": {"id": "j1", "status": "pending", "created_at": "2026-11-28T12:00:00Z"}}
DONE = {"changed": True, "job": JOB}
EQUAL = {"changed": False, "job": {**JOB, "status": "running", "completed_at": None}}
VERIFIED = {"changed": False, "output": [{"name": "branch-0001-gw"}]}
NOT_VERIFIED = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}
KEYS = ["site", "site_id", "status", "changed", "job_id", "queued", "started", "finished", "message"]


def ran(job, wait=True, check_mode=False, verify=None):
    return _rollout.site_result("ran", "branch-0001", "s1", job=job, wait=wait, check_mode=check_mode,
                                verify=verify or NOT_VERIFIED)


@pytest.mark.parametrize("result, status, message", [
    (ran(DONE, verify=VERIFIED), "completed", "job completed, verified"),
    (ran(DONE), "completed", "job completed"),
    (ran(QUEUED, wait=False), "queued", "queued the script"),
    (ran(QUEUED, wait="false"), "queued", "queued the script"),  # -e rollout_wait=false, should it get here as text
    (ran(QUEUED, check_mode=True), "queued", "would queue the script (check mode)"),
    (ran(EQUAL), "unchanged", "an equal job was already running"),
    (ran(EQUAL, check_mode=True), "unchanged", "an equal job was already running"),
])
def test_a_script_task_that_succeeded(result, status, message):
    assert (result["status"], result["message"]) == (status, message)
    assert list(result) == KEYS
    assert result["status"] in _rollout.STATUSES


def test_a_completed_job_keeps_its_id_and_times():
    result = ran(DONE)
    assert (result["site"], result["site_id"], result["changed"], result["job_id"]) == ("branch-0001", "s1", True, "j1")
    assert (result["queued"], result["started"], result["finished"]) == (
        "2026-11-28T12:00:00Z", "2026-11-28T12:00:04Z", "2026-11-28T12:00:06Z")
    assert ran(QUEUED, wait=False)["started"] is None and ran(QUEUED, wait=False)["finished"] is None


def test_a_failed_job_finishes_when_it_failed():
    failed_job = {**JOB, "status": "failed", "completed_at": None, "failed_at": "2026-11-28T12:00:09Z"}
    job = {"changed": True, "failed": True, "job": failed_job}
    result = _rollout.site_result("failed", "branch-0002", "s2", job=job, error={"msg": "job j1 failed at x"})
    assert (result["status"], result["message"], result["changed"]) == ("failed", "job j1 failed at x", True)
    assert (result["job_id"], result["finished"]) == ("j1", "2026-11-28T12:00:09Z")


def test_a_failure_before_any_job_has_no_job_fields():
    result = _rollout.site_result("failed", "branch-0002", "s2", error={"msg": "site s2 is not known to SDX"})
    assert result == {"site": "branch-0002", "site_id": "s2", "status": "failed", "changed": False, "job_id": None,
                      "queued": None, "started": None, "finished": None, "message": "site s2 is not known to SDX"}
    assert _rollout.site_result("failed", "h", "s", error={}, job={})["message"] == "failed"


def test_the_config_diff_is_kept_for_a_job_that_ran_and_only_then():
    diff = "--- before\n+++ after\n@@ -1 +1,2 @@\n+/ip address add\n"
    assert ran({**DONE, "config_diff": diff})["config_diff"] == diff
    assert "config_diff" not in ran({**DONE, "config_diff": None})
    failed = _rollout.site_result("failed", "h", "s", job={**DONE, "config_diff": diff}, error={"msg": "verify: no"})
    assert "config_diff" not in failed


def test_an_offline_site_says_since_when():
    site = {"has_pulse": False, "last_seen_at": "2026-11-28T23:40:57Z"}
    result = _rollout.site_result("offline", "branch-0009", "s9", site=site)
    assert (result["status"], result["message"]) == ("skipped_offline", "offline since 2026-11-28T23:40:57Z; nothing queued")
    assert list(result) == KEYS and result["job_id"] is None and result["changed"] is False
    unknown = _rollout.site_result("offline", "h", "s", site={"has_pulse": False, "last_seen_at": None})
    assert unknown["message"] == "offline since ?; nothing queued"


def test_the_two_ways_a_site_is_not_run_agree():
    stopped = _rollout.site_result("stopped", "branch-0004", "s4", max_fail_percentage=10)
    assert (stopped["status"], stopped["message"]) == (
        "not_run", "not reached: the rollout stopped after a batch failed beyond 10%")
    never = _rollout.build_report({"branch-0005": {"sdx_site_id": "s5"}}, ["branch-0005"], "d")["sites"][0]
    assert never["status"] == stopped["status"]
    # same wording, and only the stop says the rollout stopped
    assert never["message"].split(":")[0] == stopped["message"].split(":")[0] == "not reached"
    assert "stopped" not in never["message"]
    report = _rollout.build_report({"branch-0004": {"script_rollout_result": stopped}}, ["branch-0004"], "d")
    assert report["stopped"] and report["sites"][0]["message"] == stopped["message"]


@pytest.mark.parametrize("outcome, facts, named", [
    ("done", {}, "outcome must be one of stopped, offline, ran, configured, failed; got 'done'"),
    ("ran", {"job": DONE}, "outcome 'ran'"),
    ("offline", {"site": {}, "job": DONE}, "outcome 'offline'"),
])
def test_the_filter_names_a_wrong_outcome_or_fact(outcome, facts, named):
    rollout_result = FilterModule().filters()["rollout_result"]
    with pytest.raises(AnsibleFilterError, match="altostrat.sdx.rollout_result") as raised:
        rollout_result(outcome, "h", "s", **facts)
    assert named in str(raised.value)


def test_the_filter_is_the_decision():
    rollout_result = FilterModule().filters()["rollout_result"]
    assert rollout_result("ran", "h", "s", job=DONE, wait=True, check_mode=False, verify=VERIFIED) == _rollout.site_result(
        "ran", "h", "s", job=DONE, wait=True, check_mode=False, verify=VERIFIED)
