"""Rollout report building: rows, counts, table and JUnit XML."""

from __future__ import annotations

from xml.etree import ElementTree

from ansible_collections.altostrat.sdx.plugins.filter.rollout import FilterModule
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _rollout


def result(site, status, **extra):
    return {"script_rollout_result": {"site": site, "status": status, **extra}}


HOSTVARS = {
    "branch-0001": result("branch-0001", "completed", site_id="s1", job_id="j1", message="job completed",
                          started="2026-11-28T12:00:00+00:00", finished="2026-11-28T12:00:06.5+00:00"),
    "branch-0002": result("branch-0002", "failed", site_id="s2", job_id="j2", message="job j2 failed at x",
                          started="2026-11-28T12:00:07+00:00", finished="2026-11-28T12:00:09+00:00"),
    "branch-0003": result("branch-0003", "skipped_offline", message="offline"),
    "branch-0004": {},
}


def report(hosts=tuple(HOSTVARS)):
    return _rollout.build_report(HOSTVARS, hosts, "Set NTP")


def test_rows_counts_and_hosts_never_reached():
    built = report()
    assert built["total"] == 4
    assert built["counts"] == {"completed": 1, "unchanged": 0, "queued": 0, "skipped_offline": 1, "failed": 1,
                               "not_run": 1}
    assert built["stopped"] and not built["succeeded"]
    rows = {row["site"]: row for row in built["sites"]}
    assert rows["branch-0001"]["duration"] == 6.5
    assert rows["branch-0003"]["duration"] is None
    assert rows["branch-0004"]["status"] == "not_run"
    assert rows["branch-0004"]["message"] == _rollout.NOT_RUN_MESSAGE


def test_a_clean_rollout_succeeds():
    built = report(["branch-0001", "branch-0003"])
    assert built["succeeded"] and not built["stopped"]


def test_table_is_aligned_and_ends_with_counts():
    lines = _rollout.table(report())
    assert lines[0].split() == ["SITE", "STATUS", "JOB", "DURATION", "MESSAGE"]
    status_column = lines[0].index("STATUS")
    assert all(line[status_column:].split()[0] in _rollout.STATUSES for line in lines[1:5])
    assert lines[1].split()[:4] == ["branch-0001", "completed", "j1", "6.5s"]
    assert lines[-1] == "4 site(s): 1 completed, 1 skipped_offline, 1 failed, 1 not_run (stopped early)"


def test_junit_marks_failures_and_skips():
    suite = ElementTree.fromstring(_rollout.junit(report()).split("\n", 1)[1])
    assert suite.get("name") == "altostrat.sdx rollout: Set NTP"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "2")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert cases["branch-0002"].find("failure").get("message") == "job j2 failed at x"
    assert cases["branch-0003"].find("skipped") is not None
    assert cases["branch-0001"].find("failure") is None and cases["branch-0001"].get("time") == "6.5"


def test_the_filter_plugin_exposes_the_three_filters():
    filters = FilterModule().filters()
    assert set(filters) == {"rollout_report", "rollout_table", "rollout_junit"}
    assert filters["rollout_report"](HOSTVARS, ["branch-0001"], "d")["total"] == 1
