"""The rollout with a declarative change (rollout_config, applied with sdx_config), run as a user runs it: from a
folder of their own, with the installed collection, -e and --limit; the report groups sites by their commands."""

from __future__ import annotations

import pytest

from tests.integration.test_config import by_hand
from tests.integration.user_folder import ChangeFolder, read_report, statuses

GUEST = {"address": "192.168.99.1/24", "interface": "bridge", "comment": "guest"}
ADD = "/ip address add address=192.168.99.1/24 comment=guest interface=bridge"  # change.yml is written with sorted keys
FIX = "/ip address set [find where address=192.168.99.1/24 interface=bridge] comment=guest"


@pytest.fixture
def folder(ansible, tmp_path):
    return ChangeFolder(tmp_path / "change", ansible)


def declarative(folder, **values):
    return folder.change(rollout_description="Guest address", rollout_script_file=None,
                         rollout_config={"path": "ip address", "data": [GUEST]}, **values)


def commands_by_site(report):
    return {row["site"]: row["commands"] for row in report["sites"]}


def test_sites_that_hold_the_state_queue_nothing_and_the_report_groups_by_commands(folder, sim):
    online = sim.sites(online=True)
    chosen = online[:4]
    by_hand(sim, chosen[0]["id"], '/ip address add address=192.168.99.1/24 interface=bridge comment=guest')
    by_hand(sim, chosen[1]["id"], '/ip address add address=192.168.99.1/24 interface=bridge comment=old')
    declarative(folder)
    sim.call("DELETE", "/_sim/requests")
    limit = ",".join(site["name"] for site in chosen)

    check = folder.rollout("--limit", limit, "--check")
    assert check.rc == 0, check.output
    report, _suite = read_report(folder.root / "rollout-report")
    assert sim.log("POST", "/api/asynchronous/") == [], "check mode queues nothing"
    assert commands_by_site(report) == {chosen[0]["name"]: [], chosen[1]["name"]: [FIX],
                                        chosen[2]["name"]: [ADD], chosen[3]["name"]: [ADD]}
    assert "commands: 2 would need the same 1 command(s), 1 already compliant" in " ".join(check.output.split())

    run = folder.rollout("--limit", limit, "-e", "rollout_poll_interval=0.1")
    assert run.rc == 0, run.output
    report, suite = read_report(folder.root / "rollout-report")
    assert statuses(report) == {chosen[0]["name"]: "unchanged", chosen[1]["name"]: "completed",
                                chosen[2]["name"]: "completed", chosen[3]["name"]: "completed"}
    assert report["command_groups"] == [
        {"commands": [ADD], "sites": sorted([chosen[2]["name"], chosen[3]["name"]])},
        {"commands": [], "sites": [chosen[0]["name"]]},
        {"commands": [FIX], "sites": [chosen[1]["name"]]}]
    assert "commands: 2 needed the same 1 command(s), 1 already compliant, 1 needed the same 1 command(s)" in \
        " ".join(run.output.split())
    assert suite.get("tests") == "4" and suite.get("failures") == "0"
    queued = sim.log("POST", "/api/asynchronous/")
    assert sorted(entry["path"].rsplit("/", 1)[1] for entry in queued) == sorted(site["id"] for site in chosen[1:])
    assert all("converged" in row["message"] for row in report["sites"] if row["status"] == "completed")

    sim.call("DELETE", "/_sim/requests")
    again = folder.rollout("--limit", limit)
    assert again.rc == 0, again.output
    report, _suite = read_report(folder.root / "rollout-report")
    assert set(statuses(report).values()) == {"unchanged"} and sim.log("POST", "/api/asynchronous/") == []
    assert report["command_groups"] == [{"commands": [], "sites": sorted(site["name"] for site in chosen)}]


def test_a_wrong_config_stops_the_rollout_before_any_batch_and_any_site_request(folder, sim):
    folder.change(rollout_description="Guest address", rollout_script_file=None,
                  rollout_config={"path": "ip address", "data": [{"address": "10.9.9.1/24"}]})
    run = folder.rollout()
    assert run.rc != 0
    assert "rollout_config: data[0]: misses interface" in run.text, run.output
    assert "Roll out to this site" not in run.output  # no batch started
    assert {entry["path"] for entry in sim.log()} == {"/sites"}  # only the inventory read the fleet


def test_a_script_and_a_config_together_are_refused(folder, sim):
    folder.change(rollout_config={"path": "ip address", "data": [GUEST]})
    run = folder.rollout("--limit", sim.sites(online=True)[0]["name"])
    assert run.rc != 0
    assert "Give exactly one of rollout_script, rollout_script_file and rollout_config" in run.text, run.output
    assert {entry["path"] for entry in sim.log()} == {"/sites"}
