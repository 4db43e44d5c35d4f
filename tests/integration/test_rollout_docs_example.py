"""docs/rollout.md as a user follows it: the changes of section 2 and the command of section 4, run as written
from a folder of the user's own against the installed collection and the simulator's README fleet (12 sites, 3 of
them offline), and every output the page shows (the table, the command groups, the config diff summary) checked
line by line against what the run printed: only job ids, times, durations and the user's folder may differ."""

from __future__ import annotations

import re
import shutil

import pytest

from simulator.process import SimulatorProcess
from tests.integration.harness import ROOT, Ansible
from tests.integration.user_folder import ChangeFolder, read_report

GUIDE = ROOT / "docs" / "rollout.md"


def section(number: int) -> str:
    text = GUIDE.read_text()
    start = text.index(f"\n## {number}.")
    return text[start:text.index("\n## ", start + 1)]


def blocks(text: str, language: str) -> list[str]:
    """The fenced blocks of ``text`` in ``language`` ("" for plain ones), each fence pair taken in order."""
    return [match[2] for match in re.finditer(r"```([a-z]*)\n(.*?)```", text, re.S) if match[1] == language]


# What differs from one run to the next, and the user folder the page shows ("/home/me/CHG-1234").
VARYING = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<job id>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"), "<time>"),
    (re.compile(r"\d{8}T\d{6}Z"), "<run start>"),
    (re.compile(r"(?<=\s)\d+\.\ds(?=\s)"), "<duration>"),
    (re.compile(r"\S*/CHG-1234/"), "<folder>/"),
]


def normalized(line: str) -> str:
    line = line.strip().rstrip(",").strip('"')
    for pattern, placeholder in VARYING:
        line = pattern.sub(placeholder, line)
    return " ".join(line.split())


def assert_printed(shown: str, output: str) -> None:
    """Every line the page shows (but its "..." lines) is a line the run printed, up to what varies."""
    printed = {normalized(line) for line in output.splitlines()}
    lines = [line for line in shown.strip().splitlines() if line.strip() != "..."]
    assert lines
    for line in lines:
        assert normalized(line) in printed, (line, output)


@pytest.fixture(scope="module")
def readme_sim(tmp_path_factory):
    """The simulator as the README starts it (12 sites, 3 offline, the default seed), its time 20 times faster than
    the README's 0.2, and without its rate limit, which would only make the runs wait."""
    sim = SimulatorProcess(tmp_path_factory.mktemp("readme-sim"), "--time-scale", "0.01", "--rate-limit", "0")
    yield sim
    sim.stop()


@pytest.fixture
def folder(readme_sim, tmp_path):
    readme_sim.reset()
    return ChangeFolder(tmp_path / "CHG-1234", Ansible(tmp_path / ".harness", readme_sim))


def section_change(number: int, marker: str) -> str:
    return next(block for block in blocks(section(number), "yaml")
                if block.startswith("# change.yml") and marker in block)


def shown_output(number: int, marker: str) -> str:
    return next(block for block in blocks(section(number), "") if marker in block)


def test_the_documented_change_rolls_out_and_verifies_as_the_guide_shows(folder, readme_sim):
    sim = readme_sim
    change = section_change(2, "rollout_script:")
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
    assert_printed(blocks(section(5), "")[0], run.output)
    assert not folder.stray_reports()

    # The verify step read the address the job added, from the router's configuration.
    for name, row in by_site.items():
        if name in online:
            assert row["changed"] is True


def test_the_config_diff_summary_is_what_the_guide_shows(folder):
    (folder.root / "change.yml").write_text(section_change(2, "rollout_script:"))
    run = folder.rollout("-e", "rollout_config_diff=true")
    assert run.rc == 0, run.output
    assert_printed(shown_output(5, "config diff:"), run.output)


def test_the_declarative_change_groups_the_sites_as_the_guide_shows(folder):
    (folder.root / "change.yml").write_text(section_change(2, "rollout_config:"))
    run = folder.rollout()
    assert run.rc == 0, run.output
    assert_printed(shown_output(2, "commands:"), run.output)


def batches(output: str) -> list[set[str]]:
    """The hosts each batch of the rollout play reported on, in order (each batch prints its own PLAY banner)."""
    parts = re.split(r"^PLAY \[.*$", output, flags=re.M)[1:]
    return [set(re.findall(r"^\w+: \[([^\]]+)\]", part, re.M)) - {"localhost"} for part in parts]


def test_a_list_option_works_in_either_command_line_form_and_a_wrong_one_fails_in_one_line(folder, readme_sim):
    sim = readme_sim
    folder.change(rollout_wait=False)
    total = len(sim.sites())
    for form in ('rollout_serial=[1,"50%"]', '{"rollout_serial": [1, "50%"]}'):
        sim.reset()
        run = folder.rollout("-e", form)
        assert run.rc == 0, (form, run.output)
        sizes = [len(hosts) for hosts in batches(run.output) if hosts]
        assert sizes[:3] == [1, total // 2, total - 1 - total // 2], (form, run.output)
        report, _suite = read_report(folder.root / "rollout-report")
        assert report["total"] == total
    shutil.rmtree(folder.root / "rollout-report")
    wrong = folder.rollout("-e", "rollout_serial=half")
    assert wrong.rc != 0
    errors = [line for line in wrong.output.splitlines() if "rollout_serial" in line and "ERROR" in line]
    assert len(errors) == 1 and "rollout_serial: expected a batch size" in errors[0], wrong.output
    assert "Unexpected Exception" not in wrong.output and "Traceback" not in wrong.output
    assert not (folder.root / "rollout-report").exists(), "a wrong serial must stop the run before any batch"
