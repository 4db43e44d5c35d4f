"""The rollout with rollout_confirm_timeout, run as a user runs it: each site's change reverts itself on the router
unless SDX still reaches the router afterwards, and a reverted canary stops the rollout.

The simulator runs the router's scheduler on its time-scaled clock (0.05: 2m of router time is 6 real seconds), and a
router whose configuration cuts the management tunnel (ether1 disabled) goes offline until the revert restores it.
A good change needs a timeout long enough, in router time, for the check-in after its job, hence 30m.
"""

from __future__ import annotations

import pytest

from tests.integration.user_folder import ChangeFolder, read_report, statuses

GUEST = {"address": "192.168.99.1/24", "interface": "bridge", "comment": "guest"}
WAN_OFF = "/interface ethernet disable [find default-name=ether1]"
WAN_ON = "/interface ethernet enable [find default-name=ether1]"


@pytest.fixture
def folder(ansible, tmp_path):
    return ChangeFolder(tmp_path / "change", ansible)


def print_menu(sim, site, command) -> list[dict]:
    answer = sim.call("POST", f"/api/synchronous/{site}", {"command": command}, token=True)
    return answer["data"] if isinstance(answer, dict) else answer


def test_a_canary_whose_change_cuts_contact_is_reverted_and_stops_the_rollout(folder, sim):
    folder.change(rollout_description="WAN off", rollout_script_file=None, rollout_script=WAN_OFF,
                  rollout_revert_script=WAN_ON, rollout_confirm_timeout="2m", rollout_poll_interval=0.5)
    sites = sorted(sim.sites(), key=lambda site: site["name"])
    canary = sites[0]
    assert canary["has_pulse"], "the first site of the inventory is the canary, and must be online"

    run = folder.rollout()
    assert run.rc == 2, run.output
    report, suite = read_report(folder.root / "rollout-report")
    assert statuses(report) == {site["name"]: "reverted" if site is canary else "not_run" for site in sites}
    row = next(row for row in report["sites"] if row["site"] == canary["name"])
    assert "revert ran" in row["message"] and row["job_id"], row
    assert report["counts"]["reverted"] == 1 and report["counts"]["not_run"] == 11 and report["stopped"]
    assert not report["succeeded"] and suite.get("failures") == "1"
    # the table and the run's failure say so, and count it apart from other failures
    assert "12 site(s): 1 reverted, 11 not_run (stopped early)" in run.output, run.output
    assert "0 site(s) failed, 1 reverted, 11 not reached" in run.text, run.output
    # only the canary was touched, and it is back with ether1 enabled and no scheduler left
    assert {job["site_id"] for job in sim.jobs()} == {canary["id"]}
    wan = next(row for row in print_menu(sim, canary["id"], "/interface/ethernet/print")
               if row["default-name"] == "ether1")
    assert wan["disabled"] in (False, "false")
    assert print_menu(sim, canary["id"], "/system/scheduler/print") == []


def test_a_declarative_change_that_cuts_contact_is_reverted_with_the_revert_it_computed(folder, sim):
    folder.change(rollout_description="WAN off", rollout_script_file=None, rollout_confirm_timeout="2m",
                  rollout_config={"path": "interface ethernet", "data": [{"default-name": "ether1", "disabled": True}]},
                  rollout_poll_interval=0.5, rollout_serial=[2, "100%"], rollout_max_fail_percentage=50)
    sites = sorted(sim.sites(), key=lambda site: site["name"])
    assert sites[0]["has_pulse"] and sites[1]["has_pulse"]
    run = folder.rollout()
    assert run.rc == 2, run.output
    report, _suite = read_report(folder.root / "rollout-report")
    assert statuses(report) == {site["name"]: "reverted" if site in sites[:2] else "not_run" for site in sites}
    # the grouped summary counts them, beside the groups of sites that took the change (none here)
    assert "commands: 2 reverted" in run.output, run.output
    for site in sites[:2]:
        wan = next(row for row in print_menu(sim, site["id"], "/interface/ethernet/print")
                   if row["default-name"] == "ether1")
        assert wan["disabled"] in (False, "false")


def test_a_good_declarative_change_is_confirmed_on_every_site(folder, sim):
    folder.change(rollout_description="Guest address", rollout_script_file=None,
                  rollout_config={"path": "ip address", "data": [GUEST]}, rollout_confirm_timeout="30m",
                  rollout_poll_interval=0.5)
    run = folder.rollout()
    assert run.rc == 0, run.output
    report, _suite = read_report(folder.root / "rollout-report")
    online = sim.sites(online=True)
    assert statuses(report) == {site["name"]: "completed" if site["has_pulse"] else "skipped_offline"
                                for site in sim.sites()}
    assert all(", confirmed," in row["message"] for row in report["sites"] if row["status"] == "completed"), report
    for site in online:
        assert print_menu(sim, site["id"], "/system/scheduler/print") == [], site["name"]
        assert any(row["address"] == GUEST["address"] for row in print_menu(sim, site["id"], "/ip/address/print"))
        confirms = [job for job in sim.jobs(site["id"]) if job["description"].startswith("confirm sdx-confirm-")]
        assert len(confirms) == 1, (site["name"], confirms)


@pytest.mark.parametrize("values, message", [
    ({}, "rollout_confirm_timeout with a script needs exactly one of rollout_revert_script"),
    ({"rollout_revert_script": WAN_ON, "rollout_revert_to_backup": True}, "needs exactly one of"),
])
def test_a_confirmed_script_without_exactly_one_revert_stops_before_any_request(folder, sim, values, message):
    folder.change(rollout_confirm_timeout="5m", **values)
    run = folder.rollout()
    assert run.rc != 0
    assert message in run.text, run.output
    assert {entry["path"] for entry in sim.log()} == {"/sites"}  # only the inventory read the fleet


def test_a_confirm_timeout_that_is_no_duration_fails_the_canary_naming_the_variable(folder, sim):
    folder.change(rollout_confirm_timeout="5 minutes", rollout_revert_script=WAN_ON)
    run = folder.rollout()
    assert run.rc == 2, run.output
    report, _suite = read_report(folder.root / "rollout-report")
    canary = report["sites"][0]
    assert canary["status"] == "failed" and canary["message"].startswith(
        "rollout_confirm_timeout: expected a duration such as 90s, 5m or 1h30m"), canary
    assert report["counts"]["not_run"] == 11 and sim.jobs() == []
