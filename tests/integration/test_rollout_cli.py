"""The rollout from the command line and from an AWX project: ``-e key=value``, ``--limit``, ``import_playbook``,
and the report filters' examples, each run from a folder outside the source tree against the installed collection."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml

from tests.integration.harness import ROOT
from tests.integration.user_folder import ChangeFolder, read_report, rendered, statuses


@pytest.fixture
def folder(ansible, tmp_path):
    return ChangeFolder(tmp_path / "change", ansible)


def rows(report):
    """What a report says about each site, without the parts that differ from run to run (times)."""
    return [(row["site"], row["status"], re.sub(r"since \S+", "since <time>", row["message"]))
            for row in report["sites"]]


def test_key_value_booleans_and_numbers_behave_like_yaml_ones(folder, sim):
    folder.change()
    flags = ("rollout_skip_offline=false", "rollout_wait=false", "rollout_max_fail_percentage=100", "rollout_serial=4")
    typed = folder.rollout(*[arg for flag in flags for arg in ("-e", flag)])
    typed_report, _suite = read_report(folder.root / "rollout-report")
    assert "derived from value of type" not in typed.text, typed.output

    sim.reset()
    folder.change("flags.yml", rollout_skip_offline=False, rollout_wait=False, rollout_max_fail_percentage=100,
                  rollout_serial=4)
    yaml_run = folder.rollout("-e", "@flags.yml")
    yaml_report, _suite = read_report(folder.root / "rollout-report")

    assert rows(typed_report) == rows(yaml_report)
    assert typed.rc == yaml_run.rc == 2, "failed sites fail the run"
    offline = {site["name"] for site in sim.sites(online=False)}
    ids = {site["name"]: site["id"] for site in sim.sites()}
    for site, status, message in rows(typed_report):
        if site in offline:
            assert status == "failed" and message == f"site {site} ({ids[site]}) is offline since <time> " \
                                                     f"(rollout_skip_offline is false)", message
        else:
            assert (status, message) == ("queued", "queued the script"), "nobody waited, so nothing completed"
    assert typed_report["counts"]["completed"] == 0 and typed_report["counts"]["not_run"] == 0


def test_limit_narrows_the_rollout_and_its_report(folder, sim):
    folder.change()
    chr_sites = {site["name"]: site for site in sim.sites() if site["model"] == "CHR"}
    assert len(chr_sites) == 3

    run = folder.rollout("--limit", "sdx_model_chr")
    assert run.rc == 0, run.output
    report, suite = read_report(folder.root / "rollout-report")
    assert set(statuses(report)) == set(chr_sites)
    assert statuses(report) == {name: "completed" if site["has_pulse"] else "skipped_offline"
                                for name, site in chr_sites.items()}
    assert report["total"] == sum(report["counts"].values()) == 3 and report["succeeded"]
    assert suite.get("tests") == "3"
    assert {job["site_id"]: job["script"] for job in sim.jobs()} == {
        site["id"]: rendered(site) for site in chr_sites.values() if site["has_pulse"]}

    again = folder.rollout("--limit", "sdx_model_chr,localhost")
    assert again.rc == 0, again.output
    report, _suite = read_report(folder.root / "rollout-report")
    assert set(statuses(report)) == set(chr_sites)
    assert report["counts"]["not_run"] == 0 and report["succeeded"]


def test_imported_from_an_awx_project_paths_resolve_in_the_project(folder, sim, tmp_path):
    project = tmp_path / "project"
    (project / "inventory").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "awx-project" / "rollout.yml", project / "rollout.yml")
    shutil.copy(ROOT / "examples" / "awx-project" / "inventory" / "fleet.sdx.yml", project / "inventory")
    shutil.copytree(folder.root / "templates", project / "templates")
    extra_vars = folder.change("extravars.yml", rollout_report_dir="reports/AWX-7")
    # Started from the folder above the project: the project's playbook is the user's, so its folder counts.
    run = folder.run("project/rollout.yml", "-i", "project/inventory/fleet.sdx.yml", "-e", f"@{extra_vars}",
                     cwd=tmp_path)
    assert run.rc == 0, run.output
    report, _suite = read_report(project / "reports" / "AWX-7")
    assert not (tmp_path / "reports").exists() and folder.stray_reports() == []
    assert report["counts"]["completed"] == 9 and report["total"] == 12
    assert {job["script"] for job in sim.jobs()} == {rendered(site) for site in sim.sites(online=True)}


def filter_examples() -> list[dict]:
    tasks = []
    for name in ("rollout_report", "rollout_table", "rollout_junit", "rollout_path"):
        tasks += yaml.safe_load(yaml.safe_load((ROOT / "plugins" / "filter" / f"{name}.yml").read_text())["EXAMPLES"])
    return tasks


def test_the_report_filter_examples_run_as_written_and_describe_what_they_know(folder, sim):
    keep = {"name": "Keep the report", "ansible.builtin.copy": {
        "content": "{{ report | to_json }}", "dest": "report.json", "mode": "0644"}}
    play = {"name": "The filters' EXAMPLES", "hosts": "localhost", "gather_facts": False,
            "tasks": [*filter_examples(), keep]}
    (folder.root / "report.yml").write_text(json.dumps([play]))
    run = folder.run("report.yml", "-i", "fleet.sdx.yml")
    assert run.rc == 0, run.output
    report = json.loads((folder.root / "report.json").read_text())
    junit = (folder.root / "rollout-report.xml").read_text()
    online = sim.sites(online=True)
    assert {row["site"]: row["site_id"] for row in report["sites"]} == {site["name"]: site["id"] for site in online}
    assert {row["status"] for row in report["sites"]} == {"not_run"}
    assert not report["stopped"]
    assert all("stopped" not in row["message"] and "no rollout result" in row["message"] for row in report["sites"])
    assert "site_id=-" not in junit and online[0]["id"] in junit
    assert (folder.root / "rollout-notes.txt").read_text() == "CHG-1234: NTP servers added\n"


def test_the_result_filter_examples_run_as_written(ansible, tmp_path):
    tasks = yaml.safe_load(yaml.safe_load((ROOT / "plugins" / "filter" / "rollout_result.yml").read_text())["EXAMPLES"])
    assert any("ansible.builtin.assert" in task for task in tasks), "the examples check nothing"
    path = tmp_path / "result.yml"
    path.write_text(json.dumps([{"name": "rollout_result EXAMPLES", "hosts": "localhost", "gather_facts": False,
                                 "tasks": tasks}]))
    run = ansible.playbook(path)
    assert run.rc == 0, run.output
    assert {record["status"] for record in run.records} == {"ok"} and len(run.records) == len(tasks)
