"""A declarative rollout's parts: rollout_config checked, a site's outcome from sdx_config, groups by commands."""

from __future__ import annotations

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _rollout_config

NTP = "/system ntp client servers add address=162.159.200.1"


def test_rollout_config_is_checked_naming_the_variable():
    assert _rollout_config.checked_config({"path": "system/ntp/client/servers", "data": [{"address": "1.1.1.1"}]}) == {
        "path": "system ntp client servers", "data": [{"address": "1.1.1.1"}], "state": "merged", "keys": None}
    with pytest.raises(SDXInputError, match=r"^rollout_config: data\[0\]: misses interface"):
        _rollout_config.checked_config({"path": "ip address", "data": [{"address": "10.0.0.1/24"}]})
    with pytest.raises(SDXInputError, match=r"^rollout_config.state: expected one of merged"):
        _rollout_config.checked_config({"path": "ip address", "state": "parsed"})
    with pytest.raises(SDXInputError, match="rollout_config: expected a dict"):
        _rollout_config.checked_config("ip address")


@pytest.mark.parametrize(("result", "wait", "check_mode", "status", "message"), [
    ({"changed": False, "commands": []}, True, False, "unchanged", "already held the desired state; nothing queued"),
    ({"changed": True, "commands": [NTP]}, True, True, "queued", "would queue 1 command(s) (check mode)"),
    ({"changed": True, "commands": [NTP]}, "false", False, "queued", "queued 1 command(s)"),
    ({"changed": True, "commands": [NTP], "converged": True}, True, False, "completed",
     "job completed, 1 command(s); the router holds the desired state (converged)"),
])
def test_a_sites_outcome(result, wait, check_mode, status, message):
    assert _rollout_config.configured(result, wait, check_mode)[:2] == (status, message)


def test_sites_are_grouped_by_the_commands_they_needed():
    rows = [{"site": name, "status": status, "commands": commands} for name, status, commands in (
        ("a", "unchanged", []), ("b", "completed", [NTP]), ("c", "unchanged", []), ("d", "completed", [NTP]),
        ("e", "completed", [NTP]), ("f", "failed", [NTP]), ("g", "completed", None))]
    groups = _rollout_config.command_groups(rows)
    assert groups == [{"commands": [NTP], "sites": ["b", "d", "e"]}, {"commands": [], "sites": ["a", "c"]}]
    lines = _rollout_config.group_summary({"command_groups": groups, "check_mode": False})
    assert lines[0] == "commands: 3 needed the same 1 command(s), 2 already compliant"
    assert lines[1:] == ["  group 1, 3 site(s): b, d, e", f"    {NTP}"]
