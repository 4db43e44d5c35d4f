"""The altostrat.sdx.rollout playbook and its role, against the simulator."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
import yaml


@pytest.fixture
def rollout(ansible, tmp_path):
    """Run the collection playbook over an inventory of the simulated fleet with a change file."""
    inventory = tmp_path / "fleet.sdx.yml"
    inventory.write_text("plugin: altostrat.sdx.sites\n")
    reports = tmp_path / "reports"

    def run(*cli: str, **change):
        change = {"rollout_description": "Set NTP", "rollout_script": "/system ntp client set enabled=yes",
                  "rollout_poll_interval": 0.1, "rollout_hosts": "sdx", "rollout_report_dir": str(reports), **change}
        change_file = tmp_path / "change.yml"
        change_file.write_text(yaml.safe_dump(change))
        result = ansible.playbook("altostrat.sdx.rollout", "-i", str(inventory), "-e", f"@{change_file}", *cli)
        assert (reports / "rollout-report.json").exists(), result.output
        report = json.loads((reports / "rollout-report.json").read_text())
        suite = ElementTree.parse(reports / "rollout-report.xml").getroot()
        return result, report, suite

    return run


def statuses(report):
    return {row["site"]: row["status"] for row in report["sites"]}


def test_a_rollout_with_offline_sites_then_a_rerun_that_changes_nothing(rollout, sim):
    offline = {site["name"] for site in sim.sites(online=False)}
    run, report, suite = rollout(rollout_verify_command="/system/identity/print", rollout_verify_expect="-gw")
    assert run.rc == 0, run.output
    assert {name for name, status in statuses(report).items() if status == "skipped_offline"} == offline
    assert report["counts"]["completed"] == 9 and report["succeeded"] and not report["stopped"]
    assert all(row["job_id"] and row["duration"] is not None for row in report["sites"] if row["status"] == "completed")
    assert {job["site_id"] for job in sim.jobs()} == {site["id"] for site in sim.sites(online=True)}
    assert all(job["should_backup"] and job["needs_acknowledgement"] for job in sim.jobs())
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("12", "0", "3")
    assert "SITE" in run.output and "12 site(s): 9 completed, 3 skipped_offline" in run.output

    posts = len(sim.log("POST", "/api/asynchronous/"))
    again, report, _suite = rollout()
    assert again.rc == 0, again.output
    assert report["counts"]["unchanged"] == 9
    assert len(sim.log("POST", "/api/asynchronous/")) == posts


def test_a_failing_canary_stops_the_rollout_before_later_batches(rollout, sim):
    run, report, suite = rollout(rollout_script="/system script run broken :error", rollout_max_fail_percentage=0)
    assert run.rc != 0
    counts = report["counts"]
    assert (counts["failed"], counts["not_run"]) == (1, 11)
    assert report["stopped"] and not report["succeeded"]
    canary = next(row for row in report["sites"] if row["status"] == "failed")
    assert "failed at" in canary["message"] and canary["job_id"]
    site_calls = [entry["path"] for entry in sim.log() if entry["path"] != "/sites"]
    assert site_calls and all(canary["site_id"] in path for path in site_calls), "later batches made requests"
    assert (suite.get("failures"), suite.get("skipped")) == ("1", "11")


def test_failures_within_the_threshold_let_the_rollout_go_on(rollout, sim, tmp_path):
    template = tmp_path / "script.rsc.j2"
    template.write_text("/system identity print{{ ' :error' if sdx_name == 'branch-0002' else '' }}\n")
    run, report, _suite = rollout(rollout_serial=[2, "100%"], rollout_script="",
                                  rollout_script_file=str(template), rollout_max_fail_percentage=50)
    assert run.rc != 0, "a failed site fails the run"
    assert statuses(report)["branch-0002"] == "failed"
    assert report["counts"]["not_run"] == 0
    assert report["counts"]["completed"] == 8
    assert len(sim.jobs()) == 9


def test_check_mode_queues_nothing_and_still_reports(rollout, sim):
    run, report, _suite = rollout("--check")
    assert run.rc == 0, run.output
    assert sim.log("POST") == []
    assert report["check_mode"] is True
    assert report["counts"]["queued"] == 9
    assert {row["message"] for row in report["sites"] if row["status"] == "queued"} == {
        "would queue the script (check mode)"}
