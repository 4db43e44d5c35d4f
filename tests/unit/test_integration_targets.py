"""Every module has an integration target of the same shape, so that adding a module shows what to add."""

from __future__ import annotations

import stat

import pytest
import yaml

from tests.unit.paths import ROOT

TARGETS = ROOT / "tests" / "integration" / "targets"
SETUP = "setup_sdx_simulator"
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("sdx_*.py"))


def test_there_are_modules_to_hold_to_it():
    assert len(MODULES) >= 7


@pytest.mark.parametrize("module", MODULES)
def test_each_module_has_a_target_that_runs_its_tasks_against_the_simulator(module):
    target = TARGETS / module
    assert target.is_dir(), f"add {target.relative_to(ROOT)}/ (copy another module's target and write its tasks)"
    runme = target / "runme.sh"
    assert runme.read_text() == (TARGETS / "sdx_site_info" / "runme.sh").read_text()
    assert runme.stat().st_mode & stat.S_IXUSR, f"{runme.relative_to(ROOT)} must be executable"
    aliases = (target / "aliases").read_text().split()
    assert {"context/controller", f"needs/target/{SETUP}"} <= set(aliases)
    tasks = yaml.safe_load((target / "tasks" / "main.yml").read_text())
    used = [task for task in tasks if f"altostrat.sdx.{module}" in task]
    assert used and any("ansible.builtin.assert" in task for task in tasks)
    assert any(task.get("check_mode") for task in used), f"the {module} target never runs it in check mode"


def test_no_target_is_left_without_a_module():
    assert sorted(path.name for path in TARGETS.iterdir() if path.name != SETUP) == MODULES
