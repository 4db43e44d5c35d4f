"""The rollout's output as a network engineer reads it: few lines, no report diff, one line for a missing variable,
and a report of its own for every run."""

from __future__ import annotations

import json
import re

import pytest

from tests.integration.user_folder import ChangeFolder


@pytest.fixture
def folder(ansible, tmp_path):
    return ChangeFolder(tmp_path / "CHG-2001", ansible)


def test_twelve_sites_in_three_batches_print_a_few_lines_each_and_diff_shows_no_report(folder, sim):
    folder.change()
    run = folder.rollout("--diff")
    assert run.rc == 0, run.output
    assert len(sim.sites()) == 12
    # the scripts queued are shown (the diff of sdx_async_script), the report files are not
    diff_lines = [line for line in run.output.splitlines() if line.startswith(("+", "-", "@@"))]
    assert sum(line.startswith("+/system identity print") for line in diff_lines) == 9
    assert not any('"counts"' in line or "testsuite" in line for line in diff_lines), run.output
    quiet = folder.rollout()  # a re-run: every site unchanged, no diff
    assert quiet.rc == 0, quiet.output
    lines = [line for line in quiet.output.splitlines() if line.strip()]
    # 154 lines before (292 before that): a task per step, each printing a line per site and a skipped line per
    # step a site did not need. Now: one line per site and batch, a few headers, the table, the recap.
    assert len(lines) <= 70, quiet.output
    for site in sim.sites():
        site_lines = [line for line in lines if re.match(rf"(ok|changed|fatal|skipping): \[{site['name']}\]", line)]
        assert len(site_lines) <= 2, site_lines  # its own, and the batch's stop check for the first of a batch
        assert sum(line.startswith(("ok:", "changed:")) for line in site_lines) == 1, site_lines
    assert sum(line.startswith("skipping:") for line in lines) == 3, quiet.output  # once per batch


def test_the_summary_is_a_plain_text_table(folder, sim):
    folder.change()
    run = folder.rollout()
    assert run.rc == 0, run.output
    lines = run.output.splitlines()
    header = next(index for index, line in enumerate(lines) if line.startswith("SITE "))
    assert lines[header].split() == ["SITE", "STATUS", "JOB", "DURATION", "MESSAGE"]
    rows = lines[header + 1:header + 13]
    assert sorted(line.split()[0] for line in rows) == sorted(site["name"] for site in sim.sites())
    # the columns line up: every row's status starts where the header's does
    column = lines[header].index("STATUS")
    assert all(line[column:].split()[0] in ("completed", "skipped_offline") for line in rows), rows
    assert lines[header + 13] == "12 site(s): 9 completed, 3 skipped_offline"
    assert lines[header + 14].startswith("reports: ")
    assert '"msg"' not in run.output and '\\n' not in run.output


def test_a_missing_variable_stops_the_run_with_one_short_line_naming_it(folder, sim):
    path = folder.change()
    path.write_text("rollout_script: /log info x\n")
    run = folder.rollout()
    assert run.rc != 0
    assert "rollout_description is not set: give it in the change file (-e @change.yml) or as " \
           "-e rollout_description=..." in run.text, run.output
    assert "argument_spec" not in run.output and len(run.output) < 2000, run.output
    # only the inventory read the fleet: no site was read or touched
    assert {entry["path"] for entry in sim.log()} == {"/sites"}


def test_every_run_keeps_its_own_report_and_says_where_it_went(folder, sim):
    folder.change()
    full = folder.rollout()
    assert full.rc == 0, full.output
    limited = folder.rollout("--limit", "branch-0001")
    assert limited.rc == 0, limited.output
    reports = sorted((folder.root / "rollout-report").glob("rollout-report-*.json"))
    assert len(reports) == 2, reports  # named by each run's start, to the second: a rollout takes longer
    first, second = (json.loads(path.read_text()) for path in reports)
    assert (first["total"], second["total"]) == (12, 1)
    assert f"reports: {reports[1].with_suffix('')}.json and .xml" in limited.output, limited.output
    assert (folder.root / "rollout-report" / reports[0].with_suffix(".xml").name).exists()
    assert json.loads((folder.root / "rollout-report" / "rollout-report.json").read_text())["total"] == 1
