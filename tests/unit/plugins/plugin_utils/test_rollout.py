"""Rollout reports (rows, counts, table, JUnit XML) and where a user's relative paths resolve."""

from __future__ import annotations

import os
from xml.etree import ElementTree

import pytest
from ansible import context
from ansible.module_utils.common.collections import ImmutableDict

from ansible_collections.altostrat.sdx.plugins.filter.rollout import FilterModule
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _rollout, _rollout_text


def result(site, status, **extra):
    return {"script_rollout_result": {"site": site, "status": status, **extra}}


HOSTVARS = {
    "branch-0001": result("branch-0001", "completed", site_id="s1", job_id="j1", message="job completed",
                          queued="2026-11-28T12:00:00Z", started="2026-11-28T12:00:04Z",
                          finished="2026-11-28T12:00:06.5Z"),
    "branch-0002": result("branch-0002", "failed", site_id="s2", job_id="j2", message="job j2 failed at x",
                          queued="2026-11-28T14:00:07+02:00", finished="2026-11-28T12:00:09+00:00"),
    "branch-0003": result("branch-0003", "skipped_offline", site_id="s3", message="offline"),
    "branch-0004": result("branch-0004", "not_run", site_id="s4", message="not reached: the rollout stopped"),
}
SITE_ONLY = {"branch-0005": {"sdx_site_id": "s5"}, "branch-0006": {"rollout_site_id": "s6", "sdx_site_id": "ignored"}}


def report(hosts=tuple(HOSTVARS), hostvars=None):
    return _rollout.build_report(hostvars or HOSTVARS, hosts, "Set NTP")


def test_rows_counts_and_a_rollout_the_role_stopped():
    built = report()
    assert built["total"] == 4 == sum(built["counts"].values())
    assert built["counts"] == {"completed": 1, "unchanged": 0, "queued": 0, "skipped_offline": 1, "failed": 1,
                               "reverted": 0, "unknown": 0, "not_run": 1}
    assert built["stopped"] and not built["succeeded"]
    rows = {row["site"]: row for row in built["sites"]}
    assert rows["branch-0004"]["message"] == "not reached: the rollout stopped"
    assert rows["branch-0003"]["duration"] is None and rows["branch-0003"]["queued"] is None


def test_each_row_is_timed_by_its_job_and_keeps_the_time_zone():
    rows = {row["site"]: row for row in report()["sites"]}
    first = rows["branch-0001"]
    assert (first["queued"], first["started"], first["finished"]) == (
        "2026-11-28T12:00:00+00:00", "2026-11-28T12:00:04+00:00", "2026-11-28T12:00:06.500000+00:00")
    assert first["duration"] == 6.5
    # queued at 14:00:07 in UTC+2 is 12:00:07 UTC, two seconds before it failed
    assert rows["branch-0002"]["queued"] == "2026-11-28T14:00:07+02:00"
    assert rows["branch-0002"]["duration"] == 2.0


@pytest.mark.parametrize("given, written", [
    ("2026-11-28 12:00:00", "2026-11-28T12:00:00+00:00"),  # MikroCloud style, no offset: SDX's UTC
    ("2026-11-28T12:00:00.25-05:00", "2026-11-28T12:00:00.250000-05:00"),
    ("not a time", None),
    (None, None),
])
def test_timestamps_are_written_with_their_offset(given, written):
    assert _rollout.row("h", {"status": "completed", "queued": given})["queued"] == written


def test_hosts_without_a_result_say_only_what_is_known():
    built = report(list(SITE_ONLY), SITE_ONLY)
    rows = {row["site"]: row for row in built["sites"]}
    assert {site: row["site_id"] for site, row in rows.items()} == {"branch-0005": "s5", "branch-0006": "s6"}
    assert {row["message"] for row in rows.values()} == {_rollout.NO_RESULT_MESSAGE}
    assert "stopped" not in _rollout.NO_RESULT_MESSAGE
    assert not built["stopped"] and not built["succeeded"]
    assert built["counts"]["not_run"] == 2


def test_a_clean_rollout_succeeds():
    built = report(["branch-0001", "branch-0003"])
    assert built["succeeded"] and not built["stopped"]


def test_table_is_aligned_and_ends_with_counts():
    lines = _rollout_text.table(report())
    assert lines[0].split() == ["SITE", "STATUS", "JOB", "DURATION", "MESSAGE"]
    status_column = lines[0].index("STATUS")
    assert all(line[status_column:].split()[0] in _rollout.STATUSES for line in lines[1:5])
    assert lines[1].split()[:4] == ["branch-0001", "completed", "j1", "6.5s"]
    assert lines[-1] == "4 site(s): 1 completed, 1 skipped_offline, 1 failed, 1 not_run (stopped early)"


def test_junit_marks_failures_and_skips_and_times_each_case_by_its_job():
    suite = ElementTree.fromstring(_rollout_text.junit(report()).split("\n", 1)[1])
    assert suite.get("name") == "altostrat.sdx rollout: Set NTP"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "2")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert cases["branch-0002"].find("failure").get("message") == "job j2 failed at x"
    assert cases["branch-0003"].find("skipped") is not None
    assert cases["branch-0001"].find("failure") is None and cases["branch-0001"].get("time") == "6.5"
    assert cases["branch-0002"].get("time") == "2.0"
    out = cases["branch-0001"].find("system-out").text
    assert "site_id=s1" in out and "queued=2026-11-28T12:00:00+00:00" in out


def test_a_collection_playbook_resolves_against_the_current_directory(tmp_path):
    assert _rollout.user_folder(["altostrat.sdx.rollout"], str(tmp_path)) == str(tmp_path)
    installed = tmp_path / "collections" / "ansible_collections" / "altostrat" / "sdx" / "playbooks" / "rollout.yml"
    installed.parent.mkdir(parents=True)
    installed.write_text("---\n")
    assert _rollout.user_folder([str(installed)], str(tmp_path)) == str(tmp_path)
    assert _rollout.resolve_path("reports/CHG-1", ["altostrat.sdx.rollout"], str(tmp_path)) == str(
        tmp_path / "reports" / "CHG-1")


def test_the_users_own_playbook_is_the_folder_when_it_imports_the_rollout(tmp_path):
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "rollout.yml").write_text("---\n")
    assert _rollout.user_folder(["project/rollout.yml"], str(tmp_path)) == str(tmp_path / "project")
    assert _rollout.resolve_path("templates/x.j2", ["project/rollout.yml"], str(tmp_path)) == str(
        tmp_path / "project" / "templates" / "x.j2")


def test_absolute_and_home_paths_stay_where_they_point(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _rollout.resolve_path("/srv/reports", [], "/elsewhere") == "/srv/reports"
    assert _rollout.resolve_path("~/reports", [], "/elsewhere") == str(tmp_path / "home" / "reports")
    assert _rollout.resolve_path("a/../b", [], "/elsewhere") == "/elsewhere/b"


def test_the_rollout_path_filter_reads_the_command_line_and_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "site.yml").write_text("---\n")
    monkeypatch.chdir(tmp_path / "..")
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict(args=(str(tmp_path / "site.yml"),)))
    resolve = FilterModule().filters()["rollout_path"]
    assert resolve("reports") == str(tmp_path / "reports")
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict(args=("altostrat.sdx.rollout",)))
    assert resolve("reports") == os.path.join(os.getcwd(), "reports")
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict())
    assert resolve("reports") == os.path.join(os.getcwd(), "reports")


def test_the_filter_plugin_exposes_its_filters():
    filters = FilterModule().filters()
    assert set(filters) == {"rollout_report", "rollout_table", "rollout_junit", "rollout_path", "rollout_serial"}
    assert filters["rollout_report"](HOSTVARS, ["branch-0001"], "d")["total"] == 1


@pytest.mark.parametrize("given, expected", [
    ('[1,"50%"]', [1, "50%"]), ("4", [4]), (4, [4]), ([1, "10%", "100%"], [1, "10%", "100%"]), ("25%", ["25%"]),
    ("[1, 2.5%]", [1, "2.5%"]),
])
def test_rollout_serial_reads_command_line_text_as_yaml(given, expected):
    assert _rollout.batches(given) == expected


@pytest.mark.parametrize("given", ["abc", "[1, x]", "0", "-1", "150%", "[]", True, {"a": 1}, "[1,"])
def test_rollout_serial_refuses_anything_else_in_one_line(given):
    with pytest.raises(ValueError, match=r"^rollout_serial: expected ") as refused:
        _rollout.batches(given)
    assert "\n" not in str(refused.value)


def test_a_verify_that_does_not_match_fails_the_site_and_quotes_the_router():
    result = _rollout.site_result("ran", "branch-0001", "s-1", job={"changed": True, "job": {"id": "j"}}, wait=True,
                                  check_mode=False, verify={"output": [{"name": "branch-0001"}]},
                                  verify_expect="-gw", verify_command="/system/identity/print")
    assert result["status"] == "failed"
    assert result["message"] == ('verify: the output of /system/identity/print does not match -gw; the router '
                                 'answered: [{"name": "branch-0001"}]')


def test_hosts_of_a_stopped_rollout_are_not_run_and_others_left_out_when_only_the_reached_count():
    hostvars = {"a": {"script_rollout_result": {"site": "a", "status": "failed", "message": "boom"}},
                "b": {"_script_rollout_stopped": "10", "sdx_site_id": "s-b"},
                "c": {"sdx_site_id": "s-c"}}
    report = _rollout.build_report(hostvars, ["a", "b", "c"], "d", reached_only=True)
    assert [(row["site"], row["status"]) for row in report["sites"]] == [("a", "failed"), ("b", "not_run")]
    assert report["stopped"] and report["sites"][1]["message"].endswith("beyond 10%")


@pytest.mark.parametrize("outcome, status", [("reverted", "reverted"), ("unknown", "unknown"),
                                             ("not_queued", "failed"), (None, "failed")])
def test_a_change_that_was_reverted_or_whose_fate_is_unknown_has_a_status_of_its_own(outcome, status):
    job = {"changed": True, "outcome": outcome, "msg": "site s: contact was lost; its revert ran",
           "job": {"id": "j-1", "created_at": "2026-11-28T12:00:00Z"}}
    result = _rollout.site_result("failed", "branch-0001", "s", error={"msg": job["msg"]}, job=job)
    assert (result["status"], result["message"], result["job_id"]) == (status, job["msg"], "j-1")


def test_reverted_and_unknown_sites_fail_the_report_and_its_junit_and_are_counted_apart():
    hostvars = {"a": {"script_rollout_result": {"site": "a", "status": "reverted", "message": "revert ran"}},
                "b": {"script_rollout_result": {"site": "b", "status": "unknown", "message": "cannot tell"}},
                "c": {"script_rollout_result": {"site": "c", "status": "completed", "message": "job completed"}}}
    built = _rollout.build_report(hostvars, ["a", "b", "c"], "d")
    assert (built["counts"]["reverted"], built["counts"]["unknown"], built["counts"]["failed"]) == (1, 1, 0)
    assert not built["succeeded"] and not built["stopped"]
    assert "3 site(s): 1 completed, 1 reverted, 1 unknown" in _rollout_text.table(built)
    suite = ElementTree.fromstring(_rollout_text.junit(built))
    assert suite.get("failures") == "2" and len(suite.findall("testcase/failure")) == 2


def test_a_task_that_failed_before_deciding_is_a_failed_site_with_its_error():
    hostvars = {"a": {"script_rollout_result": {"failed": True, "msg": "template: no such file"}}}
    row = _rollout.build_report(hostvars, ["a"], "d")["sites"][0]
    assert (row["status"], row["message"]) == ("failed", "template: no such file")


def test_a_confirmed_change_says_so():
    job = {"changed": True, "outcome": "confirmed", "job": {"status": "completed"}}
    assert _rollout.site_result("ran", "a", "s", job=job, wait=True, check_mode=False)["message"] == \
        "job completed, confirmed"


def test_the_role_registers_the_result_of_rollout_site_whose_rollout_the_report_reads():
    registered = {"changed": False, "failed": True, "msg": "boom",
                  "rollout": {"site": "a", "status": "reverted", "message": "revert ran",
                              "finished": "2026-11-28T12:00:06Z", "queued": "2026-11-28T12:00:00Z"}}
    row = _rollout.build_report({"a": {"script_rollout_result": registered}}, ["a"], "d")["sites"][0]
    assert (row["status"], row["message"], row["duration"]) == ("reverted", "revert ran", 6.0)


def test_the_grouped_summaries_count_the_sites_whose_change_did_not_hold():
    add = "/ip address add address=192.168.99.1/24 interface=bridge"
    declarative = {"a": {"script_rollout_result": {"site": "a", "status": "completed", "commands": [add]}},
                   "b": {"script_rollout_result": {"site": "b", "status": "reverted", "commands": [add]}}}
    lines = _rollout_text.table(_rollout.build_report(declarative, ["a", "b"], "d"))
    assert "commands: 1 needed the same 1 command(s), 1 reverted" in lines
    only_reverted = {"b": declarative["b"]}
    assert "commands: 1 reverted" in _rollout_text.table(_rollout.build_report(only_reverted, ["b"], "d"))
    diff = "--- a\n+++ b\n@@ -1 +1,2 @@\n x\n+add address=192.168.99.1/24\n"
    scripts = {"a": {"script_rollout_result": {"site": "a", "status": "completed", "config_diff": diff}},
               "c": {"script_rollout_result": {"site": "c", "status": "unknown"}}}
    lines = _rollout_text.table(_rollout.build_report(scripts, ["a", "c"], "d", config_diff=True))
    assert "config diff: all 1 completed site(s) changed the same way; 1 unknown" in lines
