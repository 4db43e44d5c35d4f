"""The drift report's parts: the desired state checked, a site planned from its backup, groups, text and JUnit."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _drift, _drift_text

EXPORT = """# 2026-12-05 10:16:35 by RouterOS 7.16.1
/ip address
add address=192.168.88.1/24 comment=defconf interface=bridge network=192.168.88.0
/system ntp client servers
add address=162.159.200.1
"""
DESIRED = _drift.desired_menus([
    {"path": "ip address", "data": [{"address": "192.168.88.1/24", "interface": "bridge", "comment": "defconf"}]},
    {"path": "system/ntp/client/servers", "data": [{"address": "162.159.200.1"}]}])


def latest(site_id, content=EXPORT, age=90061.0):
    return {"backups": {site_id: {"filename": "1796482595.rsc", "created_at": "2026-12-05T10:16:35Z",
                                  "age_seconds": age, "content": content}}, "missing": {}}


@pytest.mark.parametrize(("menus", "path", "message"), [
    (None, None, "drift_path: expected a RouterOS menu"),
    ([{"path": "ip address"}], "ip dns", "give the desired state one way, not both"),
    ([{"path": "ip address", "state": "gathered"}], None, "drift_menus[0].state: expected one of merged"),
    ([{"path": "ip address", "colour": 1}], None, "drift_menus[0]: unknown key(s) colour"),
    ([{"path": "ip address", "data": [{"address": "10.0.0.1/24"}]}], None, "drift_menus[0]: data[0]: misses interface"),
    ({"path": "ip address"}, None, "drift_menus: expected a non-empty list"),
])
def test_a_wrong_desired_state_is_refused_naming_the_entry(menus, path, message):
    with pytest.raises(SDXInputError) as raised:
        _drift.desired_menus(menus, path)
    assert message in str(raised.value)


def test_one_menu_by_path_and_the_menu_spelled_as_the_model_does():
    assert _drift.desired_menus(None, "ip/dns", [{"servers": "1.1.1.1"}]) == [
        {"path": "ip dns", "data": [{"servers": "1.1.1.1"}], "state": "merged", "keys": None}]
    assert DESIRED[1]["path"] == "system ntp client servers"


def test_a_compliant_backup_and_a_drifted_one():
    site = "9c69345c-8d39-4786-9f17-8153c988c89a"
    same = _drift.site_from_backup("a", site, latest(site), DESIRED)
    assert (same["status"], same["commands"]) == ("compliant", [])
    assert same["backup"] == {"filename": "1796482595.rsc", "created_at": "2026-12-05T10:16:35Z", "age_seconds": 90061.0}
    drifted = _drift.site_from_backup("b", site, latest(site, EXPORT.replace("comment=defconf", "comment=x")
                                                        .replace("add address=162", "add address=10")), DESIRED)
    assert drifted["status"] == "drifted"
    assert drifted["commands"] == [
        "/ip address set [find where address=192.168.88.1/24 interface=bridge] comment=defconf",
        "/system ntp client servers add address=162.159.200.1"]


def test_a_site_without_a_backup_says_why():
    result = _drift.site_from_backup("c", "s", {"backups": {}, "missing": {"s": {"message": "no backups yet"}}}, DESIRED)
    assert (result["status"], result["message"]) == ("no_backup", "no backups yet")


def test_a_failed_live_check_names_the_failed_menu():
    error = {"msg": "One or more items failed", "results": [{"failed": False}, {"failed": True, "msg": "site offline"}]}
    assert _drift.site_from_live("d", "s", None, error)["message"] == "site offline"


def test_the_report_groups_sites_by_their_commands_and_says_their_age():
    site = "9c69345c-8d39-4786-9f17-8153c988c89a"
    drifted = latest(site, EXPORT.replace("add address=162", "add address=10"), age=7200.0)
    hostvars = {name: {"sdx_drift_result": _drift.site_from_backup(name, site, data, DESIRED)}
                for name, data in (("a", latest(site)), ("b", drifted), ("c", drifted))}
    hostvars["ghost"] = {}
    report = _drift.build_report(hostvars, ["c", "b", "a", "ghost"], "backup", DESIRED)
    assert report["total"] == 3 and report["counts"] == {"compliant": 1, "drifted": 2, "no_backup": 0, "error": 0}
    assert report["groups"] == [{"commands": ["/system ntp client servers add address=162.159.200.1"],
                                 "sites": ["b", "c"]}]
    assert report["backup_age"] == {"oldest_seconds": 90061.0, "newest_seconds": 7200.0}
    text = _drift_text.summary(report)
    assert "1 already compliant" in text and "2 need the same 1 command(s): b, c" in text
    assert "Backups are 2h to 1d 1h old." in text and "    a: 1796482595.rsc, 1d 1h old (compliant)" in text
    suite = ElementTree.fromstring(_drift_text.junit(report).split("\n", 1)[1])
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "2", "0")
    failure = suite.find("testcase[@name='b']/failure")
    assert failure.text == "/system ntp client servers add address=162.159.200.1"


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (59.9, "59s"), (3600, "1h"), (90061, "1d 1h"),
                                               (None, "age unknown")])
def test_age_text(seconds, text):
    assert _drift.age_text(seconds) == text


def test_a_fixed_entry_the_export_leaves_out_holds_its_defaults():
    """An export lists only the ip service entries changed from their defaults: one left out is at its defaults,
    so the desired state is compared against those, not refused as an entry the router does not have."""
    site = "9c69345c-8d39-4786-9f17-8153c988c89a"
    export = "# by RouterOS 7.16.1\n/ip service\nset telnet disabled=yes\n"
    desired = _drift.desired_menus(None, "ip service", [
        {"name": "telnet", "disabled": True}, {"name": "www", "disabled": False}, {"name": "ftp", "disabled": True}])
    result = _drift.site_from_backup("a", site, latest(site, export), desired)
    assert result["status"] == "drifted", result
    assert result["commands"] == ["/ip service set [find where name=ftp] disabled=yes"]
