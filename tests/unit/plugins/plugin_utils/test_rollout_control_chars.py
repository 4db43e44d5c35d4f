"""Control characters from API strings (a last_seen_at with \x01, ANSI colour codes) in rollout reports."""

from __future__ import annotations

import json
from xml.dom import minidom
from xml.etree import ElementTree

import pytest

from ansible_collections.altostrat.sdx.plugins.plugin_utils import _rollout, _rollout_text

RAW = ["\x01", "\x1b", "\x00", "\x7f", "\x9b", "\x0b", "\ufffe"]
HOSTVARS = {
    "branch-\x1b[31m0001": {"script_rollout_result": {
        "site": "branch-\x1b[31m0001\x1b[0m", "status": "skipped_offline", "site_id": "s1\x00",
        "message": "offline since 2026-11-28T\x0112:00:00Z\x1b[2J"}},
    "branch-0002": {"script_rollout_result": {
        "site": "branch-0002", "status": "failed", "site_id": "s2", "job_id": "j2\x7f",
        "message": "job j2 failed:\nline 2\twith a tab \x9b and \ufffe"}},
    "branch-0003": {"script_rollout_result": {
        "site": "branch-0003", "status": "completed", "site_id": "s3", "job_id": "j3",
        "config_diff": "--- a\n+++ b\n@@ -1 +1,2 @@\n /ip address\n+add comment=\"\x1b[5mblink\" address=1.1.1.1/32\n"}},
}


def report():
    return _rollout.build_report(HOSTVARS, list(HOSTVARS), "Set NTP \x0b\x1b[1m", config_diff=True)


def assert_no_raw_control(text: str, allowed: str = "") -> None:
    for char in RAW:
        if char not in allowed:
            assert char not in text, repr(char)


def test_the_junit_report_is_well_formed_xml_with_the_characters_visibly_escaped():
    xml = _rollout_text.junit(report())
    ElementTree.fromstring(xml.split("\n", 1)[1])  # expat: a raw \x01 is "not well-formed (invalid token)"
    document = minidom.parseString(xml.encode("utf-8"))
    cases = {case.getAttribute("name"): case for case in document.getElementsByTagName("testcase")}
    assert set(cases) == {"branch-\\x1b[31m0001\\x1b[0m", "branch-0002", "branch-0003"}
    skipped = cases["branch-\\x1b[31m0001\\x1b[0m"].getElementsByTagName("skipped")[0]
    assert skipped.getAttribute("message") == "offline since 2026-11-28T\\x0112:00:00Z\\x1b[2J"
    failure = cases["branch-0002"].getElementsByTagName("failure")[0]
    assert failure.getAttribute("message") == "job j2 failed:\\x0aline 2\\x09with a tab \\x9b and \\ufffe"
    assert "job_id=j2\\x7f" in cases["branch-0002"].getElementsByTagName("system-out")[0].firstChild.data
    assert document.documentElement.getAttribute("name") == "altostrat.sdx rollout: Set NTP \\x0b\\x1b[1m"
    assert_no_raw_control(xml)


def test_a_report_given_raw_strings_still_makes_well_formed_xml():
    raw = {**report(), "description": "x\x01", "sites": [{
        "site": "a\x02", "status": "failed", "job_id": None, "site_id": None, "queued": None, "started": None,
        "finished": None, "duration": None, "message": "m\x03"}]}
    suite = ElementTree.fromstring(_rollout_text.junit(raw).split("\n", 1)[1])
    assert suite.find("testcase").get("name") == "a\\x02"
    assert suite.find("testcase/failure").get("message") == "m\\x03"


def test_the_text_table_shows_escapes_not_terminal_codes():
    lines = _rollout_text.table(report())
    text = "\n".join(lines)
    assert_no_raw_control(text)
    assert any("offline since 2026-11-28T\\x0112:00:00Z\\x1b[2J" in line for line in lines)
    assert any('+add comment="\\x1b[5mblink" address=1.1.1.1/32' in line for line in lines)


def test_the_json_report_carries_the_escapes_and_keeps_the_diff_lines():
    written = json.dumps(report(), ensure_ascii=False)
    assert_no_raw_control(written)
    data = json.loads(written)
    assert data["sites"][0]["message"] == "offline since 2026-11-28T\\x0112:00:00Z\\x1b[2J"
    assert data["sites"][0]["site_id"] == "s1\\x00"
    diff = data["config_diffs"][0]["diff"]
    assert diff.splitlines()[-1] == '+add comment="\\x1b[5mblink" address=1.1.1.1/32'


@pytest.mark.parametrize("value, keep, written", [
    ("plain text", "", "plain text"), ("a\nb\tc", "\n\t", "a\nb\tc"), ("a\nb", "", "a\\x0ab"),
    ("\x1b[31mred", "", "\\x1b[31mred"), ("é ✓", "", "é ✓"), (None, "", None), (5, "", 5),
])
def test_printable(value, keep, written):
    assert _rollout.printable(value, keep) == written
