"""The altostrat.sdx.rollout playbook as a user runs it: the installed collection, from a change folder of their own."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests.integration.user_folder import ChangeFolder, read_report, rendered, statuses


@pytest.fixture
def folder(ansible, tmp_path):
    return ChangeFolder(tmp_path / "CHG-1234", ansible)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_relative_paths_resolve_in_the_change_folder_and_every_site_is_reported(folder, sim):
    folder.change(rollout_report_dir="reports/CHG-1234", rollout_verify_command="/system/identity/print",
                  rollout_verify_expect="-gw")
    run = folder.rollout()
    assert run.rc == 0, run.output
    report, suite = read_report(folder.root / "reports" / "CHG-1234")
    assert folder.stray_reports() == [], "reports were written inside the installed collection"
    assert not (folder.root / "rollout-report").exists()

    jobs = sim.jobs()
    sites = sim.sites()
    online = [site for site in sites if site["has_pulse"]]
    # templates/guest.rsc.j2 of the change folder, rendered per site
    assert {job["site_id"]: job["script"] for job in jobs} == {site["id"]: rendered(site) for site in online}
    # every site of the fleet: the offline ones too, although the inventory already knew they were offline
    assert statuses(report) == {site["name"]: "completed" if site["has_pulse"] else "skipped_offline"
                                for site in sites}
    assert report["total"] == len(sites) == sum(report["counts"].values()) == 12
    assert {row["site_id"] for row in report["sites"]} == {site["id"] for site in sites}
    assert report["succeeded"] and not report["stopped"]
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("12", "0", "3")
    assert "12 site(s): 9 completed, 3 skipped_offline" in run.output


def test_the_default_report_folder_is_the_current_one_and_a_rerun_queues_nothing(folder, sim):
    folder.change()
    first = folder.rollout()
    assert first.rc == 0, first.output
    report, _suite = read_report(folder.root / "rollout-report")
    assert report["counts"]["completed"] == 9
    assert folder.stray_reports() == []

    posts = len(sim.log("POST", "/api/asynchronous/"))
    again = folder.rollout()
    assert again.rc == 0, again.output
    report, _suite = read_report(folder.root / "rollout-report")
    assert (report["counts"]["unchanged"], report["counts"]["skipped_offline"]) == (9, 3)
    assert len(sim.log("POST", "/api/asynchronous/")) == posts


def test_each_site_is_timed_by_its_own_job_with_time_zones(folder, sim):
    folder.change(rollout_serial=["100%"])
    run = folder.rollout()
    assert run.rc == 0, run.output
    report, suite = read_report(folder.root / "rollout-report")
    jobs = {job["id"]: job for job in sim.jobs()}
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    done = [row for row in report["sites"] if row["status"] == "completed"]
    assert len(done) == 9
    for row in done:
        job = jobs[row["job_id"]]
        assert moment(row["queued"]) == moment(job["created_at"])
        assert moment(row["finished"]) == moment(job["completed_at"])
        assert all(moment(row[key]).utcoffset() is not None for key in ("queued", "started", "finished"))
        expected = round((moment(job["completed_at"]) - moment(job["created_at"])).total_seconds(), 1)
        assert row["duration"] == expected, row
        assert float(cases[row["site"]].get("time")) == expected
        assert re.search(rf"{row['site']}\s+completed\s+{row['job_id']}\s+{expected:.1f}s\s", run.output), row
    offline = [row for row in report["sites"] if row["status"] == "skipped_offline"]
    assert offline and all(row["duration"] is None and row["job_id"] is None for row in offline)


def test_a_failing_canary_stops_the_rollout_before_later_batches(folder, sim):
    folder.change(rollout_script="/system script run broken :error", rollout_script_file=None,
                  rollout_max_fail_percentage=0)
    run = folder.rollout()
    assert run.rc != 0
    report, suite = read_report(folder.root / "rollout-report")
    counts = report["counts"]
    assert (counts["failed"], counts["not_run"]) == (1, 11)
    assert report["stopped"] and not report["succeeded"]
    canary = next(row for row in report["sites"] if row["status"] == "failed")
    assert "failed at" in canary["message"] and canary["job_id"] and canary["duration"] is not None
    assert {row["message"] for row in report["sites"] if row["status"] == "not_run"} == {
        "not reached: the rollout stopped after a batch failed beyond 0%"}
    site_calls = [entry["path"] for entry in sim.log() if entry["path"] != "/sites"]
    assert site_calls and all(canary["site_id"] in path for path in site_calls), "later batches made requests"
    assert (suite.get("failures"), suite.get("skipped")) == ("1", "11")


def test_failures_within_the_threshold_let_the_rollout_go_on(folder, sim):
    (folder.root / "templates" / "broken.rsc.j2").write_text(
        "/system identity print{{ ' :error' if sdx_name == 'branch-0002' else '' }}\n")
    folder.change(rollout_serial=[2, "100%"], rollout_script_file="templates/broken.rsc.j2",
                  rollout_max_fail_percentage=50)
    run = folder.rollout()
    assert run.rc != 0, "a failed site fails the run"
    report, _suite = read_report(folder.root / "rollout-report")
    assert statuses(report)["branch-0002"] == "failed"
    assert (report["counts"]["not_run"], report["counts"]["completed"]) == (0, 8)
    assert len(sim.jobs()) == 9


def test_check_mode_queues_nothing_and_still_reports(folder, sim):
    folder.change()
    run = folder.rollout("--check")
    assert run.rc == 0, run.output
    assert sim.log("POST") == []
    report, _suite = read_report(folder.root / "rollout-report")
    assert report["check_mode"] is True
    assert (report["counts"]["queued"], report["counts"]["skipped_offline"]) == (9, 3)
    assert {row["message"] for row in report["sites"] if row["status"] == "queued"} == {
        "would queue the script (check mode)"}
