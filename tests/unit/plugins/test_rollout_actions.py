"""The rollout's two actions: what rollout_site refuses before any request, what it hands the modules for a confirmed
change, and what rollout_report writes and says when the rollout did not succeed."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from ansible_collections.altostrat.sdx.plugins.action.rollout_report import failure_counts, write_reports
from ansible_collections.altostrat.sdx.plugins.action.rollout_site import ARGUMENT_SPEC, ActionModule, SiteFailed
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _feedback, _rollout


def options(**given):
    defaults = {name: rules.get("default") for name, rules in ARGUMENT_SPEC.items()}
    return {**defaults, "description": "d", "script": "/system identity print", **given}


@pytest.mark.parametrize("given, message", [
    ({"config": {"path": "ip address", "data": []}}, "Give exactly one of rollout_script"),
    ({"confirm_timeout": "5m"}, "rollout_confirm_timeout with a script needs exactly one of rollout_revert_script"),
    ({"confirm_timeout": "5m", "revert_script": "/x", "revert_to_backup": True}, "needs exactly one of"),
    ({"confirm_timeout": "5 minutes", "revert_script": "/x"}, "rollout_confirm_timeout: expected a duration"),
    ({"confirm_timeout": "10s", "revert_script": "/x"}, "rollout_confirm_timeout: expected a duration from 1m"),
    ({"confirm_timeout": "5m", "revert_script": "/x", "wait": False}, "rollout_confirm_timeout needs rollout_wait"),
    ({"revert_script": "/x"}, "only used with rollout_confirm_timeout"),
    ({"script": "", "config": {"path": "ip address", "data": []}, "confirm_timeout": "5m", "revert_script": "/x"},
     "rollout_config computes its own revert"),
])
def test_wrong_input_fails_the_site_before_any_request_naming_the_rollout_variable(given, message):
    with pytest.raises(SiteFailed, match=message):
        ActionModule._checked("branch-0001", "s-1", options(**given))  # pylint: disable=protected-access


def test_a_site_without_a_site_id_is_told_where_it_comes_from():
    with pytest.raises(SiteFailed, match="has no sdx_site_id"):
        ActionModule._checked("router-1", "", options())  # pylint: disable=protected-access


def test_a_confirmed_script_hands_its_revert_to_the_module_and_nothing_without_confirm_timeout():
    script = ActionModule._script_args  # pylint: disable=protected-access
    assert {key: value for key, value in script(options(confirm_timeout="5m", revert_script="/undo")).items()
            if "revert" in key or "confirm" in key} == {"confirm_timeout": "5m", "revert_script": "/undo"}
    assert script(options(confirm_timeout="5m", revert_to_backup=True))["revert_to_backup"] is True
    assert not any("revert" in key or "confirm" in key for key in script(options()))


def test_a_declarative_change_hands_confirm_timeout_to_sdx_config_only_when_set():
    config = {"path": "ip address", "data": [{"address": "10.0.0.1/24", "interface": "bridge"}], "state": "merged"}
    given = ActionModule._config_args  # pylint: disable=protected-access
    assert given(config, options(confirm_timeout="30m"))["confirm_timeout"] == "30m"
    assert "confirm_timeout" not in given(config, options()) and "keys" not in given(config, options())


def test_the_report_names_each_kind_of_failure():
    counts = {status: 0 for status in _rollout.STATUSES}
    assert failure_counts({**counts, "reverted": 1, "not_run": 11}) == "0 site(s) failed, 1 reverted, 11 not reached"
    assert failure_counts({**counts, "failed": 2, "unknown": 1}) == "2 site(s) failed, 1 unknown, 0 not reached"


def test_each_run_writes_its_own_reports_and_the_latest_copies(tmp_path):
    report = _rollout.build_report({"a": {"script_rollout_result": {"site": "a", "status": "completed"}}}, ["a"], "d")
    first = write_reports(report, str(tmp_path / "reports"), datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc))
    write_reports({**report, "total": 0}, str(tmp_path / "reports"), datetime(2026, 11, 28, 13, 0, tzinfo=timezone.utc))
    names = sorted(path.name for path in (tmp_path / "reports").iterdir())
    assert names == ["rollout-report-20261128T120000Z.json", "rollout-report-20261128T120000Z.xml",
                     "rollout-report-20261128T130000Z.json", "rollout-report-20261128T130000Z.xml",
                     "rollout-report.json", "rollout-report.xml"]
    assert first.endswith("rollout-report-20261128T120000Z")
    assert json.loads((tmp_path / "reports" / "rollout-report-20261128T120000Z.json").read_text())["total"] == 1
    assert json.loads((tmp_path / "reports" / "rollout-report.json").read_text())["total"] == 0


def test_a_rollout_the_rate_limit_stretches_says_so_once_per_batch_for_all_its_modules():
    batch = [f"branch-{number:04}" for number in range(1, 721)]
    line = _feedback.fleet_line("altostrat.sdx.rollout_site", {"rate_limit": 60},
                                {"ansible_play_batch": batch, "inventory_hostname": batch[0]})
    assert line == ("altostrat.sdx.rollout_site on 720 hosts: about 2880 SDX requests at 60 requests/min: this takes "
                    "at least 48 minutes")
    later_host = {"ansible_play_batch": batch, "inventory_hostname": batch[1]}
    assert _feedback.fleet_line("altostrat.sdx.rollout_site", {}, later_host) is None
