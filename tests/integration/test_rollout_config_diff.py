"""rollout_config_diff as a user runs it: the installed collection, from a change folder, over the simulated fleet."""

from __future__ import annotations

import pytest

from tests.integration.user_folder import ChangeFolder, read_report, statuses

LINE = "set servers=192.0.2.53"
SCRIPT = "/ip dns " + LINE  # a set: a router that already has it runs it again without error, as RouterOS does


@pytest.fixture
def folder(ansible, tmp_path):
    return ChangeFolder(tmp_path / "CHG-2000", ansible)


def changed_lines(diff: str) -> list[str]:
    return [line for line in diff.splitlines()[2:] if line[:1] in "+-"]


def test_a_site_that_already_had_the_change_forms_its_own_group(folder, ansible, sim):
    online = sorted(site["name"] for site in sim.sites(online=True))
    ahead = sim.sites(online=True)[3]
    # The change is already on one router, applied by another job (its description differs, so the rollout's
    # job is not that job: it runs there too, and adds nothing).
    first = ansible.task({"site_id": ahead["id"], "description": "Applied by hand", "script": SCRIPT, "wait": True,
                          "needs_acknowledgement": True, "poll_interval": 0.05})
    assert first.status == "changed", first.output

    folder.change(rollout_script=SCRIPT, rollout_script_file=None, rollout_description="Guest network",
                  rollout_config_diff=True)
    run = folder.rollout()
    assert run.rc == 0, run.output
    report, _suite = read_report(folder.root / "rollout-report")
    assert report["config_diff"] is True
    assert report["counts"]["completed"] == len(online) == 9
    groups = report["config_diffs"]
    assert [group["sites"] for group in groups] == [[name for name in online if name != ahead["name"]],
                                                    [ahead["name"]]]
    assert changed_lines(groups[0]["diff"]) == ["+/ip dns", "+" + LINE]
    assert groups[1]["diff"] == ""
    # offline sites are not grouped, and each completed site took one backup after its job
    assert {name for name, status in statuses(report).items() if status == "skipped_offline"}.isdisjoint(
        name for group in groups for name in group["sites"])
    assert len(sim.log("POST", "/backup/")) == 9
    assert "config diff: 8 site(s) changed the same way, 1 differs (1 other group(s))" in run.output
    assert f"group 2, 1 site(s), no change: {ahead['name']}" in run.output
    assert "+" + LINE in run.output


def test_check_mode_does_not_predict_and_rollout_wait_false_is_refused_before_any_request(folder, sim):
    folder.change(rollout_script=SCRIPT, rollout_script_file=None, rollout_config_diff=True)
    checked = folder.rollout("--check")
    assert checked.rc == 0, checked.output
    report, _suite = read_report(folder.root / "rollout-report")
    assert report["config_diffs"] == [] and report["counts"]["queued"] == 9
    assert "config diff: not predicted in check mode" in checked.output
    assert sim.log("POST") == []

    sim.call("DELETE", "/_sim/requests")
    refused = folder.rollout("-e", "rollout_wait=false")
    assert refused.rc != 0
    report, _suite = read_report(folder.root / "rollout-report")
    assert (report["counts"]["failed"], report["counts"]["not_run"]) == (1, 11)
    canary = next(row for row in report["sites"] if row["status"] == "failed")
    assert canary["message"].startswith("rollout_config_diff needs rollout_make_backup and rollout_wait")
    assert [entry["path"] for entry in sim.log()] == ["/sites"], "a request was made for a refused rollout"
