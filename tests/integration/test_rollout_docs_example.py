"""docs/rollout.md as a user follows it: the change of section 2 and the command of section 4, run as written
from a folder of the user's own against the installed collection, and the table section 5 shows."""

from __future__ import annotations

import re

import pytest
from ansible.release import __version__ as ansible_version

from tests.integration.harness import ROOT
from tests.integration.user_folder import ChangeFolder, read_report

GUIDE = ROOT / "docs" / "rollout.md"
CORE = tuple(int(part) for part in ansible_version.split(".")[:2])


def section(number: int) -> str:
    text = GUIDE.read_text()
    start = text.index(f"\n## {number}.")
    return text[start:text.index("\n## ", start + 1)]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


@pytest.fixture
def folder(ansible, tmp_path):
    return ChangeFolder(tmp_path / "CHG-1234", ansible)


def test_the_documented_change_rolls_out_and_verifies_as_the_guide_shows(folder, sim):
    change = next(block for block in blocks(section(2), "yaml") if block.startswith("# change.yml"))
    (folder.root / "change.yml").write_text(change)
    command = blocks(section(4), "console")[0].strip()
    assert command == "ansible-playbook altostrat.sdx.rollout -i fleet.sdx.yml -e @change.yml"
    run = folder.run(*command.split()[1:])
    assert run.rc == 0, run.output

    report, suite = read_report(folder.root / "reports" / "CHG-1234")
    online = {site["name"] for site in sim.sites(online=True)}
    offline = {site["name"] for site in sim.sites(online=False)}
    assert online and offline
    by_site = {row["site"]: row for row in report["sites"]}
    assert set(by_site) == online | offline
    for name in online:
        assert (by_site[name]["status"], by_site[name]["message"]) == ("completed", "job completed, verified")
    for name in offline:
        assert by_site[name]["status"] == "skipped_offline"
        assert re.fullmatch(r"offline since \S+; nothing queued", by_site[name]["message"]), by_site[name]
    assert suite.get("failures") == "0"

    # The table of section 5: its header, one aligned row per site, and the counts.
    shown = blocks(section(5), "")[0].splitlines()
    assert shown[0].split() == ["SITE", "STATUS", "JOB", "DURATION", "MESSAGE"]
    header = next(line.strip().rstrip(",").strip('"') for line in run.output.splitlines()
                  if "SITE" in line and "MESSAGE" in line)
    assert header.split() == shown[0].split()
    for name in online:
        assert re.search(rf"{re.escape(name)}\s+completed\s+[0-9a-f-]{{36}}\s+\d+\.\ds\s+job completed, verified",
                         run.output), name
    for name in offline:
        assert re.search(rf"{re.escape(name)}\s+skipped_offline\s+-\s+-\s+offline since \S+; nothing queued",
                         run.output), name
    assert f"{len(online) + len(offline)} site(s): {len(online)} completed, {len(offline)} skipped_offline" \
        in run.output
    assert not folder.stray_reports()

    # The verify step read the address the job added, from the router's configuration.
    for name, row in by_site.items():
        if name in online:
            assert row["changed"] is True


def batches(output: str) -> list[set[str]]:
    """The hosts each batch of the rollout play reported on, in order (each batch prints its own PLAY banner)."""
    parts = re.split(r"^PLAY \[.*$", output, flags=re.M)[1:]
    return [set(re.findall(r"^\w+: \[([^\]]+)\]", part, re.M)) - {"localhost"} for part in parts]


def test_a_list_option_from_the_command_line_needs_the_json_form(folder, sim):
    folder.change(rollout_wait=False)
    if CORE >= (2, 19):  # earlier versions template the string back into a list; later ones fail on it
        as_key_value = folder.rollout("-e", 'rollout_serial=[1,"50%"]')
        assert as_key_value.rc != 0
        assert not (folder.root / "rollout-report").exists(), "the key=value form must fail before the rollout"

    as_json = folder.rollout("-e", '{"rollout_serial": [1, "50%"]}')
    assert as_json.rc == 0, as_json.output
    sizes = [len(hosts) for hosts in batches(as_json.output) if hosts]
    total = len(sim.sites())
    assert sizes[:3] == [1, total // 2, total - 1 - total // 2], as_json.output
    report, _suite = read_report(folder.root / "rollout-report")
    assert report["total"] == total
