"""The drift report, ``ansible-playbook altostrat.sdx.drift``, run as a user runs it: from a folder of their own, with
the installed collection, ``-e`` and ``--limit``, read live and from backups (the bulk endpoint on and off)."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
import yaml

from tests.integration.test_config import by_hand, latest_backup
from tests.integration.user_folder import ChangeFolder

DEFCONF = {"address": "192.168.88.1/24", "interface": "bridge", "comment": "defconf"}
DESIRED = {"drift_menus": [
    {"path": "ip address", "data": [DEFCONF]},
    {"path": "system ntp client servers", "data": [{"address": "162.159.200.1"}]},
]}
NTP_ADD = "/system ntp client servers add address=162.159.200.1"
TAMPER = '/ip address set [find where address="192.168.88.1/24"] comment=tampered'
ADDRESS_FIX = '/ip address set [find where address=192.168.88.1/24 interface=bridge] comment=defconf'
ASSUMPTION = "assumed: the API host serves POST /backups/latest"


@pytest.fixture
def folder(ansible, tmp_path):
    folder = ChangeFolder(tmp_path / "mine", ansible)
    (folder.root / "desired.yml").write_text(yaml.safe_dump(DESIRED))
    return folder


def drift(folder, *args):
    return folder.run("altostrat.sdx.drift", "-i", "fleet.sdx.yml", "-e", "@desired.yml", *args)


def reports(directory):
    report = json.loads((directory / "drift-report.json").read_text())
    return report, ElementTree.parse(directory / "drift-report.xml").getroot(), (directory / "drift-report.txt").read_text()


def api_requests(sim) -> list[str]:
    return [f"{entry['method']} {entry['path']}" for entry in sim.log() if not entry["path"].startswith("/_sim")]


def groups_by_site(report) -> dict[str, list[str]]:
    return {site: group["commands"] for group in report["groups"] for site in group["sites"]}


def test_live_drift_of_the_online_sites_grouped_by_the_commands_they_need(folder, sim):
    online = sim.sites(online=True)
    tampered = online[0]
    by_hand(sim, tampered["id"], TAMPER)
    sim.call("DELETE", "/_sim/requests")

    run = drift(folder, "--limit", "sdx_online")
    assert run.rc == 0, run.output
    report, suite, text = reports(folder.root / "drift-report")

    assert report["source"] == "live" and report["total"] == len(online) == 9
    assert report["counts"] == {"compliant": 0, "drifted": 9, "no_backup": 0, "error": 0}
    assert groups_by_site(report) == {site["name"]: [NTP_ADD] if site is not tampered else [ADDRESS_FIX, NTP_ADD]
                                      for site in online}
    assert [len(group["sites"]) for group in report["groups"]] == [8, 1]
    assert "8 need the same 1 command(s)" in text and "1 need the same 2 command(s)" in text
    assert "0 already compliant" in text and NTP_ADD in text
    assert suite.get("tests") == "9" and suite.get("failures") == "9"
    assert {case.get("name") for case in suite.iter("testcase")} == {site["name"] for site in online}

    # Check mode: nothing queued; a compliant or drifted site costs one read per menu, and nothing else.
    made = api_requests(sim)
    assert not [request for request in made if "/api/asynchronous/" in request]
    assert sorted(request for request in made if request != "GET /sites") == sorted(
        f"POST /api/synchronous/{site['id']}" for site in online for _menu in DESIRED["drift_menus"])


def test_offline_sites_cannot_be_read_live_and_say_why(folder, sim):
    offline = sim.sites(online=False)
    run = drift(folder, "--limit", offline[0]["name"], "-e", "drift_fail_on_drift=true")
    assert run.rc == 2, run.output
    report, suite, text = reports(folder.root / "drift-report")
    assert report["counts"]["error"] == 1 and report["total"] == 1
    assert "offline" in report["sites"][0]["message"]
    assert suite.get("errors") == "1" and "1 could not be checked" in text


def test_backups_of_800_sites_would_cost_16_requests_and_each_backup_says_its_age(folder, sim):
    sites = sim.sites()
    tampered = sim.sites(online=True)[1]
    by_hand(sim, tampered["id"], TAMPER)
    latest_backup(sim, tampered["id"])  # the router's change reaches SDX with its next backup
    sim.call("DELETE", "/_sim/requests")

    run = drift(folder, "-e", "drift_source=backup", "-e", "drift_report_dir=reports/backup")
    assert run.rc == 0, run.output
    assert ASSUMPTION not in run.output
    report, suite, text = reports(folder.root / "reports" / "backup")

    assert api_requests(sim) == ["GET /sites", "POST /backups/latest"], "12 sites, one bulk request"
    assert report["source"] == "backup" and report["total"] == 12, "offline sites are read from their backups too"
    assert groups_by_site(report) == {site["name"]: [NTP_ADD] if site["id"] != tampered["id"]
                                      else [ADDRESS_FIX, NTP_ADD] for site in sites}
    ages = {row["site"]: row["backup"]["age_seconds"] for row in report["sites"]}
    assert ages[tampered["name"]] < 600, "the backup taken just now"
    # seeded a day before the simulator started, which may be a while before this test in a long session
    assert all(86000 < age < 2 * 86400 for name, age in ages.items() if name != tampered["name"]), "seeded a day ago"
    assert report["backup_age"]["oldest_seconds"] == max(ages.values())
    assert "Backups are" in text and "1d old" in text and f"{tampered['name']}: " in text
    assert "backup=" in "".join(case.find("system-out").text for case in suite.iter("testcase"))


def test_without_the_bulk_endpoint_it_warns_and_reads_each_site(folder, sim):
    sim.settings(bulk_backups=False)
    chosen = sim.sites()[:3]
    run = drift(folder, "-e", "drift_source=backup", "--limit", ",".join(site["name"] for site in chosen))
    assert run.rc == 0, run.output
    assert ASSUMPTION in " ".join(run.output.split()) and "HTTP 404" in run.output
    report, _suite, text = reports(folder.root / "drift-report")
    assert report["total"] == 3 and report["counts"]["drifted"] == 3
    assert "3 need the same 1 command(s)" in text
    made = [request for request in api_requests(sim) if request != "GET /sites"]
    assert made[0] == "POST /backups/latest" and len(made) == 1 + 2 * 3
    assert sorted(made[1:]) == sorted([f"GET /backup/{site['id']}" for site in chosen]
                                      + [f"GET /backup/{row['site_id']}/{row['backup']['filename']}"
                                         for row in report["sites"]])


def test_a_compliant_fleet_and_one_menu_given_by_key_value(folder, sim):
    run = drift(folder, "-e", "drift_menus=", "-e", "drift_path='ip address'", "-e", "drift_source=backup",
                "-e", '{"drift_data": [{"address": "192.168.88.1/24", "interface": "bridge"}]}')
    assert run.rc == 0, run.output
    report, suite, text = reports(folder.root / "drift-report")
    assert report["compliant"] and report["counts"]["compliant"] == 12 and report["groups"] == []
    assert "12 already compliant" in text and suite.get("failures") == "0"


def test_bad_desired_state_fails_before_any_request(folder, sim):
    run = drift(folder, "-e", '{"drift_menus": [{"path": "ip address", "state": "gathered"}]}')
    assert run.rc != 0
    assert "drift_menus[0].state: expected one of merged, replaced, overridden, deleted" in run.output
    run = drift(folder, "-e", '{"drift_menus": [{"path": "ip address", "data": [{"address": "10.0.0.1/24"}]}]}')
    assert run.rc != 0 and "drift_menus[0]: data[0]: misses interface" in " ".join(run.output.split())
    assert [request for request in api_requests(sim) if request != "GET /sites"] == []
